"""Comments behind the tenant wall: the thread's index, one mention per comment and person,
row-level security, and grants that keep a comment from being removed by the app (a deleted
comment keeps its row and says "deleted")."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "comments: keys and walls"

INDEXES = [
    "CREATE INDEX comment_thread ON comment (org, subject_kind, subject_id, created_at)",
    "CREATE UNIQUE INDEX comment_mention_once ON comment_mention (comment, person)",
]
GRANTS = {
    "comment": "SELECT, INSERT, UPDATE",  # never DELETE: a deleted comment stays, cleared
    "comment_mention": "SELECT, INSERT, DELETE",  # an edit or a deletion takes them back
}
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type != "postgres":
            return
        # these tables and sequences only: ALL TABLES would widen other tables' grants
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
