"""The board's statement reads each card's badges card by card, whatever the number of open
reviews (issue 19): written as ``EXISTS``, PostgreSQL made the open-review badge one hashed
scan of every open review of the organisation once most initiatives had one (at 10,000
initiatives the statement took 4.0 ms instead of 1.2)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.integration.initiatives.test_board_parts import fresh_org
from tracker import db
from tracker.initiatives import queries as q
from tracker.initiatives import rules

MANY = 1500  # initiatives, each with an open review
SHOWN = 25  # cards per column

_NUMBERS = f"WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {MANY})"
SEED = (
    "INSERT INTO initiative (org, name, process_code, status, start_date) "
    f"{_NUMBERS} SELECT {{}}, 'Plan ' || n, 'PLN-' || n, 'on_track', '2026-01-01' FROM g",
    "INSERT INTO phase (org, initiative, number, planned_start, planned_end) "
    "SELECT org, id, 1 + id % 6, '2026-01-01', '2099-01-01' FROM initiative WHERE org = {}",
    "UPDATE initiative SET current_phase = "
    "(SELECT p.id FROM phase p WHERE p.initiative = initiative.id) WHERE org = {}",
    "INSERT INTO gate_review (org, initiative, gate, status, due_date) "
    "SELECT org, id, 1, 'open', '2099-01-01' FROM initiative WHERE org = {}",
)


def _reads(node: dict[str, Any], table: str) -> int:
    """The rows a PostgreSQL plan (EXPLAIN ANALYZE, JSON) read from ``table``, all loops."""
    own = node["Actual Rows"] * node["Actual Loops"] if node.get("Relation Name") == table else 0
    return own + sum(_reads(child, table) for child in node.get("Plans", []))


async def test_the_board_reads_only_its_cards_reviews(world):
    org = await fresh_org(f"board-plan-{world.backend}")
    for statement in SEED:
        await db.fetch(statement, org.id)
    limits = {f"limit_{n}": SHOWN for n in q.PHASE_NUMBERS}
    values = dict(org=org.id, open_states=rules.REVIEW_OPEN_STATES, today=date.today(), **limits)
    if world.backend == "postgres":
        await db.fetch("ANALYZE initiative, phase, gate_review")
        bound = q.BOARD.bind(**values)
        explained = await db.fetch("EXPLAIN (ANALYZE, FORMAT JSON) " + bound.template, *bound.args)
        plan = json.loads(next(iter(explained[0].values())))[0]["Plan"]
        assert plan["Actual Rows"] == 6 * SHOWN
        # one review probed per card shown, not the organisation's 1,500
        assert _reads(plan, "gate_review") <= 6 * SHOWN, plan
    else:
        bound = q.BOARD_LITE.bind(**values)
        steps = [
            r["detail"] for r in await db.fetch("EXPLAIN QUERY PLAN " + bound.template, *bound.args)
        ]
        reviews = [step for step in steps if " r " in f"{step} "]
        assert reviews and all(step.startswith("SEARCH") for step in reviews), steps
