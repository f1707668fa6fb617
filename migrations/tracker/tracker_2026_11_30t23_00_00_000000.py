"""The portfolio matrix read through an index (issue 19): each of its 25 cells shows its
oldest few open or analysing problems and counts the rest, and at 10,000 initiatives (about
40,000 problems) reading every problem of the organisation to do so took 3 s. This partial
index holds only the problems on the matrix, in the matrix's order: a cell's first problems
are the first entries of its range, its count an index-only count (``status`` rides along at
the end only for that: SQLite reads the table for a column of the predicate it lacks).

The predicate is written exactly as tracker/problems/queries.py writes it (``LIVE``): SQLite
uses a partial index only for a query that repeats its condition."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the open and analysing problems indexed by matrix cell and age"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS problem_live_cell "
            "ON problem (org, impact, urgency, created_at, id, status) "
            "WHERE status IN ('open', 'analysing')"
        )

    manager.add_raw(index)
    return manager
