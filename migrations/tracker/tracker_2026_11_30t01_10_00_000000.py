"""Self-service accounts, second step: the app role may use the two new tables (they hold no
organisation, so no row-level security, like ``person`` and ``web_session``); a gate review
withdrawn because its reviewers left no longer counts as the initiative's open review."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "grants for account tables; withdrawn reviews are not open"

STATEMENTS = [
    "DROP INDEX gate_review_one_open",
    "CREATE UNIQUE INDEX gate_review_one_open ON gate_review (initiative) "
    "WHERE status NOT IN ('decided', 'withdrawn')",
    "CREATE INDEX password_reset_person ON password_reset (person)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def step():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        if engine.engine_type != "postgres":
            return
        for table in ("password_reset", "email_change"):
            await engine.run_ddl(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO tracker_app"
            )
            await engine.run_ddl(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO tracker_app")

    manager.add_raw(step)
    return manager
