"""Gate reviews found by their state within an organisation (issue 19): "My reviews" reads the
reviews waiting for the chair, and at 10,000 initiatives that was a scan of every review of
the organisation (4.7 ms of a request's SQL, growing with the portfolio)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gate reviews indexed by organisation and state"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS gate_review_org_status ON gate_review (org, status)"
        )

    manager.add_raw(index)
    return manager
