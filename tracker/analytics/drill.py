"""The rows behind a figure of the analytics page: the same row sets the page aggregates
(tracker.analytics.sql), narrowed to the figure's keys. One query (two for a reviewer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.accounts.rules import Role
from tracker.analytics import queries as q
from tracker.analytics import sql
from tracker.analytics.rules import CONDITION_STATES, MONTH, OUTCOMES, Filter
from tracker.errors import Forbidden
from tracker.i18n import gettext as _
from tracker.tenancy import TenantScope

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


# the row set → its statements (PostgreSQL, SQLite)
STATEMENTS = {
    "initiatives": (q.DRILL_INITIATIVES_PG, q.DRILL_INITIATIVES_LITE),
    "flow": (q.DRILL_FLOW_PG, q.DRILL_FLOW_LITE),
    "reviews": (q.DRILL_REVIEWS_PG, q.DRILL_REVIEWS_LITE),
    "phases": (q.DRILL_PHASES_PG, q.DRILL_PHASES_LITE),
    "conditions": (q.DRILL_CONDITIONS_PG, q.DRILL_CONDITIONS_LITE),
}
# kind → the fixed condition of its figure (a value of the statement's optional parts)
FIXED: dict[str, dict[str, Any]] = {
    "now": {"active": 1},
    "overdue": {"overdue": 1},
    "completed": {"status": "completed"},
    "stopped": {"status": "stopped"},
    "entered": {"entries": 1},
    "left": {"exits": 1},
    "decisions": {},
    "first": {"first": 1},
    "phase_time": {},
    "conditions": {},
}
KEYS = ("phase", "gate", "month", "quarter", "outcome", "state")


def _narrow(keys: Keys) -> dict[str, Any]:
    """The figure's keys its row set has (None: not given)."""
    values: dict[str, Any] = {k: getattr(keys, k) or None for k in KEYS if _has(keys.kind, k)}
    if keys.kind == "first":
        values["passed"] = int(keys.passed) if keys.passed else None
    return values


async def drill(keys: Keys, org: int, flt: Filter, today: date, role: str) -> Drill:
    """The rows behind a figure; a reviewer's calibration only for admins (``Forbidden``)."""
    if keys.kind == "reviewer" and role != Role.ADMIN:
        raise Forbidden(_("Reviewer calibration is shown to admins only."))
    if keys.kind == "reviewer":
        return await _reviewer(keys, org, flt)
    shape = KINDS[keys.kind]
    values = {**sql.filter_values(flt), **FIXED[keys.kind], **_narrow(keys)}
    if shape in ("initiatives", "conditions"):
        values["today"] = today
    if shape != "initiatives":
        values.update(sql.period(flt))
    rows = await TenantScope(org).fetch(q.pick(*STATEMENTS[shape]), **values, limit=LIMIT)
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
    scope = TenantScope(org)
    values = {**sql.filter_values(flt), **sql.period(flt), "reviewer": keys.reviewer}
    statement = q.pick(q.REVIEWER_CRITERIA_PG, q.REVIEWER_CRITERIA_LITE)
    criteria = await scope.fetch(statement, **values)
    statement = q.pick(q.REVIEWER_VOTES_PG, q.REVIEWER_VOTES_LITE)
    rows = await scope.fetch(statement, **values, limit=LIMIT)
    return Drill(keys, rows, criteria)
