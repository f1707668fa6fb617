"""Calendar feeds behind the tenant wall: one feed of each kind per person and organisation
(a key), row-level security as on every tenant table, and a door that lets the feed's own row
be found by the hash of its token before the organisation is known (as the API tokens)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar feeds: one per person, kind and organisation; behind the tenant wall"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX calendar_feed_one ON calendar_feed (org, person, kind)"
        )
        if engine.engine_type != "postgres":
            return
        # this table and its sequence only (see tests/integration/test_table_grants.py)
        await engine.run_ddl(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON "calendar_feed" TO tracker_app'
        )
        await engine.run_ddl(
            'GRANT USAGE, SELECT ON SEQUENCE "calendar_feed_id_seq" TO tracker_app'
        )
        await engine.run_ddl('ALTER TABLE "calendar_feed" ENABLE ROW LEVEL SECURITY')
        await engine.run_ddl(
            'CREATE POLICY tenant_isolation ON "calendar_feed" '
            f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
        )
        await engine.run_ddl(
            "CREATE POLICY calendar_feed_by_hash ON calendar_feed FOR SELECT "
            "USING (token_hash = NULLIF(current_setting('app.calendar_token', true), ''))"
        )

    manager.add_raw(wall)
    return manager
