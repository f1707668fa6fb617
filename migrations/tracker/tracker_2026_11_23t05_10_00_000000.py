"""Keys of the digests: one digest per person, organisation and period (the job may run
twice, on two workers, or again after a crash), one preference per person and organisation;
and the index the outbox sweep uses."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "digest keys"

STATEMENTS = [
    "CREATE UNIQUE INDEX digest_once_per_period ON digest (org, person, period_key)",
    "CREATE UNIQUE INDEX digest_preference_once ON digest_preference (org, person)",
    "CREATE INDEX email_message_due ON email_message (status, next_attempt_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
