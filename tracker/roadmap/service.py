"""The roadmap's rows read in three queries whatever the number of initiatives: the
initiatives the board's filter keeps (a page of them), their phases, their gate decisions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from tracker.db import fetch
from tracker.initiatives.service import BoardFilter, filter_sql
from tracker.roadmap import rules
from tracker.tenancy import TenantScope

_SHOWN = """
SELECT i.id FROM initiative i WHERE i.org = {} %s
ORDER BY i.start_date, i.process_code, i.id LIMIT {}
"""

_INITIATIVES_SQL = """
SELECT i.id, i.process_code, i.name, i.status, ph.number AS phase,
       COUNT(*) OVER () AS total
FROM initiative i LEFT JOIN phase ph ON ph.id = i.current_phase
WHERE i.org = {} %s
ORDER BY i.start_date, i.process_code, i.id LIMIT {}
"""

_PHASES_SQL = """
SELECT p.initiative, p.number, p.planned_start, p.planned_end, p.actual_start, p.actual_end
FROM phase p WHERE p.org = {} AND p.initiative IN (%s)
"""

_DECISIONS_SQL = """
SELECT d.initiative, d.gate, d.outcome, d.decided_at
FROM gate_decision d WHERE d.org = {} AND d.initiative IN (%s)
ORDER BY d.decided_at
"""


async def rows(
    scope: TenantScope, flt: BoardFilter, win: rules.Window, today: date, limit: int
) -> tuple[list[rules.Row], int]:
    """The first ``limit`` initiatives' rows, and how many the filter keeps in all."""
    conditions, values = filter_sql(flt)
    where = " ".join(conditions)
    initiatives = await fetch(_INITIATIVES_SQL % where, scope.org_id, *values, limit)
    if not initiatives:
        return [], 0
    shown = _SHOWN % where
    phases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in await fetch(_PHASES_SQL % shown, scope.org_id, scope.org_id, *values, limit):
        phases[p["initiative"]].append(p)
    decisions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in await fetch(_DECISIONS_SQL % shown, scope.org_id, scope.org_id, *values, limit):
        decisions[d["initiative"]].append(d)
    return [
        rules.row(i, phases[i["id"]], decisions[i["id"]], win, today) for i in initiatives
    ], int(initiatives[0]["total"])
