"""An attachment: a kept file (``stored_file``) on one subject of the organisation, named
generically by kind and id (a review and, for gate evidence, one of its criteria; a problem;
a pilot; an SOP version) so that new kinds of subject need no new column."""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person
from tracker.uploads.tables import StoredFile


class Attachment(Table, tablename="attachment"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    subject_kind = Varchar(length=20)  # review | problem | pilot | sop_version (see subjects.py)
    subject_id = Integer(null=False)
    item = Integer(null=True, default=None)  # a review's criterion (gate evidence), else none
    file = ForeignKey(StoredFile, null=False, on_delete=OnDelete.cascade)
    created_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
