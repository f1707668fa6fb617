"""People, organisations (tenants), memberships with roles, invitations, sessions."""

from piccolo.columns import (
    ForeignKey,
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


class Session(Table, tablename="web_session"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class LoginFailure(Table, tablename="login_failure"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    email = Varchar(length=254, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
