"""What the seeds hold and the product did not (issue 18): an SOP step's responsible and
assisting person and its acceptance criterion (seed 003 模板二), a version's remarks (seed 004
表4) and a risk's manifestation (seed 004 §4)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Person(Table, tablename="person", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-30T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "seed tables: step owner, assistant and acceptance; version remarks; risk manifestation"
)


def _plain(**params):
    return {
        "default": "",
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **params,
    }


def _person():
    return {
        "references": Person,
        "on_delete": OnDelete.set_null,
        "on_update": OnUpdate.cascade,
        "target_column": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    for name in ("owner", "assistant"):
        manager.add_column(
            table_class_name="SopStep",
            tablename="sop_step",
            column_name=name,
            db_column_name=name,
            column_class_name="ForeignKey",
            column_class=ForeignKey,
            params=_person(),
            schema=None,
        )
    manager.add_column(
        table_class_name="SopStep",
        tablename="sop_step",
        column_name="acceptance",
        db_column_name="acceptance",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_plain(length=500),
        schema=None,
    )
    manager.add_column(
        table_class_name="SopVersion",
        tablename="sop_version",
        column_name="remarks",
        db_column_name="remarks",
        column_class_name="Text",
        column_class=Text,
        params=_plain(),
        schema=None,
    )
    manager.add_column(
        table_class_name="Risk",
        tablename="risk",
        column_name="manifestation",
        db_column_name="manifestation",
        column_class_name="Text",
        column_class=Text,
        params=_plain(),
        schema=None,
    )
    return manager
