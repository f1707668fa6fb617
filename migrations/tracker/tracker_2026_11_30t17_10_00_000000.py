"""Benefits behind the tenant wall: one plan per initiative and one realised figure per
initiative and month are keys; row-level security as on every tenant table; the app's role
may use the new tables and their sequences (a re-baseline is history: read and added, never
changed or removed)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "benefits: keys and the tenant wall"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
GRANTS = {
    "benefit_plan": "SELECT, INSERT, UPDATE, DELETE",
    "benefit_realised": "SELECT, INSERT, UPDATE, DELETE",
    "benefit_rebaseline": "SELECT, INSERT",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX benefit_plan_initiative_key ON benefit_plan (initiative)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX benefit_realised_month_key ON benefit_realised (initiative, month)"
        )
        await engine.run_ddl(
            "CREATE INDEX benefit_realised_org_month ON benefit_realised (org, month)"
        )
        if engine.engine_type != "postgres":
            return
        # these tables and their sequences only: ALL TABLES would widen the narrower grants of
        # other tables (see tests/integration/test_table_grants.py)
        for table, grants in GRANTS.items():
            await engine.run_ddl(f'GRANT {grants} ON "{table}" TO tracker_app')
            await engine.run_ddl(f'GRANT USAGE, SELECT ON SEQUENCE "{table}_id_seq" TO tracker_app')
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )

    manager.add_raw(wall)
    return manager
