"""Composite unique keys, as plain unique indexes: SQLite has no ALTER TABLE ADD CONSTRAINT,
and an index enforces the same rule on both databases.

- one membership per person and organisation;
- process codes unique within an organisation;
- one phase record per number and initiative.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys"

STATEMENTS = [
    "CREATE UNIQUE INDEX membership_org_person_key ON membership (org, person)",
    "CREATE UNIQUE INDEX initiative_org_process_code_key ON initiative (org, process_code)",
    "CREATE UNIQUE INDEX phase_initiative_number_key ON phase (initiative, number)",
    "CREATE INDEX invitation_org_email ON invitation (org, email)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
