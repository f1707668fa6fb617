"""Calendar feeds (issue 20): a secret address per person and organisation, or one of the
whole organisation for an admin; only the SHA-256 of its token is kept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar feeds"


class Organisation(Table, tablename="organisation", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(**values):
    base = {
        "default": None,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    base.update(values)
    return base


def _fk(references, on_delete):
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        index=True,
    )


COLUMNS = [
    ("org", "ForeignKey", ForeignKey, _fk(Organisation, OnDelete.cascade)),
    ("person", "ForeignKey", ForeignKey, _fk(Person, OnDelete.cascade)),
    ("kind", "Varchar", Varchar, _params(length=10, default="person")),
    ("token_hash", "Varchar", Varchar, _params(length=64, default="", unique=True)),
    ("created_at", "Timestamptz", Timestamptz, _params(default=TimestamptzNow())),
    ("last_used_at", "Timestamptz", Timestamptz, _params(null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    manager.add_table(
        class_name="CalendarFeed", tablename="calendar_feed", schema=None, columns=None
    )
    for name, class_name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="CalendarFeed",
            tablename="calendar_feed",
            column_name=name,
            db_column_name=name,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
