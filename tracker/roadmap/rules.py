"""Pure rules of the roadmap: the window of time shown (zoomed by month or quarter), where a
date falls on it, and each initiative's row of phase bars (planned, and actual over them) and
gate diamonds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

ZOOMS = ("month", "quarter")
# months shown, the width of one tick (px) and the months a tick spans, per zoom
SPAN = {"month": (12, 80, 1), "quarter": (24, 120, 3)}
BEFORE = {"month": 1, "quarter": 3}  # months shown before today's
SHIFT = {"month": 6, "quarter": 12}  # months moved by "Earlier" and "Later"
ROW_HEIGHT = 34
PAGE = 50  # rows per step of "show more"
MAX_ROWS = 1000


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    zoom: str
    first: date  # the first day shown
    end: date  # the day after the last one shown
    width: int

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    def x(self, day: date) -> float:
        return round((day - self.first).days / self.days * self.width, 1)

    def clamp(self, day: date) -> date:
        return min(max(day, self.first), self.end)

    def shows(self, day: date) -> bool:
        return self.first <= day < self.end

    def shifted(self, months: int) -> str:
        return _add_months(self.first, months).strftime("%Y-%m")


def window(zoom: str, today: date, start: str = "") -> Window:
    """The window: ``start`` (YYYY-MM) or a few months before today's, for 12 months by
    month or 24 by quarter (a quarter zoom starts on a quarter)."""
    zoom = zoom if zoom in ZOOMS else "month"
    months, tick, per_tick = SPAN[zoom]
    first = None
    if start:
        try:
            first = date.fromisoformat(start[:7] + "-01")
        except ValueError:
            first = None
    if first is None or not 2000 <= first.year <= 2100:
        first = _add_months(today.replace(day=1), -BEFORE[zoom])
    if zoom == "quarter":
        first = first.replace(month=(first.month - 1) // 3 * 3 + 1)
    return Window(zoom, first, _add_months(first, months), months // per_tick * tick)


@dataclass(frozen=True)
class Tick:
    x: float
    day: date
    year: int
    quarter: int  # 1–4 (quarter zoom) or 0


def ticks(win: Window) -> list[Tick]:
    months, _tick, per_tick = SPAN[win.zoom]
    result = []
    for k in range(0, months, per_tick):
        day = _add_months(win.first, k)
        quarter = (day.month - 1) // 3 + 1 if win.zoom == "quarter" else 0
        result.append(Tick(win.x(day), day, day.year, quarter))
    return result


@dataclass(frozen=True)
class Bar:
    phase: int
    x: float
    width: float
    start: date
    end: date | None  # None: open (monitoring without an end, or a phase running now)
    late: bool = False


@dataclass(frozen=True)
class Diamond:
    gate: int
    x: float
    day: date
    outcome: str | None  # None: not decided yet (the planned gate date)


@dataclass
class Row:
    id: int
    code: str
    name: str
    status: str
    phase: int
    planned: list[Bar] = field(default_factory=list)
    actual: list[Bar] = field(default_factory=list)
    gates: list[Diamond] = field(default_factory=list)


def _bar(win: Window, phase: int, start: date, end: date | None, late: bool) -> Bar | None:
    """The bar of ``start``–``end`` (inclusive; open to the window's end), clipped to it."""
    last = end + timedelta(days=1) if end else win.end
    if last <= win.first or start >= win.end:
        return None
    left, right = win.x(win.clamp(start)), win.x(win.clamp(last))
    return Bar(phase, left, max(round(right - left, 1), 2.0), start, end, late)


def _day(value: Any) -> date | None:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date") and callable(value.date):
        return value.date()  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def row(
    initiative: dict[str, Any],
    phases: list[dict[str, Any]],
    decisions: list[dict[str, Any]],
    win: Window,
    today: date,
) -> Row:
    """One initiative's row: each phase's planned bar, its actual bar (to today while it
    runs; late when it ran or runs past its planned end), every decided gate where it was
    decided (with its outcome) and the current phase's gate where it is planned."""
    current = initiative["phase"] or 1
    result = Row(
        initiative["id"],
        initiative["process_code"],
        initiative["name"],
        initiative["status"],
        current,
    )
    for p in sorted(phases, key=lambda p: p["number"]):
        planned_start, planned_end = _day(p["planned_start"]), _day(p["planned_end"])
        actual_start, actual_end = _day(p["actual_start"]), _day(p["actual_end"])
        if planned_start and (bar := _bar(win, p["number"], planned_start, planned_end, False)):
            result.planned.append(bar)
        if actual_start:
            end = actual_end or (today if p["number"] == current else None)
            late = planned_end is not None and (end or today) > planned_end
            if bar := _bar(win, p["number"], actual_start, end or today, late):
                result.actual.append(bar)
        if (
            p["number"] == current
            and planned_end is not None
            and actual_end is None
            and initiative["status"] not in ("stopped", "completed")
            and win.shows(planned_end)
        ):
            result.gates.append(Diamond(current, win.x(planned_end), planned_end, None))
    for d in decisions:
        day = _day(d["decided_at"])
        if day is not None and win.shows(day):
            result.gates.append(Diamond(d["gate"], win.x(day), day, d["outcome"]))
    result.gates.sort(key=lambda g: g.x)
    return result
