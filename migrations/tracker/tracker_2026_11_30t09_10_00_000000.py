"""Two-factor keys encrypted at rest (ASVS 2.8.2): the column grows to hold a Fernet token and
every key stored in clear is sealed with the key derived from this installation's SECRET_KEY
(run the migration with the same SECRET_KEY as the app)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-30T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "two-factor keys encrypted at rest"


class Person(Table, tablename="person"):
    totp_secret = Varchar(length=200, null=True, default=None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def seal_keys():
        from tracker.accounts.twofactor import seal_stored_keys

        engine = engine_finder()
        if engine.engine_type == "postgres":  # SQLite does not enforce a VARCHAR's length
            await engine.run_ddl(
                'ALTER TABLE "person" ALTER COLUMN "totp_secret" TYPE VARCHAR(200)'
            )
        await seal_stored_keys(Person)

    manager.add_raw(seal_keys)
    return manager
