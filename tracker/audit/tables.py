"""The audit trail's one table. Rows are written by database triggers only (see
``tracker.audit.triggers``); the app's database role may insert and read them, never change or
remove them."""

from piccolo.columns import JSONB, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation


class AuditEntry(Table, tablename="audit_entry"):
    id: Serial
    org = ForeignKey(Organisation, null=False)
    at = Timestamptz(default=TimestamptzNow())
    person = Integer(null=True, default=None)  # who, signed in (no key: people are kept)
    token = Integer(null=True, default=None)  # or the API token that made it
    table_name = Varchar(length=40)
    row_id = Integer(null=True, default=None)
    operation = Varchar(length=6)  # insert | update | delete
    subject_table = Varchar(length=40)  # the record page it shows on
    subject_id = Integer(null=True, default=None)
    changes = JSONB(default="{}")  # {"field": [old, new]} or {"field": "secret"}
