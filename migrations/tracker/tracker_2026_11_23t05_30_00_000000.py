"""The tenant wall's two doors that do not know the organisation yet: a person may read
their own memberships (to find their organisations), and an invitation may be read by the
holder of its token (to accept it)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "row-level security: own memberships, invitation by token"

STATEMENTS = [
    "CREATE POLICY member_self ON membership FOR SELECT "
    "USING (person = NULLIF(current_setting('app.person_id', true), '')::int)",
    "CREATE POLICY invitation_by_token ON invitation FOR SELECT "
    "USING (token_hash = NULLIF(current_setting('app.invitation', true), ''))",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def doors():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(doors)
    return manager
