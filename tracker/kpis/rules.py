"""Pure rules of KPI monitoring: when a measurement breaches its threshold, whether it meets
the target, and the geometry of the trend chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.charts.rules import nice_ticks

FREQUENCIES = ("daily", "weekly", "monthly")
DIRECTIONS = ("lower", "higher")


def breached(direction: str, threshold: float, value: float) -> bool:
    """Past the alert threshold in the bad direction: above it when lower is better
    ("fulfilment cycle > 3 days → alert"), below it when higher is better. Reaching the
    threshold exactly is not yet a breach."""
    if direction == "lower":
        return value > threshold
    if direction == "higher":
        return value < threshold
    raise ValueError(f"unknown direction {direction!r}")


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
