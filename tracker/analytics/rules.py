"""Pure rules of the analytics page: the filter read from the URL, percentiles, rates, and the
tables the page shows built from the aggregated rows. No I/O."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

OUTCOMES = ("go", "go_conditions", "recycle", "hold", "stop")
PASSING = ("go", "go_conditions")
PHASES = (1, 2, 3, 4, 5, 6)
GATES = PHASES
PROCESS_CLASSES = ("core", "support", "management")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_MONTHS = 12  # the period shown when none is chosen: the last twelve months
CONDITION_STATES = ("on_time", "late", "overdue")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(day: date, count: int) -> str:
    """The month ``count`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` ("2026-01" … "2026-03"), both included."""
    y1, m1 = (int(v) for v in first.split("-"))
    y2, m2 = (int(v) for v in last.split("-"))
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(y1 * 12 + m1 - 1, y2 * 12 + m2, 1)][
        :240
    ]


@dataclass(frozen=True)
class Filter:
    department: str = ""
    process_class: str = ""
    owner: int | None = None
    since: str = ""  # first month of the period, YYYY-MM
    until: str = ""  # last month of the period, YYYY-MM

    @classmethod
    def from_query(cls, params: Any, today: date) -> Filter:
        """The filter from the URL; a month that is not YYYY-MM falls back to the default
        period (the last twelve months), a reversed period is put in order."""
        owner = params.get("owner") or ""
        since = params.get("from") or ""
        until = params.get("to") or ""
        until = until if MONTH.match(until) else month_of(today)
        since = since if MONTH.match(since) else months_back(date.fromisoformat(until + "-01"), 11)
        if since > until:
            since, until = until, since
        process_class = params.get("process_class") or ""
        return cls(
            department=(params.get("department") or "").strip()[:100],
            process_class=process_class if process_class in PROCESS_CLASSES else "",
            owner=int(owner) if owner.isdigit() and len(owner) < 10 else None,
            since=since,
            until=until,
        )

    def query(self, **changes: Any) -> str:
        """The filter as a query string (for links that keep it), with ``changes`` added."""
        values = {
            "department": self.department,
            "process_class": self.process_class,
            "owner": self.owner or "",
            "from": self.since,
            "to": self.until,
        } | changes
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the sorted values at
    position ``fraction × (n − 1)``."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


@dataclass
class LeadTime:
    gate: int  # 0: all gates
    count: int
    low: float
    q1: float
    median: float
    q3: float
    p90: float
    high: float


QUANTILES = (0.25, 0.5, 0.75, 0.9)


def lead_time_from_sorted(rows: Iterable[dict[str, Any]]) -> list[LeadTime]:
    """Lead times per gate and for all gates from rows sorted by lead time (SQLite's way;
    PostgreSQL computes the same with ``percentile_cont`` in SQL)."""
    per_gate: dict[int, list[float]] = {}
    for row in rows:
        value = float(row["lead_days"])
        per_gate.setdefault(int(row["gate"]), []).append(value)
        per_gate.setdefault(0, []).append(value)
    result = []
    for gate, values in sorted(per_gate.items()):
        values.sort()
        q = [percentile_cont(values, f) or 0.0 for f in QUANTILES]
        result.append(LeadTime(gate, len(values), values[0], q[0], q[1], q[2], q[3], values[-1]))
    return result


def lead_time_from_row(row: dict[str, Any]) -> LeadTime:
    def number(name: str) -> float:
        return float(row[name] or 0)

    return LeadTime(
        int(row["gate"]),
        int(row["n"]),
        number("low"),
        number("q1"),
        number("median"),
        number("q3"),
        number("p90"),
        number("high"),
    )


@dataclass
class OutcomeRow:
    key: Any  # a gate number or a quarter "2026-Q3"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    firsts: int = 0  # initiatives whose first review of the gate is here
    first_passed: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, outcome: str) -> float | None:
        return rate(self.counts[outcome], self.total)

    @property
    def first_pass_rate(self) -> float | None:
        return rate(self.first_passed, self.firsts)


def outcome_tables(
    rows: Iterable[dict[str, Any]],
) -> tuple[list[OutcomeRow], list[OutcomeRow], OutcomeRow]:
    """Outcome counts per gate (every gate, even without decisions), per quarter, and in
    total, from rows of (gate, quarter, outcome, n, firsts, first_passed)."""
    gates = {g: OutcomeRow(g) for g in GATES}
    quarters: dict[str, OutcomeRow] = {}
    total = OutcomeRow("")
    for row in rows:
        outcome = row["outcome"]
        if outcome not in OUTCOMES:
            continue
        for target in (
            gates.setdefault(int(row["gate"]), OutcomeRow(int(row["gate"]))),
            quarters.setdefault(row["quarter"], OutcomeRow(row["quarter"])),
            total,
        ):
            target.counts[outcome] += int(row["n"])
            target.firsts += int(row["firsts"] or 0)
            target.first_passed += int(row["first_passed"] or 0)
    return list(gates.values()), [quarters[q] for q in sorted(quarters)], total


@dataclass
class PhaseFlow:
    phase: int
    now: int = 0  # active initiatives in this phase now
    overdue: int = 0  # of them, past the phase's planned end
    entered: dict[str, int] = field(default_factory=dict)  # month → initiatives
    exited: dict[str, int] = field(default_factory=dict)

    @property
    def entered_total(self) -> int:
        return sum(self.entered.values())

    @property
    def exited_total(self) -> int:
        return sum(self.exited.values())


def funnel(
    now_rows: Iterable[dict[str, Any]], flow_rows: Iterable[dict[str, Any]]
) -> list[PhaseFlow]:
    phases = {p: PhaseFlow(p) for p in PHASES}
    for row in now_rows:
        if int(row["phase"]) in phases:
            phases[int(row["phase"])].now = int(row["active"] or 0)
            phases[int(row["phase"])].overdue = int(row["overdue"] or 0)
    for row in flow_rows:
        flow = phases.get(int(row["phase"]))
        if flow is None:
            continue
        if int(row["entries"] or 0):
            flow.entered[row["month"]] = int(row["entries"])
        if int(row["exits"] or 0):
            flow.exited[row["month"]] = int(row["exits"])
    return list(phases.values())


@dataclass
class PhaseTime:
    phase: int
    count: int = 0
    actual: float = 0.0  # mean days
    planned: float = 0.0
    over_plan: int = 0

    @property
    def difference(self) -> float:
        return self.actual - self.planned

    @property
    def over_rate(self) -> float | None:
        return rate(self.over_plan, self.count)


def phase_times(rows: Iterable[dict[str, Any]]) -> list[PhaseTime]:
    phases = {p: PhaseTime(p) for p in PHASES}
    for row in rows:
        phases[int(row["phase"])] = PhaseTime(
            int(row["phase"]),
            int(row["n"]),
            float(row["actual"] or 0),
            float(row["planned"] or 0),
            int(row["over_plan"] or 0),
        )
    return list(phases.values())


@dataclass
class Conditions:
    counts: dict[str, int]

    @property
    def judged(self) -> int:
        return sum(self.counts.values())

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts.get("on_time", 0), self.judged)


def conditions(rows: Iterable[dict[str, Any]]) -> Conditions:
    counts = dict.fromkeys(CONDITION_STATES, 0)
    for row in rows:
        if row["state"] in counts:
            counts[row["state"]] = int(row["n"])
    return Conditions(counts)


@dataclass
class Calibration:
    reviewer: int
    name: str
    scores: int
    signed: float | None  # mean signed deviation from the panel's mean
    absolute: float | None
    votes: int
    matched: int

    @property
    def match_rate(self) -> float | None:
        return rate(self.matched, self.votes)


def calibration(rows: Iterable[dict[str, Any]]) -> list[Calibration]:
    def maybe(value: Any) -> float | None:
        return None if value is None else float(value)

    return [
        Calibration(
            int(r["reviewer"]),
            r["name"],
            int(r["scores"] or 0),
            maybe(r["signed"]),
            maybe(r["absolute"]),
            int(r["votes"] or 0),
            int(r["matched"] or 0),
        )
        for r in rows
    ]
