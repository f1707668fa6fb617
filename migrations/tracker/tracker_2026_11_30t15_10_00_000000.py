"""The audit trail: triggers on every audited table record each insert, update and delete with
the changed fields, old → new, and who made it (tracker.audit.triggers); the indexes its pages
read by; in PostgreSQL the tenant policy and grants that let the app's role insert and read
entries, never change or remove them (SQLite: triggers refuse both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the audit trail: triggers, indexes, policy and grants"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS audit_entry_subject "
    "ON audit_entry (org, subject_table, subject_id, id)",
    "CREATE INDEX IF NOT EXISTS audit_entry_org ON audit_entry (org, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def audit_trail():
        from tracker.audit.triggers import install

        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        await install(engine)

    manager.add_raw(audit_trail)
    return manager
