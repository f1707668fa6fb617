"""Notifications: what a person is told (the centre under the bell), and how each person wants
each kind delivered (by e-mail at once, in the digest only, or not at all).

Every row belongs to an organisation (``org``) and sits behind the tenant wall. One
notification per person and ``key`` is a database key (``notification_once``): a double click,
a retried job or two workers make one row, and so one e-mail.
"""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person


class Notification(Table, tablename="notification"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False)
    kind = Varchar(length=30)  # rules.Kind
    subject_kind = Varchar(length=30, default="")  # review | condition | sop_version | kpi | …
    subject_id = Integer(null=True, default=None)
    title = Varchar(length=300, default="")  # the thing's name as it was (the org's own words)
    detail = Varchar(length=100, default="")  # e.g. the decision of a decided review
    url = Varchar(length=500, default="")  # a path inside the app, /o/<slug>/…
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    key = Varchar(length=200)  # the dedupe key, unique per organisation and person
    channel = Varchar(length=10, default="app")  # immediate | digest | app: as chosen then
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)


class NotificationPreference(Table, tablename="notification_preference"):
    """A person's choice for one kind in one organisation (none: the kind's default)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    person = ForeignKey(Person, null=False)
    kind = Varchar(length=30)
    channel = Varchar(length=10)  # immediate | digest | off
    saved_at = Timestamptz(default=TimestamptzNow())
