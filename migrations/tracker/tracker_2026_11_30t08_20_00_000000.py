"""Attribute control charts: a KPI says which chart it is read on (individuals, a proportion
on a p-chart, a count of events on a c-chart), and a measurement of a proportion keeps its
denominator (how many were counted)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import DoublePrecision, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T08:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "control charts: p- and c-charts"

COMMON = {
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
    manager.add_column(
        table_class_name="Kpi",
        tablename="kpi",
        column_name="chart_kind",
        db_column_name="chart_kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 12, "default": "individuals", "null": False, **COMMON},
        schema=None,
    )
    manager.add_column(
        table_class_name="KpiMeasurement",
        tablename="kpi_measurement",
        column_name="denominator",
        db_column_name="denominator",
        column_class_name="DoublePrecision",
        column_class=DoublePrecision,
        params={"default": None, "null": True, **COMMON},
        schema=None,
    )
    return manager
