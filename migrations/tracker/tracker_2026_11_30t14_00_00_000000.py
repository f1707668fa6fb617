"""Attachments (issue 16): files on a review's criteria, problems, pilots and SOP versions.
A kept file now says where its bytes are (``storage``); files kept in the database are split
into chunk rows, so that no value holds a whole file."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


def _id_table(name: str, tablename: str) -> type[Table]:
    id_column = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )
    return type(name, (Table,), {"id": id_column}, tablename=tablename, schema=None)


Organisation = _id_table("Organisation", "organisation")
Person = _id_table("Person", "person")
StoredFile = _id_table("StoredFile", "stored_file")

ID = "2026-11-30T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attachments, and files kept in chunk rows"


def _params(**given: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(given)
    return params


def _fk(references: type[Table], null: bool, on_delete: OnDelete, index: bool) -> dict:
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=index,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    def column(table_class: str, table: str, name: str, cls: type, params: dict) -> None:
        manager.add_column(
            table_class_name=table_class,
            tablename=table,
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=params,
            schema=None,
        )

    column("StoredFile", "stored_file", "storage", Varchar, _params(length=12, default=""))

    manager.add_table(
        class_name="StoredFileChunk", tablename="stored_file_chunk", schema=None, columns=None
    )
    chunk = ("StoredFileChunk", "stored_file_chunk")
    column(*chunk, "org", ForeignKey, _fk(Organisation, False, OnDelete.cascade, True))
    column(*chunk, "file", ForeignKey, _fk(StoredFile, False, OnDelete.cascade, False))
    column(*chunk, "seq", Integer, _params(default=0))
    column(*chunk, "data", Bytea, _params(default=b""))

    manager.add_table(class_name="Attachment", tablename="attachment", schema=None, columns=None)
    att = ("Attachment", "attachment")
    column(*att, "org", ForeignKey, _fk(Organisation, False, OnDelete.cascade, True))
    column(*att, "subject_kind", Varchar, _params(length=20, default=""))
    column(*att, "subject_id", Integer, _params(default=0))
    column(*att, "item", Integer, _params(default=None, null=True))
    column(*att, "file", ForeignKey, _fk(StoredFile, False, OnDelete.cascade, False))
    column(*att, "created_by", ForeignKey, _fk(Person, True, OnDelete.set_null, False))
    column(*att, "created_at", Timestamptz, _params(default=TimestamptzNow()))
    return manager
