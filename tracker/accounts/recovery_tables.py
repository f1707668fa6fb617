"""Self-service account records: password-reset requests and e-mail address changes.

Neither belongs to an organisation (a person may belong to several); only SHA-256 hashes of
the links' tokens are stored.
"""

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Person


class PasswordReset(Table, tablename="password_reset"):
    """One request of the "forgot your password?" form, for any address typed (the same row
    whether or not the address has an account). A job later looks the address up and, for an
    account, sets ``person`` and ``token_hash`` and queues the mail."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    email = Varchar(length=254, index=True)
    client = Varchar(length=64, index=True)  # the client's address, for the rate limit
    language = Varchar(length=10, default="en")  # the page's language, if the person has none
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    processed_at = Timestamptz(null=True, default=None)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    expires_at = Timestamptz(null=True, default=None)
    used_at = Timestamptz(null=True, default=None)


class EmailChange(Table, tablename="email_change"):
    """A person's request to use another e-mail address, until the new address confirms."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.cascade)
    new_email = Varchar(length=254)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)
