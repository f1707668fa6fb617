"""The analytics report: a fixed number of aggregating queries whatever the portfolio size
(seven, and one more for the admins' reviewer calibration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.analytics import rules, sql
from tracker.analytics.rules import Filter
from tracker.db import fetch
from tracker.initiatives.rules import split_departments


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


async def _now(org: int, flt: Filter, today: date) -> list[dict[str, Any]]:
    base, values = sql.initiatives_now(org, flt, today)
    return await fetch(
        "SELECT phase, SUM(active) AS active, SUM(overdue) AS overdue, "
        "SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed, "
        "SUM(CASE WHEN status = 'stopped' THEN 1 ELSE 0 END) AS stopped "
        f"FROM ({base}) AS now GROUP BY phase",
        *values,
    )


async def _flows(org: int, flt: Filter) -> list[dict[str, Any]]:
    base, values = sql.flows(org, flt)
    return await fetch(
        "SELECT phase, month, SUM(entries) AS entries, SUM(exits) AS exits "
        f"FROM ({base}) AS f GROUP BY phase, month ORDER BY month, phase",
        *values,
    )


async def _outcomes(org: int, flt: Filter) -> list[dict[str, Any]]:
    base, values = sql.decisions(org, flt)
    return await fetch(
        "SELECT gate, quarter, outcome, COUNT(*) AS n, SUM(first_review) AS firsts, "
        "SUM(CASE WHEN first_review = 1 AND outcome IN ('go', 'go_conditions') "
        "THEN 1 ELSE 0 END) AS first_passed "
        f"FROM ({base}) AS d GROUP BY gate, quarter, outcome",
        *values,
    )


LEAD_COLUMNS = (
    "COUNT(*) AS n, MIN(lead_days) AS low, MAX(lead_days) AS high, "
    "percentile_cont(0.25) WITHIN GROUP (ORDER BY lead_days) AS q1, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_days) AS median, "
    "percentile_cont(0.75) WITHIN GROUP (ORDER BY lead_days) AS q3, "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY lead_days) AS p90"
)


async def _lead_times(org: int, flt: Filter) -> list[rules.LeadTime]:
    """Per gate and for all gates (gate 0): percentile_cont in PostgreSQL; SQLite has none,
    so one sorted query and the same interpolation in Python."""
    base, values = sql.decisions(org, flt)
    if sql.sqlite():
        rows = await fetch(f"SELECT gate, lead_days FROM ({base}) AS d ORDER BY lead_days", *values)
        return _gates_first(rules.lead_time_from_sorted(rows))
    rows = await fetch(
        f"SELECT gate, {LEAD_COLUMNS} FROM ({base}) AS d GROUP BY gate "
        f"UNION ALL SELECT 0, {LEAD_COLUMNS} FROM ({base}) AS d HAVING COUNT(*) > 0 "
        "ORDER BY 1",
        *values,
        *values,
    )
    return _gates_first([rules.lead_time_from_row(row) for row in rows])


def _gates_first(times: list[rules.LeadTime]) -> list[rules.LeadTime]:
    """Gate by gate, then all gates together."""
    return sorted(times, key=lambda t: (t.gate == 0, t.gate))


async def _phase_times(org: int, flt: Filter) -> list[dict[str, Any]]:
    base, values = sql.finished_phases(org, flt)
    return await fetch(
        "SELECT phase, COUNT(*) AS n, AVG(actual_days) AS actual, AVG(planned_days) AS planned, "
        "SUM(CASE WHEN actual_days > planned_days THEN 1 ELSE 0 END) AS over_plan "
        f"FROM ({base}) AS p GROUP BY phase",
        *values,
    )


async def _conditions(org: int, flt: Filter, today: date) -> list[dict[str, Any]]:
    base, values = sql.judged_conditions(org, flt, today)
    return await fetch(f"SELECT state, COUNT(*) AS n FROM ({base}) AS c GROUP BY state", *values)


async def _calibration(org: int, flt: Filter) -> list[dict[str, Any]]:
    scored, score_values = sql.scores(org, flt)
    voted, vote_values = sql.votes(org, flt)
    return await fetch(
        "SELECT p.id AS reviewer, p.name, s.scores, s.signed, s.absolute, v.votes, v.matched "
        "FROM person p "
        "LEFT JOIN (SELECT reviewer, COUNT(*) AS scores, AVG(deviation) AS signed, "
        f"AVG(ABS(deviation)) AS absolute FROM ({scored}) AS s1 GROUP BY reviewer) AS s "
        "ON s.reviewer = p.id "
        "LEFT JOIN (SELECT reviewer, COUNT(*) AS votes, SUM(matched) AS matched "
        f"FROM ({voted}) AS v1 GROUP BY reviewer) AS v ON v.reviewer = p.id "
        "WHERE s.reviewer IS NOT NULL OR v.reviewer IS NOT NULL ORDER BY p.name, p.id",
        *score_values,
        *vote_values,
    )


async def report(org: int, flt: Filter, today: date, with_calibration: bool) -> Report:
    now = await _now(org, flt, today)
    outcomes = rules.outcome_tables(await _outcomes(org, flt))
    return Report(
        filter=flt,
        funnel=rules.funnel(now, await _flows(org, flt)),
        completed=sum(int(r["completed"] or 0) for r in now),
        stopped=sum(int(r["stopped"] or 0) for r in now),
        months=rules.months_between(flt.since, flt.until),
        by_gate=outcomes[0],
        by_quarter=outcomes[1],
        outcomes_total=outcomes[2],
        lead_times=await _lead_times(org, flt),
        phase_times=rules.phase_times(await _phase_times(org, flt)),
        conditions=rules.conditions(await _conditions(org, flt, today)),
        calibration=rules.calibration(await _calibration(org, flt)) if with_calibration else None,
    )


async def filter_choices(org: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The owners of the organisation's initiatives and its departments (one query)."""
    rows = await fetch(
        "SELECT DISTINCT i.departments, p.id, p.name FROM initiative i "
        "LEFT JOIN person p ON p.id = i.owner WHERE i.org = {}",
        org,
    )
    owners = {r["id"]: r["name"] for r in rows if r["id"] is not None}
    departments = {d for r in rows for d in split_departments(r["departments"] or "") if d}
    ordered = sorted(owners.items(), key=lambda o: (o[1], o[0]))
    return [{"id": k, "name": v} for k, v in ordered], sorted(departments)
