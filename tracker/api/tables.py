"""API tokens: named by an admin, scoped, revocable; only a hash of the secret is kept."""

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person


class ApiToken(Table, tablename="api_token"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    name = Varchar(length=100)
    scope = Varchar(length=10, default="read")  # read | write (read + write measurements)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)  # shown in the list so admins can tell tokens apart
    created_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
