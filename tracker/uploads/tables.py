"""Files kept for an organisation (the source file of each import, attachments); their sizes
count against the organisation's storage quota."""

from piccolo.columns import Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person


class StoredFile(Table, tablename="stored_file"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=20)  # import (the file an import came from) | attachment
    filename = Varchar(length=255)
    media_type = Varchar(length=100)
    size = Integer(default=0)  # bytes
    sha256 = Varchar(length=64)
    content = Bytea()  # the bytes of a small file kept whole (imports); empty otherwise
    # where the bytes are: "" in ``content``, "database" in chunk rows, "directory" in a
    # content-addressed file under ATTACHMENTS_DIR (see tracker/uploads/blobs.py)
    storage = Varchar(length=12, default="")
    created_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class StoredFileChunk(Table, tablename="stored_file_chunk"):
    """One piece (at most 512 KiB) of a file kept in the database: no value, and no read or
    write, ever holds the whole file."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    file = ForeignKey(StoredFile, null=False, on_delete=OnDelete.cascade)
    seq = Integer()
    data = Bytea()
