"""People, organisations (tenants), memberships with roles, invitations, sessions."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    name = Varchar(length=200)
    slug = Varchar(length=60, unique=True)
    timezone = Varchar(length=64, default="UTC")
    training_pass_mark = SmallInt(default=80)  # assessment score needed to pass training
    require_2fa = Varchar(length=10, default="none")  # none | admins | everyone
    # the language its shipped defaults (gate criteria, starter risks, RACI roles) are made in
    language = Varchar(length=10, default="en")
    created_at = Timestamptz(default=TimestamptzNow())


class Person(Table, tablename="person"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    email = Varchar(length=254, unique=True)
    name = Varchar(length=120)
    password_hash = Text()
    language = Varchar(length=10, null=True, default=None)
    timezone = Varchar(length=64, null=True, default=None)  # None: the organisation's
    created_at = Timestamptz(default=TimestamptzNow())
    # False until the address is confirmed by the e-mailed link (self sign-up only; people made
    # by the CLI, the demo or an accepted invitation are confirmed when created)
    email_confirmed = Boolean(default=True)
    # the base32 key sealed by twofactor.seal (Fernet: 140 characters); set while enrolling
    totp_secret = Varchar(length=200, null=True, default=None)
    totp_enabled_at = Timestamptz(null=True, default=None)  # two-factor log-in is on
    totp_last_step = Integer(null=True, default=None)  # a code is accepted once (ASVS 2.8.4)


class Membership(Table, tablename="membership"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False, index=True)
    role = Varchar(length=20)
    created_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="invitation"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    org = ForeignKey(Organisation, null=False, index=True)
    email = Varchar(length=254)
    role = Varchar(length=20)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # the link's token is an HMAC of this key (tracker.accounts.links), rendered when the mail is
    # sent; None for invitations made before it: they can be sent again (a new link)
    link_key = Varchar(length=64, null=True, default=None)


class Session(Table, tablename="web_session"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()  # the session's whole lifetime ends here
    last_seen_at = Timestamptz(null=True, default=None)  # None: not since it started
    idle_seconds = Integer(default=8 * 3600)  # it ends after this long without a request
    user_agent = Varchar(length=300, default="")
    address = Varchar(length=45, default="")


class LoginFailure(Table, tablename="login_failure"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    email = Varchar(length=254, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    address = Varchar(length=45, default="", index=True)  # the client's address


class RecoveryCode(Table, tablename="recovery_code"):
    """Two-factor recovery codes: shown once, kept as SHA-256 hashes, each used once."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)


class AccountMail(Table, tablename="account_mail"):
    """Mail about a person's account, before or outside any organisation (address confirmation,
    a sign-up attempt with a known address, an unlock link). The body is rendered when it is
    sent, so no link sits in the table."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=20)  # confirm | signup_attempt | unlock | mail.NOTICES
    key = Varchar(length=100, unique=True)  # one mail per purpose and period
    to_email = Varchar(length=254, null=True, default=None)  # None: the person's address
    status = Varchar(length=10, default="pending")  # pending | sent | failed | held
    attempts = SmallInt(default=0)
    last_error = Text(default="")
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
