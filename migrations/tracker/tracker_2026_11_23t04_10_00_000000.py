"""The initiative's current phase: a second migration because initiative and phase refer
to each other (Piccolo cannot create a cycle of foreign keys in one migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Phase(Table, tablename="phase", schema=None):
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


ID = "2026-11-23T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initiative's current phase"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Initiative",
        tablename="initiative",
        column_name="current_phase",
        db_column_name="current_phase",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Phase,
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
        },
        schema=None,
    )

    return manager
