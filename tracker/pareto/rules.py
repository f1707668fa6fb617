"""Pure rules of a Pareto chart: rank the categories, the cumulative share, the vital few,
and the chart's geometry (bars with the cumulative line)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

VITAL_SHARE = 0.8  # the "vital few": the categories that make the first 80 %


@dataclass(frozen=True)
class Bar:
    key: str
    count: int
    share: float  # of all records
    cumulative: float  # this bar and the ones before it
    vital: bool


def rank(keys: Iterable[str]) -> list[Bar]:
    """Bars from one key per record (a record with two departments gives two keys): most
    frequent first, ties by key, each with its cumulative share; the bars up to and including
    the one that reaches 80 % are the vital few."""
    counts = Counter(keys)
    total = sum(counts.values())
    bars: list[Bar] = []
    running = 0
    reached = False
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        running += count
        bars.append(Bar(key, count, count / total, running / total, not reached))
        reached = reached or running / total >= VITAL_SHARE - 1e-9
    return bars


def split_departments(text: str) -> list[str]:
    """An initiative's departments as written ("Logistics, Sales，仓储部"): one key each."""
    parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")]
    return [p for p in parts if p] or [""]


WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 48, 16, 56


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    bars: list[tuple[float, float, float, float, Bar]]  # x, y, width, height, bar
    line: str  # the cumulative polyline
    dots: list[tuple[float, float]]
    count_ticks: list[tuple[float, int]]
    share_ticks: list[tuple[float, int]]  # y, percent
    vital_y: float
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def geometry(bars: list[Bar]) -> Geometry:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    highest = max((b.count for b in bars), default=1)
    step = max(1, math.ceil(highest / 4))
    top = step * math.ceil(highest / step)
    slot = plot_w / max(1, len(bars))
    shapes, dots = [], []
    for i, bar in enumerate(bars):
        h = bar.count / top * plot_h
        x = LEFT + slot * i + slot * 0.15
        shapes.append((x, TOP + plot_h - h, slot * 0.7, h, bar))
        dots.append((LEFT + slot * (i + 0.5), TOP + plot_h * (1 - bar.cumulative)))
    line = " ".join(f"{'L' if i else 'M'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(dots))
    return Geometry(
        WIDTH,
        HEIGHT,
        shapes,
        line,
        dots,
        [(TOP + plot_h * (1 - v / top), v) for v in range(0, top + 1, step)],
        [(TOP + plot_h * (1 - p / 100), p) for p in (0, 25, 50, 75, 100)],
        TOP + plot_h * (1 - VITAL_SHARE),
    )
