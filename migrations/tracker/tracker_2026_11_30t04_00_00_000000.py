"""One satisfaction rating per person and pilot (issue 14, defect 4): a person's later
rating replaces their earlier one. Existing duplicates are repaired first (each person keeps
their latest rating of a pilot: the highest rated_at, then the highest id), then a unique key
makes it a rule of the database. Ratings whose person was deleted (rated_by NULL) stay."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one satisfaction rating per person and pilot"

REPAIR = """
DELETE FROM satisfaction_rating
WHERE rated_by IS NOT NULL AND id NOT IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
            PARTITION BY pilot, rated_by ORDER BY rated_at DESC, id DESC
        ) AS latest
        FROM satisfaction_rating
        WHERE rated_by IS NOT NULL
    ) ranked
    WHERE latest = 1
)
"""
KEY = (
    "CREATE UNIQUE INDEX satisfaction_rating_one_per_person "
    "ON satisfaction_rating (pilot, rated_by)"
)


async def one_rating_per_person(engine: Any = None) -> None:
    engine = engine or engine_finder()
    await engine.run_ddl(REPAIR)
    await engine.run_ddl(KEY)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    manager.add_raw(one_rating_per_person)
    return manager
