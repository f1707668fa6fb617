"""The tenant wall on the stored files: row-level security as on every tenant table, and the
app's role may use the new table and its sequence."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored files behind the tenant wall"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        await engine.run_ddl("CREATE INDEX stored_file_org_created ON stored_file (org, created_at)")
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tracker_app"
        )
        await engine.run_ddl("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app")
        await engine.run_ddl('ALTER TABLE "stored_file" ENABLE ROW LEVEL SECURITY')
        await engine.run_ddl(
            'CREATE POLICY tenant_isolation ON "stored_file" '
            f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
        )

    manager.add_raw(wall)
    return manager
