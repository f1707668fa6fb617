"""The roll-up's chart, pure geometry: realised per month as bars, cumulative planned (dashed)
and cumulative realised (solid) as lines, on one value axis with round ticks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracker.charts.rules import nice_ticks

if TYPE_CHECKING:
    from tracker.benefits.rules import MonthFigure

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    ticks: list[tuple[float, str]] = field(default_factory=list)  # y, label
    zero: float = 0.0
    bars: list[tuple[float, float, float, float, MonthFigure]] = field(default_factory=list)
    planned_line: str = ""
    realised_line: str = ""
    dots: list[tuple[float, float]] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, month


def _label(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def geometry(figures: list[MonthFigure]) -> Chart | None:
    if not figures:
        return None
    chart = Chart()
    values = [0.0]
    for f in figures:
        values += [f.realised, f.cumulative_planned, f.cumulative_realised]
    ticks = nice_ticks(min(values), max(values) or 1.0)
    low, high = ticks[0], ticks[-1]
    span = chart.bottom - chart.top

    def y(value: float) -> float:
        return chart.bottom - (value - low) / (high - low) * span

    chart.ticks = [(round(y(t), 1), _label(t)) for t in ticks]
    chart.zero = round(y(0.0), 1)
    step = (chart.right - chart.left) / len(figures)
    width = max(2.0, step * 0.5)
    planned, realised = [], []
    every = max(1, math.ceil(len(figures) / 6))
    for k, f in enumerate(figures):
        centre = chart.left + step * (k + 0.5)
        top, bottom = sorted((y(f.realised), chart.zero))
        left = round(centre - width / 2, 1)
        chart.bars.append((left, round(top, 1), round(width, 1), round(bottom - top, 1), f))
        planned.append(f"{centre:.1f},{y(f.cumulative_planned):.1f}")
        realised.append(f"{centre:.1f},{y(f.cumulative_realised):.1f}")
        chart.dots.append((round(centre, 1), round(y(f.cumulative_realised), 1)))
        if k % every == 0:
            chart.labels.append((round(centre, 1), f.month.strftime("%Y-%m")))
    chart.planned_line = "M" + " L".join(planned)
    chart.realised_line = "M" + " L".join(realised)
    return chart
