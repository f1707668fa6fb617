"""Statistical process control, pure: natural process limits of an individuals and
moving-range chart (XmR / I-MR), p- and c-chart limits, the Western Electric / Nelson
special-cause rules, and capability (Ppk) against a specification.

Everything here takes plain numbers and returns plain values; nothing reads the database."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# Wheeler's scaling constants for moving ranges of two points: 2.66 = 3 / d2 (d2 = 1.128),
# 3.268 = D4 for the moving-range chart.
E2 = 2.66
D4 = 3.268
D2 = 1.128

# The rules, by key; the order is the order they are shown and checked in.
RULES = ("beyond", "run8", "trend6", "two_of_three", "four_of_five")
MIN_LIMIT_POINTS = 2  # a moving range needs two points
DEFAULT_LIMIT_POINTS = 20  # the first 20 points of a stage make its limits
MIN_CAPABILITY_POINTS = 20  # Ppk is not shown on fewer points
# The points before a new one that decide whether it, or a point after it, signals: the
# longest rule (8 in a row) reads 7 points back, and one more tells a new episode from one
# that goes on. Judged on these and the points after, a new point's signals are those of the
# whole series (tests/unit/test_spc.py), so a KPI's history is never read to judge one.
LOOKBACK = 8


@dataclass(frozen=True)
class Limits:
    """The limits of one stage: centre line, the average moving range and the number of
    points they were computed from."""

    centre: float
    mr_bar: float
    points: int

    @property
    def sigma(self) -> float:
        """Sigma estimated from the average moving range (mR̄ / d2)."""
        return self.mr_bar / D2

    @property
    def upper(self) -> float:
        return self.centre + E2 * self.mr_bar

    @property
    def lower(self) -> float:
        return self.centre - E2 * self.mr_bar

    @property
    def mr_upper(self) -> float:
        return D4 * self.mr_bar

    def zone(self, k: int) -> tuple[float, float]:
        """The band centre ± k sigma (k = 1, 2; k = 3 is the natural process limits)."""
        return self.centre - k * self.sigma, self.centre + k * self.sigma


def moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def xmr_limits(values: Sequence[float]) -> Limits | None:
    """Natural process limits from the values (in time order): mean ± 2.66 × average
    moving range. None with fewer than two values."""
    if len(values) < MIN_LIMIT_POINTS:
        return None
    ranges = moving_ranges(values)
    return Limits(math.fsum(values) / len(values), math.fsum(ranges) / len(ranges), len(values))


def p_limits(counts: Sequence[float], totals: Sequence[float]) -> list[tuple[float, float, float]]:
    """A p-chart: per point (centre p̄, lower, upper), p̄ = Σ counts / Σ totals and the limits
    p̄ ± 3 √(p̄ (1 − p̄) / n) for that point's denominator n, clipped to [0, 1]."""
    total = math.fsum(totals)
    if total <= 0:
        return []
    p_bar = math.fsum(counts) / total
    out = []
    for n in totals:
        spread = 3 * math.sqrt(p_bar * (1 - p_bar) / n) if n > 0 else 0.0
        out.append((p_bar, max(0.0, p_bar - spread), min(1.0, p_bar + spread)))
    return out


def c_limits(counts: Sequence[float]) -> tuple[float, float, float] | None:
    """A c-chart for counts of events: (c̄, lower, upper) = c̄ ∓ 3 √c̄, the lower one at least 0."""
    if not counts:
        return None
    c_bar = math.fsum(counts) / len(counts)
    spread = 3 * math.sqrt(c_bar)
    return c_bar, max(0.0, c_bar - spread), c_bar + spread


UNIT_LIMITS = Limits(centre=0.0, mr_bar=D2, points=0)  # sigma 1, limits ± 3.0


def standardised(
    values: Sequence[float], limits: Sequence[tuple[float, float, float]]
) -> list[float]:
    """Each point as sigmas from its centre line, from (centre, lower, upper) 3-sigma limits
    per point (a p-chart's limits vary with the denominator): judged against UNIT_LIMITS, the
    same rules apply to p- and c-charts as to individuals."""
    out = []
    for value, (centre, _lower, upper) in zip(values, limits, strict=True):
        sigma = (upper - centre) / 3
        out.append((value - centre) / sigma if sigma > 0 else 0.0)
    return out


def p_signals(
    counts: Sequence[float], totals: Sequence[float], rules: Iterable[str] = RULES
) -> list[Signal]:
    """Special causes of a proportion (counts of `totals`) on its p-chart."""
    limits = p_limits(counts, totals)
    shares = [c / n if n else 0.0 for c, n in zip(counts, totals, strict=True)]
    return signals(standardised(shares, limits), UNIT_LIMITS, rules) if limits else []


def c_signals(counts: Sequence[float], rules: Iterable[str] = RULES) -> list[Signal]:
    """Special causes of counts of events on their c-chart."""
    limits = c_limits(counts)
    if limits is None:
        return []
    return signals(standardised(counts, [limits] * len(counts)), UNIT_LIMITS, rules)


def attribute_limits(
    kind: str,
    values: Sequence[float],
    denominators: Sequence[float | None],
    base: int,
    scale: float = 1.0,
) -> list[tuple[float, float, float]] | None:
    """Per point (centre, lower, upper) of a p-chart ("proportion": values are shares × scale,
    e.g. 100 for per cent, each with its denominator) or a c-chart ("count"), the centre from
    the first `base` points only, so later points never move it. None when the chart cannot
    be drawn (a missing or non-positive denominator, or no point)."""
    if not values:
        return None
    if kind == "count":
        found = c_limits(values[:base])
        return None if found is None else [found] * len(values)
    if any(n is None or n <= 0 for n in denominators):
        return None
    totals = [float(n or 0) for n in denominators]
    counts = [v / scale * n for v, n in zip(values, totals, strict=True)]
    p_bar = math.fsum(counts[:base]) / math.fsum(totals[:base])
    out = []
    for n in totals:
        spread = 3 * math.sqrt(p_bar * (1 - p_bar) / n)
        out.append(
            (p_bar * scale, max(0.0, p_bar - spread) * scale, min(1.0, p_bar + spread) * scale)
        )
    return out


# --- the special-cause rules: each returns the indices of the points where it fires ---


def _side(value: float, centre: float) -> int:
    return 1 if value > centre else -1 if value < centre else 0


def beyond_limit(values: Sequence[float], limits: Limits) -> list[int]:
    """Rule 1: a point above the upper or below the lower natural process limit."""
    return [i for i, v in enumerate(values) if v > limits.upper or v < limits.lower]


def run_of_eight(values: Sequence[float], limits: Limits, length: int = 8) -> list[int]:
    """Rule 2: the point that completes `length` in a row on one side of the centre line
    (a point on the line breaks the run)."""
    hits, run, side = [], 0, 0
    for i, v in enumerate(values):
        s = _side(v, limits.centre)
        run = run + 1 if s != 0 and s == side else (1 if s != 0 else 0)
        side = s
        if run >= length:
            hits.append(i)
    return hits


def trend_of_six(
    values: Sequence[float], _limits: Limits | None = None, length: int = 6
) -> list[int]:
    """Rule 3: the point that completes `length` points in a row each higher (or each lower)
    than the one before; an equal neighbour breaks the trend."""
    hits, run, direction = [], 1, 0
    for i in range(1, len(values)):
        d = _side(values[i], values[i - 1])
        run = run + 1 if d != 0 and d == direction else (2 if d != 0 else 1)
        direction = d
        if run >= length:
            hits.append(i)
    return hits


def _k_of_n(values: Sequence[float], limits: Limits, k: int, n: int, sigmas: int) -> list[int]:
    """The points that are, with at least k − 1 others of the last n, beyond `sigmas` sigma on
    the same side (the point itself is one of them)."""
    low, high = limits.zone(sigmas)
    hits = []
    for i, value in enumerate(values):
        window = values[max(0, i - n + 1) : i + 1]
        if value > high and sum(1 for v in window if v > high) >= k:
            hits.append(i)
        elif value < low and sum(1 for v in window if v < low) >= k:
            hits.append(i)
    return hits


def two_of_three(values: Sequence[float], limits: Limits) -> list[int]:
    """Rule 5 (Western Electric 2): 2 of 3 consecutive points beyond 2 sigma, same side."""
    return _k_of_n(values, limits, 2, 3, 2)


def four_of_five(values: Sequence[float], limits: Limits) -> list[int]:
    """Rule 6 (Western Electric 3): 4 of 5 consecutive points beyond 1 sigma, same side."""
    return _k_of_n(values, limits, 4, 5, 1)


CHECKS: dict[str, Callable[[Sequence[float], Limits], list[int]]] = {
    "beyond": beyond_limit,
    "run8": run_of_eight,
    "trend6": trend_of_six,
    "two_of_three": two_of_three,
    "four_of_five": four_of_five,
}


@dataclass(frozen=True)
class Signal:
    index: int
    rule: str


def signals(values: Sequence[float], limits: Limits, rules: Iterable[str] = RULES) -> list[Signal]:
    """Every special cause in the series under the chosen rules, one per rule and episode: a
    run that goes on (a ninth point on the same side) is the same signal, not a new one,
    while each point beyond a limit is a signal of its own. Sorted by point, then rule."""
    if limits.mr_bar <= 0:
        return []  # no variation to judge against
    found: list[Signal] = []
    for rule in RULES:
        if rule not in set(rules):
            continue
        hits = CHECKS[rule](values, limits)
        previous = -2
        for i in hits:
            if rule == "beyond" or i != previous + 1:
                found.append(Signal(i, rule))
            previous = i
    return sorted(found, key=lambda s: (s.index, RULES.index(s.rule)))


def parse_rules(text: str) -> tuple[str, ...]:
    """An organisation's rule setting as stored ("beyond,run8"); unknown keys are dropped."""
    chosen = {part.strip() for part in text.split(",")}
    return tuple(r for r in RULES if r in chosen)


# --- capability ---


def ppk(values: Sequence[float], target: float, direction: str) -> float | None:
    """One-sided process performance against the target as a specification: (mean − LSL) / 3s
    when higher is better, (USL − mean) / 3s when lower is better, s the overall sample
    standard deviation. None with too few points or no variation."""
    if len(values) < MIN_CAPABILITY_POINTS:
        return None
    mean = math.fsum(values) / len(values)
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))
    if s == 0:
        return None
    return (target - mean) / (3 * s) if direction == "lower" else (mean - target) / (3 * s)


def share_meeting_target(ppk_value: float) -> float:
    """The share of output expected to meet a one-sided specification, from Ppk under a normal
    model: Φ(3 · Ppk)."""
    return 0.5 * (1 + math.erf(3 * ppk_value / math.sqrt(2)))


# --- stages ---


@dataclass(frozen=True)
class Stage:
    """A stage of a chart from its first date on, with its kept limits (None: not enough
    points yet)."""

    starts_on: object  # a date (kept generic: the rules compare, never compute, dates)
    label: str
    limits: Limits | None


@dataclass(frozen=True)
class Segment:
    stage: Stage
    first: int  # index of its first point in the series
    last: int  # index of its last point (inclusive)
    signals: list[Signal]  # indices into the whole series


def stage_of(day: object, stages: Sequence[Stage]) -> int | None:
    """The index of the stage a day falls in (stages sorted by start), None before the first."""
    found = None
    for i, stage in enumerate(stages):
        if stage.starts_on <= day:  # type: ignore[operator]
            found = i
    return found


def segments(
    days: Sequence[object], values: Sequence[float], stages: Sequence[Stage], rules: Iterable[str]
) -> list[Segment]:
    """Split a series (oldest first) by stage and judge each part against its own limits."""
    rules = tuple(rules)
    out: list[Segment] = []
    start = 0
    while start < len(days):
        at = stage_of(days[start], stages)
        end = start
        while end + 1 < len(days) and stage_of(days[end + 1], stages) == at:
            end += 1
        stage = stages[at] if at is not None else Stage(days[start], "before", None)
        part = values[start : end + 1]
        found = []
        if stage.limits is not None:
            found = [Signal(s.index + start, s.rule) for s in signals(part, stage.limits, rules)]
        out.append(Segment(stage, start, end, found))
        start = end + 1
    return out
