"""Digest settings, the digest archive (one per person, organisation and period), and the
outbox of e-mails (digests, reminders, invitations) with their delivery attempts."""

from piccolo.columns import (
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

from tracker.accounts.tables import Organisation, Person


class DigestSetting(Table, tablename="digest_setting"):
    id: Serial
    org = ForeignKey(Organisation, null=False, unique=True)
    frequency = Varchar(length=10, default="weekly")  # daily | weekly | monthly
    weekday = SmallInt(default=0)  # 0 = Monday (weekly digests)
    hour = SmallInt(default=8)  # local hour in the organisation's time zone
    saved_at = Timestamptz(null=True, default=None)  # when an admin last saved the schedule


class DigestPreference(Table, tablename="digest_preference"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False, index=True)
    frequency = Varchar(length=10, default="default")  # default | weekly | monthly | off


class Digest(Table, tablename="digest"):
    """A digest as it was built: kept in the app whether or not mail goes out."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False, index=True)
    period_key = Varchar(length=20)  # e.g. D2026-11-23, W2026-11-23, M2026-11
    period_start = Timestamptz()
    period_end = Timestamptz()
    language = Varchar(length=10)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text()
    item_count = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class EmailMessage(Table, tablename="email_message"):
    """The outbox. ``key`` makes every message unique (a digest, a reminder, an invitation)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)  # None: not a member yet
    key = Varchar(length=200, unique=True)
    kind = Varchar(length=20)  # digest | review_reminder | condition_reminder | invitation
    to_email = Varchar(length=254)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    status = Varchar(
        length=10, default="pending"
    )  # pending | sending | sent | failed | cancelled | held
    attempts = SmallInt(default=0)
    last_error = Text(default="")
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
