"""The geometry of a KPI's control chart (individuals above, moving ranges below), pure: from
the measurements, the stages judged by tracker.kpis.spc, the target, the threshold and the
initiative's phases to coordinates a template draws. Round axis ticks (1, 2, 5 × 10ⁿ)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.kpis import spc

WIDTH = 640
LEFT, RIGHT, TOP = 50, 10, 12
X_HEIGHT = 240  # the individuals panel
GAP = 40  # room for the date labels between the panels
MR_HEIGHT = 90  # the moving-range panel
HEIGHT = TOP + X_HEIGHT + GAP + MR_HEIGHT + 24


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (1, 2, 2.5 or 5 × a power of ten) covering [low, high], about `count`."""
    if high <= low:
        high, low = low + 1, low - 1
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    value: float
    signals: tuple[str, ...]  # rules that fire here
    mr_y: float | None  # the moving range from the point before (same stage), if any
    mr: float | None


@dataclass(frozen=True)
class StageBox:
    label: str
    starts_on: date
    x1: float
    x2: float
    limits: spc.Limits | None
    centre_y: float | None
    upper_y: float | None
    lower_y: float | None
    mr_centre_y: float | None
    mr_upper_y: float | None


@dataclass(frozen=True)
class Band:
    phase: int
    x1: float
    x2: float


@dataclass
class ControlChart:
    width: int
    height: int
    points: list[Point]
    stages: list[StageBox]
    bands: list[Band]
    target_y: float
    threshold_y: float
    y_ticks: list[tuple[float, float]]
    mr_ticks: list[tuple[float, float]]
    x_labels: list[tuple[float, str]]
    signal_count: int = 0
    top: int = TOP
    x_bottom: float = TOP + X_HEIGHT
    mr_top: float = TOP + X_HEIGHT + GAP
    mr_bottom: float = TOP + X_HEIGHT + GAP + MR_HEIGHT
    left: int = LEFT
    right: float = WIDTH - RIGHT
    paths: list[str] = field(default_factory=list)  # the line, broken at each stage
    mr_paths: list[str] = field(default_factory=list)
    show_mr: bool = True  # individuals; a p- or c-chart has no moving-range panel
    limit_paths: list[tuple[str, str]] = field(default_factory=list)  # class, stepped path


def build(
    days: Sequence[date],
    values: Sequence[float],
    segments: Sequence[spc.Segment],
    target: float,
    threshold: float,
    phase_starts: Sequence[tuple[int, date]],
    point_limits: Sequence[tuple[float, float, float]] | None = None,
) -> ControlChart:
    """Coordinates of the chart: every value, limit, target and threshold inside the value
    axis; phases (number, first day) shaded from their start to the next one's."""
    count = len(values)
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / count if count else plot_w

    def x_of(i: float) -> float:
        return LEFT + step * (i + 0.5)

    shown = [*values, target, threshold]
    for _centre, lower, upper in point_limits or ():
        shown += [lower, upper]
    ranges: list[float | None] = [None] * count
    mr_limits: list[float] = []
    for seg in segments:
        if seg.stage.limits:
            shown += [seg.stage.limits.upper, seg.stage.limits.lower]
            mr_limits += [seg.stage.limits.mr_upper, seg.stage.limits.mr_bar]
        for i in range(seg.first + 1, seg.last + 1):
            ranges[i] = abs(values[i] - values[i - 1])
    ticks = nice_ticks(min(shown), max(shown))
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return TOP + (high - value) / (high - low) * X_HEIGHT

    mr_ticks = nice_ticks(0, max([r for r in ranges if r is not None] + mr_limits + [1e-9]), 3)
    mr_high = mr_ticks[-1] or 1.0
    mr_top = TOP + X_HEIGHT + GAP

    def mr_y_of(value: float) -> float:
        return mr_top + (mr_high - value) / mr_high * MR_HEIGHT

    fired: dict[int, list[str]] = {}
    for seg in segments:
        for signal in seg.signals:
            fired.setdefault(signal.index, []).append(signal.rule)
    points = [
        Point(
            x_of(i),
            y_of(values[i]),
            days[i],
            values[i],
            tuple(fired.get(i, ())),
            None if ranges[i] is None else mr_y_of(ranges[i] or 0.0),
            ranges[i],
        )
        for i in range(count)
    ]
    boxes, paths, mr_paths = [], [], []
    for seg in segments:
        lim = seg.stage.limits
        boxes.append(
            StageBox(
                seg.stage.label,
                days[seg.first],
                x_of(seg.first - 0.5),
                x_of(seg.last + 0.5),
                lim,
                y_of(lim.centre) if lim else None,
                y_of(lim.upper) if lim else None,
                y_of(lim.lower) if lim else None,
                mr_y_of(lim.mr_bar) if lim else None,
                mr_y_of(lim.mr_upper) if lim else None,
            )
        )
        part = points[seg.first : seg.last + 1]
        paths.append(
            " ".join(f"{'L' if k else 'M'}{p.x:.1f},{p.y:.1f}" for k, p in enumerate(part))
        )
        if len(part) > 1:
            mr_paths.append(
                " ".join(
                    f"{'L' if k else 'M'}{p.x:.1f},{p.mr_y:.1f}" for k, p in enumerate(part[1:])
                )
            )
    chart = ControlChart(
        WIDTH,
        HEIGHT,
        points,
        boxes,
        _bands(days, phase_starts, x_of),
        y_of(target),
        y_of(threshold),
        [(y_of(t), t) for t in ticks],
        [(mr_y_of(t), t) for t in mr_ticks],
        _labels(points),
        sum(len(s.signals) for s in segments),
    )
    chart.paths, chart.mr_paths = paths, mr_paths
    if point_limits is not None:  # a p- or c-chart: limits step with each point
        chart.show_mr = False
        chart.height = int(chart.x_bottom + 30)
        for seg in segments:
            for k in (0, 1, 2):
                chart.limit_paths.append(
                    (
                        "centre" if k == 0 else "limit",
                        " ".join(
                            f"M{x_of(i - 0.5):.1f},{y_of(point_limits[i][k]):.1f}"
                            f"H{x_of(i + 0.5):.1f}"
                            for i in range(seg.first, seg.last + 1)
                        ),
                    )
                )
    return chart


def _bands(days: Sequence[date], phase_starts: Sequence[tuple[int, date]], x_of) -> list[Band]:  # type: ignore[no-untyped-def]
    """Each phase from the first point on or after its start to the next phase's first point."""
    starts: list[tuple[int, int]] = []
    for number, day in sorted(phase_starts, key=lambda p: p[1]):
        first = next((i for i, d in enumerate(days) if d >= day), None)
        if first is None:
            continue
        if starts and starts[-1][1] == first:
            starts[-1] = (number, first)
        else:
            starts.append((number, first))
    if days and (not starts or starts[0][1] > 0):
        starts.insert(0, (0, 0))  # before the first phase with a date: not shaded
    return [
        Band(
            number,
            x_of(first - 0.5),
            x_of((starts[k + 1][1] if k + 1 < len(starts) else len(days)) - 0.5),
        )
        for k, (number, first) in enumerate(starts)
    ]


def _labels(points: Sequence[Point]) -> list[tuple[float, str]]:
    """At most five dates under the axis, the first and the last among them."""
    if not points:
        return []
    picks = sorted({round(k * (len(points) - 1) / 4) for k in range(5)})
    return [(points[i].x, points[i].day.isoformat()) for i in picks]
