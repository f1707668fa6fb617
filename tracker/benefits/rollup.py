"""The portfolio roll-up of benefits, for the benefits page, the analytics page and the
digests: two queries whatever the number of initiatives (the plans, and the realised sums per
initiative and month summed in SQL), then ``rules.rollup``.

For another page: ``await rollup.portfolio(scope, flt, first, last)`` with a board filter
(``tracker.initiatives.board.BoardFilter``) and a period of months, then include
``benefits/_rollup.html`` with ``rollup`` (and ``ctx``) in the context.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.benefits import queries as q
from tracker.benefits import rules
from tracker.benefits.service import as_date
from tracker.initiatives.board import BoardFilter, filter_values
from tracker.tenancy import TenantScope


async def portfolio(
    scope: TenantScope, flt: BoardFilter | None, first: date, last: date
) -> rules.Rollup:
    """Planned vs realised over the months ``first`` to ``last`` of the initiatives the
    filter keeps (all without one), per currency."""
    values = filter_values(flt or BoardFilter())
    plans: list[dict[str, Any]] = [
        {**row, "start_month": as_date(row["start_month"])}
        for row in await scope.fetch(q.ROLLUP_PLANS, **values)
    ]
    realised = [
        {**row, "month": as_date(row["month"])}
        for row in await scope.fetch(
            q.ROLLUP_REALISED, first=rules.month_of(first), last=rules.month_of(last), **values
        )
    ]
    return rules.rollup(plans, realised, first, last)


def summary(result: rules.Rollup) -> list[dict[str, Any]]:
    """One line per currency for the digests: planned, realised and the gap over the
    period."""
    return [
        {
            "currency": c.currency,
            "first": result.first,
            "last": result.last,
            "planned": c.total.planned,
            "realised": c.total.realised,
            "gap": c.total.gap,
            "behind": [(g.key, g.name, g.gap) for g in c.behind[:3]],
        }
        for c in result.currencies
    ]
