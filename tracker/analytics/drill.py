"""The rows behind a figure of the analytics page: the same row sets the page aggregates
(tracker.analytics.sql), narrowed to the figure's keys. One query (two for a reviewer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.analytics import sql
from tracker.analytics.rules import CONDITION_STATES, MONTH, OUTCOMES, Filter
from tracker.db import fetch

LIMIT = 1000
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
# kind → (the row set, what its rows are)
KINDS = {
    "now": "initiatives",
    "overdue": "initiatives",
    "completed": "initiatives",
    "stopped": "initiatives",
    "entered": "flow",
    "left": "flow",
    "decisions": "reviews",
    "first": "reviews",
    "phase_time": "phases",
    "conditions": "conditions",
    "reviewer": "reviewer",
}


class BadDrill(ValueError):
    """A drill-down key that is not one the page makes (answered with 404)."""


@dataclass
class Keys:
    kind: str
    phase: int | None = None
    gate: int | None = None
    month: str = ""
    quarter: str = ""
    outcome: str = ""
    state: str = ""
    passed: str = ""  # "1" first pass, "0" not
    reviewer: int | None = None

    @classmethod
    def from_query(cls, params: Any) -> Keys:
        kind = params.get("kind") or "now"  # without a figure: the active initiatives
        if kind not in KINDS:
            raise BadDrill(kind)

        def number(name: str, low: int, high: int) -> int | None:
            value = params.get(name) or ""
            if not value:
                return None
            if not value.isdigit() or not low <= int(value) <= high:
                raise BadDrill(name)
            return int(value)

        def pick(name: str, allowed: Any) -> str:
            value = params.get(name) or ""
            if value and not (value in allowed if isinstance(allowed, tuple) else allowed(value)):
                raise BadDrill(name)
            return str(value)

        return cls(
            kind=kind,
            phase=number("phase", 1, 6),
            gate=number("gate", 1, 6),
            month=pick("month", MONTH.match),
            quarter=pick("quarter", QUARTER.match),
            outcome=pick("outcome", OUTCOMES),
            state=pick("state", CONDITION_STATES),
            passed=pick("passed", ("0", "1")),
            reviewer=number("reviewer", 1, 2**31 - 1),
        )


@dataclass
class Drill:
    keys: Keys
    rows: list[dict[str, Any]]
    criteria: list[dict[str, Any]] = field(default_factory=list)  # a reviewer's, per criterion

    @property
    def shape(self) -> str:
        return KINDS[self.keys.kind]


def _narrow(keys: Keys, names: dict[str, str]) -> tuple[str, list[Any]]:
    """Conditions ``AND column = value`` for the keys given, on the row set's columns."""
    parts, values = [], []
    for key, column in names.items():
        value = getattr(keys, key)
        if value not in (None, ""):
            parts.append(f"AND {column} = {{}}")
            values.append(int(value) if key == "passed" else value)
    return " ".join(parts), values


def _base(keys: Keys, org: int, flt: Filter, today: date) -> tuple[str, list[Any], str, str]:
    """The row set, a fixed condition of this kind, and the order of its rows."""
    kind = keys.kind
    if KINDS[kind] == "initiatives":
        base, values = sql.initiatives_now(org, flt, today)
        fixed = {
            "now": "active = 1",
            "overdue": "overdue = 1",
            "completed": "status = 'completed'",
            "stopped": "status = 'stopped'",
        }[kind]
        return base, values, fixed, "phase, process_code"
    if kind in ("entered", "left"):
        base, values = sql.flows(org, flt)
        fixed = "entries = 1" if kind == "entered" else "exits = 1"
        return base, values, fixed, "day, process_code"
    if kind in ("decisions", "first"):
        base, values = sql.decisions(org, flt)
        fixed = "first_review = 1" if kind == "first" else "1 = 1"
        return base, values, fixed, "lead_days DESC, decided_at"
    if kind == "phase_time":
        base, values = sql.finished_phases(org, flt)
        return base, values, "1 = 1", "actual_days - planned_days DESC, process_code"
    base, values = sql.judged_conditions(org, flt, today)
    return base, values, "1 = 1", "due_date, process_code"


COLUMNS = {
    "phase": "phase",
    "gate": "gate",
    "month": "month",
    "quarter": "quarter",
    "outcome": "outcome",
    "state": "state",
}


async def drill(keys: Keys, org: int, flt: Filter, today: date) -> Drill:
    if keys.kind == "reviewer":
        return await _reviewer(keys, org, flt)
    base, values, fixed, order = _base(keys, org, flt, today)
    names = {k: v for k, v in COLUMNS.items() if _has(keys.kind, k)}
    if keys.kind == "first":
        names["passed"] = "CASE WHEN outcome IN ('go', 'go_conditions') THEN 1 ELSE 0 END"
    narrow, narrow_values = _narrow(keys, names)
    rows = await fetch(
        f"SELECT * FROM ({base}) AS b WHERE {fixed} {narrow} ORDER BY {order} LIMIT {{}}",
        *values,
        *narrow_values,
        LIMIT,
    )
    return Drill(keys, rows)


def _has(kind: str, key: str) -> bool:
    shape = KINDS[kind]
    return key in {
        "initiatives": ("phase",),
        "flow": ("phase", "month"),
        "reviews": ("gate", "quarter", "outcome"),
        "phases": ("phase",),
        "conditions": ("state",),
    }.get(shape, ())


async def _reviewer(keys: Keys, org: int, flt: Filter) -> Drill:
    """A reviewer's deviation from the panel per criterion, and their votes."""
    if keys.reviewer is None:
        raise BadDrill("reviewer")
    scored, score_values = sql.scores(org, flt)
    criteria = await fetch(
        "SELECT gate, criterion, COUNT(*) AS scores, AVG(deviation) AS signed, "
        f"AVG(ABS(deviation)) AS absolute FROM ({scored}) AS s WHERE reviewer = {{}} "
        "GROUP BY gate, criterion ORDER BY gate, criterion",
        *score_values,
        keys.reviewer,
    )
    voted, vote_values = sql.votes(org, flt)
    rows = await fetch(
        f"SELECT * FROM ({voted}) AS v WHERE reviewer = {{}} ORDER BY month DESC, review DESC "
        "LIMIT {}",
        *vote_values,
        keys.reviewer,
        LIMIT,
    )
    return Drill(keys, rows, criteria)
