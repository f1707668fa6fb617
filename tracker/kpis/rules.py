"""Pure rules of KPI monitoring: when a measurement breaches its threshold, whether it meets
the target, and the geometry of the trend chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.charts.rules import nice_ticks

FREQUENCIES = ("daily", "weekly", "monthly")
DIRECTIONS = ("lower", "higher")
CHART_KINDS = ("individuals", "proportion", "count")


def breached(direction: str, threshold: float, value: float) -> bool:
    """Past the alert threshold in the bad direction: above it when lower is better
    ("fulfilment cycle > 3 days → alert"), below it when higher is better. Reaching the
    threshold exactly is not yet a breach."""
    if direction == "lower":
        return value > threshold
    if direction == "higher":
        return value < threshold
    raise ValueError(f"unknown direction {direction!r}")


def denominator_problem(
    chart_kind: str, scale: float, value: float, denominator: float | None
) -> str | None:
    """What is wrong with a measurement's denominator ("out of how many"), one rule for the
    KPI page's form, the file import and the API; None when nothing. "missing": a proportion
    needs one. "not_whole": one given must be a whole number above 0 (things counted).
    "over": a proportion's value is a share × scale (per cent when scale is 100), so the count
    it stands for (value / scale × denominator) must lie between 0 and the denominator."""
    if denominator is None:
        return "missing" if chart_kind == "proportion" else None
    if not math.isfinite(denominator) or denominator < 1 or not denominator.is_integer():
        return "not_whole"
    if chart_kind == "proportion" and not 0 <= value <= scale:
        return "over"
    return None


def target_met(direction: str, target: float, value: float) -> bool:
    return value <= target if direction == "lower" else value >= target


def threshold_problem(direction: str, target: float, threshold: float) -> str | None:
    """The alert threshold lies at or beyond the target, on the bad side."""
    if direction == "lower" and threshold < target:
        return "When lower is better, the alert threshold cannot be below the target."
    if direction == "higher" and threshold > target:
        return "When higher is better, the alert threshold cannot be above the target."
    return None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[tuple[float, float, date, float, bool]]  # x, y, day, value, breached
    target_y: float
    threshold_y: float
    y_ticks: list[tuple[float, float]]  # y, value
    x_labels: list[tuple[float, str, str]]  # x, text, text-anchor (start, middle, end)

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
            for i, (x, y, *_rest) in enumerate(self.points)
        )


LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32
LABEL_WIDTH = 80  # an ISO date at the axis' font size, with room to spare
X_LABELS = 6


def trend_chart(
    measurements: Sequence[tuple[date, float]],
    target: float,
    threshold: float,
    direction: str,
    width: int = 960,
    height: int = 300,
) -> Chart:
    """Coordinates of a line chart of the measurements (oldest first) with horizontal target
    and threshold lines; the value axis runs between round ticks that hold every value and
    both lines, and the date labels (the first, the last and a few between) stay inside."""
    values = [v for _d, v in measurements] + [target, threshold]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    count = len(measurements)
    points = []
    for i, (day, value) in enumerate(measurements):
        x = LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)
        points.append((x, y_of(value), day, value, breached(direction, threshold, value)))
    shown = sorted({round(k * (count - 1) / (X_LABELS - 1)) for k in range(X_LABELS)})
    labels: list[tuple[float, str, str]] = []
    for i in shown if points else []:
        x = points[i][0]
        anchor = "middle"
        if x - LABEL_WIDTH / 2 < 0:
            anchor = "start"
        elif x + LABEL_WIDTH / 2 > width:
            anchor = "end"
        labels.append((x, points[i][2].isoformat(), anchor))
    y_ticks = [(y_of(value), value) for value in ticks]
    return Chart(width, height, points, y_of(target), y_of(threshold), y_ticks, labels)


PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}
GRACE = 1.5  # a measurement is overdue once one and a half periods have passed


def measurement_overdue(frequency: str, last: date | None, start: date, today: date) -> bool:
    """A KPI measured at its frequency: overdue when the last measurement (or, before the
    first one, the day the KPI was defined) is more than 1.5 periods ago."""
    since = last or start
    return (today - since).days > PERIOD_DAYS.get(frequency, 7) * GRACE


SUSTAINMENT_OUTCOMES = ("held", "drifting", "lost")


def sustainment_outcome(
    direction: str,
    target: float,
    recent_mean: float,
    after_value: float | None,
    baseline_value: float | None,
    toward_baseline_signal: bool,
    baseline_noise: float = 0.0,
) -> str:
    """A sustainment check of a KPI after the rollout gate, from the mean of its latest
    points: "lost" when it misses the target and has given back at least half of the pilot's
    gain (baseline → after-value; with no baseline known, when it is worse than the
    after-value; with no pilot stage, when it is worse than the baseline by more than
    `baseline_noise`, what the baseline's own variation explains of a mean of that many
    points: a KPI never piloted keeps what it had); "drifting" when not lost but a special
    cause points toward the baseline; "held" otherwise. With neither, missing the target is
    "lost"."""

    def worse(a: float, b: float) -> bool:
        return a > b if direction == "lower" else a < b

    missed = not target_met(direction, target, recent_mean)
    if missed and after_value is not None:
        if baseline_value is not None and worse(baseline_value, after_value):
            halfway = after_value + (baseline_value - after_value) / 2
            if not worse(halfway, recent_mean):
                return "lost"
        elif worse(recent_mean, after_value):
            return "lost"
    elif missed and (
        baseline_value is None
        or worse(
            recent_mean,
            baseline_value + (baseline_noise if direction == "lower" else -baseline_noise),
        )
    ):
        return "lost"
    return "drifting" if toward_baseline_signal else "held"


def parse_days(text: str) -> tuple[int, ...]:
    """The check days setting ("30,90,180"): whole days from 1 to 3650, sorted, once each;
    None-like input gives ()."""
    days = set()
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 3650:
            raise ValueError(part)
        days.add(int(part))
    return tuple(sorted(days))
