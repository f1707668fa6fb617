"""Keys and walls of the control charts: one alert per KPI, kind, rule and date (so a special
cause raises its alert exactly once, whoever records the point and however often the rules
run), one stage per KPI and date, one sustainment check per KPI and day count, row-level security on the new tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "control charts: keys and walls"

INDEXES = [
    "CREATE UNIQUE INDEX kpi_alert_once ON kpi_alert (kpi, kind, rule, measured_on)",
    "CREATE UNIQUE INDEX kpi_stage_day ON kpi_stage (kpi, starts_on)",
    "CREATE UNIQUE INDEX sustainment_check_once ON sustainment_check (kpi, days)",
]
NEW_TABLES = ["kpi_stage", "control_chart_setting", "sustainment_check"]
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def keys():
        engine = engine_finder()
        # threshold alerts recorded twice for one day before the key (none are expected)
        await engine.run_ddl(
            "DELETE FROM kpi_alert WHERE id NOT IN "
            "(SELECT MIN(id) FROM kpi_alert GROUP BY kpi, kind, rule, measured_on)"
        )
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type != "postgres":
            return
        for table in NEW_TABLES:
            await engine.run_ddl(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO tracker_app'
            )
            await engine.run_ddl(f'GRANT USAGE, SELECT ON SEQUENCE "{table}_id_seq" TO tracker_app')
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )

    manager.add_raw(keys)
    return manager
