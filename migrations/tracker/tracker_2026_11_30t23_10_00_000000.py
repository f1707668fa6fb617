""""My reviews" a page at a time (issue 19): each of its lists (a vote, a decision as chair,
an approval) reads the reviews of one state in due-date order and stops at its page, through
this index; it replaces ``gate_review_org_status`` (2026-11-30T22:00), of which it is an
extension, so a review's write keeps one index of the kind to update. The approvals waiting
for a person are found from their pending approval steps (``approval_step_pending``), not by
reading every step the organisation's approval chains ever made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gate reviews by state and due date; pending approval steps by approver"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS gate_review_waiting "
            "ON gate_review (org, status, due_date, id)"
        )
        await engine.run_ddl("DROP INDEX IF EXISTS gate_review_org_status")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS approval_step_pending "
            "ON approval_step (org, approver, review) WHERE status = 'pending'"
        )

    manager.add_raw(index)
    return manager
