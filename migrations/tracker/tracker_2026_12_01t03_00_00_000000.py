"""An initiative's matrix read through an index (issue 19), as the portfolio's is (2026-11-30T23:00):
each of its 25 cells shows its oldest few open or analysing problems and counts the rest. An
initiative that gathered 8,000 problems (the soak adds them to one) rendered a 7.5 M-character
grid on every visit and held it in memory. This partial index holds an initiative's problems on
the matrix in the matrix's order: a cell's first problems are the first entries of its range,
the counts an index-only count of the initiative's own range (``org`` leads, as every
tenant query and the wall's policy name it).

The predicate is written exactly as tracker/problems/queries.py writes it (``LIVE``): SQLite
uses a partial index only for a query that repeats its condition."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an initiative's open and analysing problems indexed by matrix cell and age"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS problem_live_initiative_cell "
            "ON problem (org, initiative, impact, urgency, created_at, id, status) "
            "WHERE status IN ('open', 'analysing')"
        )

    manager.add_raw(index)
    return manager
