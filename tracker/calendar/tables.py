"""Calendar feeds: a secret address per person and organisation (and one per admin for the
whole organisation) whose SHA-256 alone is kept; resetting it makes a new one and the old
address answers 404."""

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person


class CalendarFeed(Table, tablename="calendar_feed"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=10, default="person")  # person (what concerns me) | org (admins)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
