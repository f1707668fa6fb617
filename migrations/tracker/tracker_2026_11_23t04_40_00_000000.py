"""Keys that make the gate records safe under concurrency, as plain and partial unique
indexes (both SQLite and PostgreSQL support them):

- at most one open (undecided) review per initiative: a double-clicked request makes one;
- one vote per reviewer and review, one score per reviewer and criterion: no double votes;
- one decision per review: two chairs deciding at once, or the last two votes arriving
  together, still make exactly one decision;
- one assignment per reviewer and review; one approval step per level and review.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gate keys"

STATEMENTS = [
    "CREATE UNIQUE INDEX gate_review_one_open ON gate_review (initiative) "
    "WHERE status <> 'decided'",
    "CREATE UNIQUE INDEX gate_vote_once ON gate_vote (review, reviewer)",
    "CREATE UNIQUE INDEX gate_score_once ON gate_score (criterion, reviewer)",
    "CREATE UNIQUE INDEX gate_decision_once ON gate_decision (review)",
    "CREATE UNIQUE INDEX review_assignment_once ON review_assignment (review, reviewer)",
    "CREATE UNIQUE INDEX approval_step_level ON approval_step (review, level)",
    "CREATE UNIQUE INDEX gate_criterion_position ON gate_criterion (org, gate, position)",
    "CREATE INDEX initiative_event_timeline ON initiative_event (initiative, at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
