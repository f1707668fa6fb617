"""The roadmap's rows read in three queries whatever the number of initiatives: the
initiatives the board's filter keeps (a page of them), their phases, their gate decisions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from tracker.initiatives.board import BoardFilter, filter_values
from tracker.roadmap import queries as q
from tracker.roadmap import rules
from tracker.tenancy import TenantScope


async def rows(
    scope: TenantScope, flt: BoardFilter, win: rules.Window, today: date, limit: int
) -> tuple[list[rules.Row], int]:
    """The first ``limit`` initiatives' rows, and how many the filter keeps in all."""
    values = filter_values(flt)
    initiatives = await scope.fetch(q.INITIATIVES, **values, limit=limit)
    if not initiatives:
        return [], 0
    phases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in await scope.fetch(q.PHASES, **values, limit=limit):
        phases[p["initiative"]].append(p)
    decisions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in await scope.fetch(q.DECISIONS, **values, limit=limit):
        decisions[d["initiative"]].append(d)
    return [
        rules.row(i, phases[i["id"]], decisions[i["id"]], win, today) for i in initiatives
    ], int(initiatives[0]["total"])
