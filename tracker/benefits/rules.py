"""Pure rules of benefits: months, the plan's freeze and re-baselines, deriving a month's
benefit from a KPI, and the portfolio roll-up (planned vs realised, by month, department and
initiative, cumulative, with the gap)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from babel.numbers import list_currencies

DEFAULT_CURRENCY = "CNY"
ROLLOUT_GATE = 5  # passing it (Go, Go with conditions) freezes the plan
PASSING = ("go", "go_conditions")
MAX_MONTHS = 36  # the longest period a roll-up covers
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
CURRENCIES = frozenset(list_currencies())


class ValueKind(StrEnum):
    SAVINGS = "savings"
    REVENUE = "revenue"


class Method(StrEnum):
    ENTERED = "entered"
    IMPORTED = "imported"
    DERIVED = "derived"


# The plan's fields that freeze when the rollout gate passes (the derivation settings do not:
# they say how realised benefits are measured, not what was promised).
PLAN_FIELDS = (
    "metric_change",
    "value_kind",
    "annual_value",
    "one_off_cost",
    "currency",
    "start_month",
)


# --- months -------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` (both included), as first days."""
    first, last = month_of(first), month_of(last)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, k) for k in range(max(0, count))]


def parse_month(text: str) -> date | None:
    """``2026-03`` (or a date in that month, ``2026-03-15``) as 2026-03-01; None otherwise."""
    match = MONTH_RE.match(text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    try:
        day = date(year, month, int(match[3]) if match[3] else 1)
    except ValueError:
        return None
    return month_of(day) if 2000 <= year <= 2100 else None


def valid_currency(code: str) -> bool:
    return code in CURRENCIES and len(code) == 3


# --- the plan, its freeze and re-baselines -----------------------------------------------


def frozen(decisions: Iterable[tuple[int, str]]) -> bool:
    """A plan is frozen once the rollout gate has passed: any decision (gate, outcome) of
    the initiative that is a Go or a Go with conditions at gate 5."""
    return any(gate == ROLLOUT_GATE and outcome in PASSING for gate, outcome in decisions)


def plan_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The plan's frozen fields that differ: field → (before, after)."""
    return {
        name: (old.get(name), new.get(name))
        for name in PLAN_FIELDS
        if _comparable(old.get(name)) != _comparable(new.get(name))
    }


def _comparable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def metric_change_problem(change: float | None, direction: str) -> str | None:
    """The expected change of the goal's metric goes the way the goal does."""
    if change is None or change == 0:
        return None
    if direction == "lower" and change > 0:
        return "Lower is better for this goal: the expected change is a decrease (negative)."
    if direction == "higher" and change < 0:
        return "Higher is better for this goal: the expected change is an increase (positive)."
    return None


def planned_in_month(annual_value: float, start_month: date, month: date) -> float:
    """A twelfth of the annual value for each month from the start month on."""
    return annual_value / 12 if month >= start_month else 0.0


# --- deriving from a KPI --------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    month: date
    mean: float
    points: int
    improvement: float  # in the KPI's unit, positive when better than the baseline
    amount: float


def derive(
    measurements: Iterable[tuple[date, float]],
    baseline: float,
    direction: str,
    units_per_month: float,
    value_per_unit: float,
    first: date,
    last: date,
) -> list[Derived]:
    """Per month from ``first`` to ``last`` that has measurements: the improvement of the
    month's mean on the baseline (in the good direction) × units per month × value per
    unit; a month worse than the baseline is a negative benefit."""
    per_month: dict[date, list[float]] = defaultdict(list)
    for day, value in measurements:
        month = month_of(day)
        if month_of(first) <= month <= month_of(last):
            per_month[month].append(value)
    derived = []
    for month in sorted(per_month):
        values = per_month[month]
        mean = sum(values) / len(values)
        improvement = baseline - mean if direction == "lower" else mean - baseline
        amount = improvement * units_per_month * value_per_unit
        derived.append(Derived(month, mean, len(values), improvement, round(amount, 2)))
    return derived


def derivation_note(d: Derived, baseline: float, direction: str, units: float, value: float) -> str:
    """How a derived month was computed, in numbers only (read in any language):
    ``(30 − 22) × 100 × 0.5 = 400``."""
    first, second = (baseline, d.mean) if direction == "lower" else (d.mean, baseline)
    return f"({first:g} − {second:g}) × {units:g} × {value:g} = {d.amount:g}"


# --- the roll-up ----------------------------------------------------------------------------


@dataclass
class MonthFigure:
    month: date
    planned: float = 0.0
    realised: float = 0.0
    cumulative_planned: float = 0.0
    cumulative_realised: float = 0.0

    @property
    def gap(self) -> float:
        return self.realised - self.planned

    @property
    def cumulative_gap(self) -> float:
        return self.cumulative_realised - self.cumulative_planned


@dataclass
class Group:
    key: str
    planned: float = 0.0
    realised: float = 0.0
    one_off_cost: float = 0.0
    id: int | None = None  # an initiative's id
    name: str = ""

    @property
    def gap(self) -> float:
        return self.realised - self.planned

    @property
    def share(self) -> float | None:
        """Realised as a share of planned (None when nothing was planned)."""
        return self.realised / self.planned if self.planned else None


@dataclass
class CurrencyRollup:
    currency: str
    months: list[MonthFigure]
    departments: list[Group] = field(default_factory=list)
    initiatives: list[Group] = field(default_factory=list)
    total: Group = field(default_factory=lambda: Group("total"))

    @property
    def chart(self) -> Any:
        """The chart's geometry (``tracker.benefits.chart``), made when a page shows it."""
        from tracker.benefits.chart import geometry

        return geometry(self.months)

    @property
    def behind(self) -> list[Group]:
        """Initiatives whose realised falls short of their plan, the widest gap first."""
        return sorted((g for g in self.initiatives if g.gap < 0), key=lambda g: g.gap)


@dataclass
class Rollup:
    first: date
    last: date
    currencies: list[CurrencyRollup]

    @property
    def empty(self) -> bool:
        return not self.currencies


def split_departments(text: str) -> list[str]:
    seen: list[str] = []
    for part in re.split(r"[,，;；、]", text or ""):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def rollup(
    plans: list[dict[str, Any]],
    realised: list[dict[str, Any]],
    first: date,
    last: date,
) -> Rollup:
    """The roll-up of ``plans`` (one row per initiative: id, process_code, name, departments,
    currency, annual_value, one_off_cost, start_month) and ``realised`` (initiative, month,
    amount) over the months from ``first`` to ``last``, one per currency (amounts in
    different currencies are never added). An initiative of several departments counts in
    each of them (so departments may add up to more than the total)."""
    period = months(first, last)
    by_id = {p["id"]: p for p in plans}
    per_currency: dict[str, dict[str, Any]] = {}
    for plan in sorted(plans, key=lambda p: p["process_code"]):
        entry = per_currency.setdefault(
            plan["currency"],
            {"months": {m: MonthFigure(m) for m in period}, "initiatives": {}, "departments": {}},
        )
        group = Group(plan["process_code"], id=plan["id"], name=plan["name"])
        group.one_off_cost = float(plan["one_off_cost"] or 0)
        start = month_of(plan["start_month"])
        for month in period:
            planned = planned_in_month(float(plan["annual_value"] or 0), start, month)
            group.planned += planned
            entry["months"][month].planned += planned
        entry["initiatives"][plan["id"]] = group
    for row in realised:
        owner = by_id.get(row["initiative"])
        month = month_of(row["month"])
        if owner is None or month not in period or not row["amount"]:
            continue
        entry = per_currency[owner["currency"]]
        entry["months"][month].realised += float(row["amount"])
        entry["initiatives"][owner["id"]].realised += float(row["amount"])
    result = []
    for currency in sorted(per_currency, key=lambda c: (c != DEFAULT_CURRENCY, c)):
        entry = per_currency[currency]
        figures = list(entry["months"].values())
        running_planned = running_realised = 0.0
        for figure in figures:
            running_planned += figure.planned
            running_realised += figure.realised
            figure.cumulative_planned = running_planned
            figure.cumulative_realised = running_realised
        initiatives = list(entry["initiatives"].values())
        departments: dict[str, Group] = {}
        total = Group("total")
        for group in initiatives:
            for name in split_departments(by_id[group.id]["departments"]) or [""]:
                dept = departments.setdefault(name, Group(name))
                dept.planned += group.planned
                dept.realised += group.realised
                dept.one_off_cost += group.one_off_cost
            total.planned += group.planned
            total.realised += group.realised
            total.one_off_cost += group.one_off_cost
        result.append(
            CurrencyRollup(
                currency,
                figures,
                sorted(departments.values(), key=lambda g: (-g.planned, g.gap, g.key)),
                initiatives,
                total,
            )
        )
    return Rollup(month_of(first), month_of(last), result)


def default_period(today: date) -> tuple[date, date]:
    """The twelve months up to and including this one."""
    last = month_of(today)
    return add_months(last, -11), last


def period_of(start: str, end: str, today: date) -> tuple[date, date]:
    """The period asked for (``YYYY-MM`` each), never past this month nor longer than
    MAX_MONTHS; the default one where a bound is missing or unreadable."""
    last = min(parse_month(end) or default_period(today)[1], month_of(today))
    first = parse_month(start) or add_months(last, -11)
    if first > last:
        first = last
    if len(months(first, last)) > MAX_MONTHS:
        first = add_months(last, -(MAX_MONTHS - 1))
    return first, last
