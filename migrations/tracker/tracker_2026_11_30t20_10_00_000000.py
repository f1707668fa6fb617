"""Existing as-is steps keep the one kind they had: the 表1 export wrote their problem's
category for each of them, which becomes a one-element set of kinds. The same SQL on SQLite
and PostgreSQL; a step that already has kinds is left alone."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "as-is steps: the problem's category becomes the step's one kind"

BACKFILL = (
    "UPDATE as_is_step SET kinds = "
    "(SELECT problem.category FROM problem WHERE problem.id = as_is_step.problem) "
    "WHERE kinds = '' AND EXISTS (SELECT 1 FROM problem WHERE problem.id = as_is_step.problem "
    "AND problem.category IN ('efficiency', 'quality', 'coordination', 'risk'))"
)


async def kinds_from_problem_category(engine: Any = None) -> None:
    await (engine or engine_finder()).run_ddl(BACKFILL)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    manager.add_raw(kinds_from_problem_category)
    return manager
