"""The analytics report: a fixed number of aggregating queries whatever the portfolio size
(seven, and one more for the admins' reviewer calibration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.analytics import queries as q
from tracker.analytics import rules, sql
from tracker.analytics.rules import Filter
from tracker.initiatives.rules import split_departments
from tracker.tenancy import TenantScope


@dataclass
class Report:
    filter: Filter
    funnel: list[rules.PhaseFlow]
    completed: int
    stopped: int
    months: list[str]
    by_gate: list[rules.OutcomeRow]
    by_quarter: list[rules.OutcomeRow]
    outcomes_total: rules.OutcomeRow
    lead_times: list[rules.LeadTime]
    phase_times: list[rules.PhaseTime]
    conditions: rules.Conditions
    calibration: list[rules.Calibration] | None  # None: not shown to this role

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.funnel)

    def lead_time(self, gate: int) -> rules.LeadTime | None:
        return next((t for t in self.lead_times if t.gate == gate), None)


def _values(flt: Filter) -> dict[str, Any]:
    """The filter's values and the period's."""
    return {**sql.filter_values(flt), **sql.period(flt)}


async def _now(scope: TenantScope, flt: Filter, today: date) -> list[dict[str, Any]]:
    return await scope.fetch(q.pick(q.NOW_PG, q.NOW_LITE), **sql.filter_values(flt), today=today)


async def _flows(scope: TenantScope, flt: Filter) -> list[dict[str, Any]]:
    return await scope.fetch(q.pick(q.FLOWS_PG, q.FLOWS_LITE), **_values(flt))


async def _outcomes(scope: TenantScope, flt: Filter) -> list[dict[str, Any]]:
    return await scope.fetch(q.pick(q.OUTCOMES_PG, q.OUTCOMES_LITE), **_values(flt))


async def _lead_times(scope: TenantScope, flt: Filter) -> list[rules.LeadTime]:
    """Per gate and for all gates (gate 0): percentile_cont in PostgreSQL; SQLite has none,
    so one sorted query and the same interpolation in Python."""
    if sql.sqlite():
        rows = await scope.fetch(q.LEAD_TIMES_LITE, **_values(flt))
        return _gates_first(rules.lead_time_from_sorted(rows))
    rows = await scope.fetch(q.LEAD_TIMES_PG, **_values(flt))
    return _gates_first([rules.lead_time_from_row(row) for row in rows])


def _gates_first(times: list[rules.LeadTime]) -> list[rules.LeadTime]:
    """Gate by gate, then all gates together."""
    return sorted(times, key=lambda t: (t.gate == 0, t.gate))


async def _phase_times(scope: TenantScope, flt: Filter) -> list[dict[str, Any]]:
    return await scope.fetch(q.pick(q.PHASE_TIMES_PG, q.PHASE_TIMES_LITE), **_values(flt))


async def _conditions(scope: TenantScope, flt: Filter, today: date) -> list[dict[str, Any]]:
    statement = q.pick(q.CONDITIONS_PG, q.CONDITIONS_LITE)
    return await scope.fetch(statement, **_values(flt), today=today)


async def _calibration(scope: TenantScope, flt: Filter) -> list[dict[str, Any]]:
    return await scope.fetch(q.pick(q.CALIBRATION_PG, q.CALIBRATION_LITE), **_values(flt))


async def report(org: int, flt: Filter, today: date, with_calibration: bool) -> Report:
    scope = TenantScope(org)
    now = await _now(scope, flt, today)
    outcomes = rules.outcome_tables(await _outcomes(scope, flt))
    return Report(
        filter=flt,
        funnel=rules.funnel(now, await _flows(scope, flt)),
        completed=sum(int(r["completed"] or 0) for r in now),
        stopped=sum(int(r["stopped"] or 0) for r in now),
        months=rules.months_between(flt.since, flt.until),
        by_gate=outcomes[0],
        by_quarter=outcomes[1],
        outcomes_total=outcomes[2],
        lead_times=await _lead_times(scope, flt),
        phase_times=rules.phase_times(await _phase_times(scope, flt)),
        conditions=rules.conditions(await _conditions(scope, flt, today)),
        calibration=rules.calibration(await _calibration(scope, flt)) if with_calibration else None,
    )


async def filter_choices(org: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The owners of the organisation's initiatives and its departments (one query)."""
    rows = await TenantScope(org).fetch(q.FILTER_CHOICES)
    owners = {r["id"]: r["name"] for r in rows if r["id"] is not None}
    departments = {d for r in rows for d in split_departments(r["departments"] or "") if d}
    ordered = sorted(owners.items(), key=lambda o: (o[1], o[0]))
    return [{"id": k, "name": v} for k, v in ordered], sorted(departments)
