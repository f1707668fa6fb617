"""Geometry of the analytics page's server-rendered SVG charts (pure): the funnel, the gate
outcomes as stacked bars and the lead-time box plot, on round ticks (tracker.charts)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.analytics.rules import OUTCOMES, LeadTime, OutcomeRow, PhaseFlow
from tracker.charts.rules import nice_ticks

WIDTH = 640


def _scale(high: float) -> list[float]:
    return nice_ticks(0.0, max(high, 1.0), 5)


@dataclass(frozen=True)
class FunnelBar:
    phase: int
    count: int
    x: float
    y: float
    width: float
    label_y: float


@dataclass(frozen=True)
class Funnel:
    width: int
    height: int
    bars: list[FunnelBar]
    label_x: int = 118


FUNNEL_LEFT, FUNNEL_RIGHT, FUNNEL_ROW = 128, 584, 40


def funnel(flows: list[PhaseFlow]) -> Funnel:
    """One centred bar per phase, its width in proportion to the initiatives in it now."""
    highest = max((f.now for f in flows), default=0) or 1
    span = FUNNEL_RIGHT - FUNNEL_LEFT
    centre = FUNNEL_LEFT + span / 2
    bars = []
    for i, flow in enumerate(flows):
        width = max(2.0, flow.now / highest * span) if flow.now else 0.0
        y = 8 + i * FUNNEL_ROW
        bars.append(FunnelBar(flow.phase, flow.now, centre - width / 2, y, width, y + 20))
    return Funnel(WIDTH, 16 + len(flows) * FUNNEL_ROW, bars)


@dataclass(frozen=True)
class Segment:
    outcome: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    gate: int
    total: int
    segments: list[Segment]
    centre: float
    top: float


@dataclass(frozen=True)
class Stacked:
    width: int
    height: int
    columns: list[Column]
    ticks: list[tuple[float, float]]
    left: int
    right: int
    bottom: int


def outcomes(rows: list[OutcomeRow]) -> Stacked:
    """A column per gate, stacked Go → Stop from the bottom."""
    left, right, top, bottom, height = 44, WIDTH - 12, 16, 260, 300
    ticks = _scale(max((r.total for r in rows), default=0))
    highest = ticks[-1]
    slot = (right - left) / max(1, len(rows))
    columns = []
    for i, row in enumerate(rows):
        x = left + slot * i + slot * 0.2
        y = float(bottom)
        segments = []
        for outcome in OUTCOMES:
            count = row.counts[outcome]
            if not count:
                continue
            h = count / highest * (bottom - top)
            y -= h
            segments.append(Segment(outcome, count, x, y, slot * 0.6, h))
        columns.append(Column(int(row.key), row.total, segments, x + slot * 0.3, y))
    scale = [(bottom - t / highest * (bottom - top), t) for t in ticks]
    return Stacked(WIDTH, height, columns, scale, left, right, bottom)


@dataclass(frozen=True)
class Box:
    gate: int
    time: LeadTime
    y: float  # centre line of the row
    low: float
    q1: float
    median: float
    q3: float
    p90: float
    high: float


@dataclass(frozen=True)
class BoxPlot:
    width: int
    height: int
    boxes: list[Box]
    ticks: list[tuple[float, float]]
    left: int
    right: int
    bottom: int
    row: int = 36


BOX_LEFT, BOX_RIGHT, BOX_ROW = 128, WIDTH - 20, 36


def box_plot(times: list[LeadTime]) -> BoxPlot:
    """A horizontal box per gate (whiskers from the shortest to the longest lead time, the
    box from the first to the third quartile, a line at the median, a mark at the 90th
    percentile), days on a round scale."""
    ticks = _scale(max((t.high for t in times), default=0.0))
    highest = ticks[-1]

    def x(days: float) -> float:
        return BOX_LEFT + days / highest * (BOX_RIGHT - BOX_LEFT)

    boxes = []
    for i, t in enumerate(times):
        y = 16 + i * BOX_ROW + BOX_ROW / 2
        boxes.append(
            Box(t.gate, t, y, x(t.low), x(t.q1), x(t.median), x(t.q3), x(t.p90), x(t.high))
        )
    bottom = 16 + len(times) * BOX_ROW
    return BoxPlot(
        WIDTH, bottom + 34, boxes, [(x(t), t) for t in ticks], BOX_LEFT, BOX_RIGHT, bottom
    )
