"""Pure rules of pilots: change %, whether a target is met, satisfaction statistics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def change_percent(before: float | None, after: float | None) -> float | None:
    """(after − before) / before, in %: 30 → 8 is −73.3 %. None without a usable baseline."""
    if before is None or after is None or before == 0:
        return None
    return (after - before) / abs(before) * 100


def target_met(direction: str, after: float | None, target: float | None) -> bool | None:
    """Lower is better: met when the result is at or below the target; higher: at or above."""
    if after is None or target is None:
        return None
    return after <= target if direction == "lower" else after >= target


@dataclass(frozen=True)
class Satisfaction:
    count: int
    mean: float | None
    distribution: dict[int, int]  # score 1–5 → how many


def satisfaction(scores: Iterable[int]) -> Satisfaction:
    values = [s for s in scores if 1 <= s <= 5]
    distribution = {n: values.count(n) for n in range(1, 6)}
    mean = round(sum(values) / len(values), 2) if values else None
    return Satisfaction(len(values), mean, distribution)


@dataclass(frozen=True)
class Bar:
    label: str
    before: float | None
    after: float | None
    before_width: float  # % of the chart width
    after_width: float
    target_x: float | None


def before_after_bars(
    name: str, before: float | None, after: float | None, target: float | None
) -> Bar:
    """Geometry of one metric's before/after chart: widths relative to the largest value."""
    values = [abs(v) for v in (before, after, target) if v is not None]
    top = max(values) if values and max(values) > 0 else 1.0

    def width(v: float | None) -> float:
        return round(abs(v) / top * 100, 2) if v is not None else 0.0

    return Bar(
        name,
        before,
        after,
        width(before),
        width(after),
        width(target) if target is not None else None,
    )
