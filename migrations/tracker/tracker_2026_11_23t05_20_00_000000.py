"""The tenant wall in PostgreSQL, first step: a role ``tracker_app`` that owns nothing, and
row-level security on every table that belongs to an organisation. A session of that role
sees and writes only the rows of the organisation set for its transaction with
``set_config('app.tenant_id', …, true)``; with none set it sees nothing (fail closed).

RLS is ENABLEd, not FORCEd: the owner (which runs migrations and, for now, the app) is not
fenced yet. Switching the app to ``SET ROLE tracker_app`` with a per-request tenant is the
next step (see the README). SQLite has no row-level security: nothing happens there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T05:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "row-level security"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"

CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tracker_app') THEN
        CREATE ROLE tracker_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot create role tracker_app: create it by hand (NOLOGIN NOBYPASSRLS)';
END
$$;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(CREATE_ROLE)
        tables = await engine.run_ddl(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'org' ORDER BY table_name"
        )
        await engine.run_ddl("GRANT USAGE ON SCHEMA public TO tracker_app")
        await engine.run_ddl(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tracker_app"
        )
        await engine.run_ddl("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app")
        for row in tables:
            table = row["table_name"]
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )

    manager.add_raw(wall)
    return manager
