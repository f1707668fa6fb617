"""Pure rules of initiatives: phases, planned dates, overdue, process codes, goal checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum


class PhaseNo(IntEnum):
    SCOPING = 1
    RESEARCH = 2
    DESIGN = 3
    PILOT = 4
    ROLLOUT = 5
    MONITORING = 6


# Default planned length of each phase in days (DOMAIN.md, seed 004): the upper end of each
# range; research includes the 3–5 days of root-cause analysis; monitoring is open-ended.
DEFAULT_PHASE_DAYS: dict[PhaseNo, int | None] = {
    PhaseNo.SCOPING: 7,
    PhaseNo.RESEARCH: 19,
    PhaseNo.DESIGN: 14,
    PhaseNo.PILOT: 21,
    PhaseNo.ROLLOUT: 14,
    PhaseNo.MONITORING: None,
}


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    ON_HOLD = "on_hold"
    STOPPED = "stopped"
    COMPLETED = "completed"


class ProcessClass(StrEnum):
    CORE = "core"
    SUPPORT = "support"
    MANAGEMENT = "management"


class Direction(StrEnum):
    LOWER = "lower"
    HIGHER = "higher"


@dataclass(frozen=True)
class PlannedPhase:
    number: PhaseNo
    planned_start: date
    planned_end: date | None


def plan_phases(
    start: date, lengths: dict[PhaseNo, int | None] | None = None, first: int = 1
) -> list[PlannedPhase]:
    """Planned dates for the phases from ``first`` to the sixth, back to back from ``start``.

    A phase of n days starting on day d ends on day d + n - 1; the next starts the day after.
    Recycling to an earlier phase plans again from that phase.
    """
    lengths = lengths or DEFAULT_PHASE_DAYS
    plan = []
    cursor = start
    for number in (n for n in PhaseNo if n >= first):
        days = lengths[number]
        end = cursor + timedelta(days=days - 1) if days else None
        plan.append(PlannedPhase(number, cursor, end))
        if end is not None:
            cursor = end + timedelta(days=1)
    return plan


def is_overdue(planned_end: date | None, actual_end: date | None, today: date) -> bool:
    """A phase is overdue when it has not ended and today is past its planned end."""
    return planned_end is not None and actual_end is None and today > planned_end


def days_late(planned_end: date | None, actual_end: date | None, today: date) -> int:
    """Days past the planned end (for an ended phase: how late it ended); 0 when on time."""
    if planned_end is None:
        return 0
    end = actual_end or today
    return max(0, (end - planned_end).days)


def days_in_phase(actual_start: date | None, today: date) -> int:
    if actual_start is None:
        return 0
    return max(0, (today - actual_start).days)


CODE_PART_RE = re.compile(r"^[A-Z0-9]{1,10}$")
CODE_RE = re.compile(r"^[A-Z0-9]{1,10}-[A-Z0-9]{1,10}-\d{4}-\d{3,}$")


def normalise_code_part(part: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", part.upper())[:10]


def suggest_process_code(dept: str, business: str, year: int, existing: Iterable[str]) -> str:
    """Next free code by the rule DEPT-BUSINESS-YEAR-SEQ (e.g. SOP-CS-2024-001).

    The sequence continues after the highest one used for the same prefix, so codes stay
    in order even when an earlier one was renamed.
    """
    prefix = (
        f"{normalise_code_part(dept) or 'GEN'}-{normalise_code_part(business) or 'GEN'}-{year}-"
    )
    highest = 0
    for code in existing:
        if code.startswith(prefix):
            tail = code[len(prefix) :]
            if tail.isdigit():
                highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:03d}"


def is_valid_process_code(code: str) -> bool:
    return bool(CODE_RE.match(code))


def goal_problems(baseline: float | None, target: float | None, direction: str) -> list[str]:
    """A SMART goal's target must improve on its baseline in the stated direction."""
    if baseline is None or target is None:
        return []
    if direction == Direction.LOWER and target >= baseline:
        return ["The target must be below the baseline when lower is better."]
    if direction == Direction.HIGHER and target <= baseline:
        return ["The target must be above the baseline when higher is better."]
    return []


def goal_change_percent(baseline: float | None, target: float | None) -> float | None:
    if baseline in (None, 0) or target is None:
        return None
    return (target - baseline) / abs(baseline) * 100  # type: ignore[operator]


def split_departments(text: str) -> list[str]:
    parts = re.split(r"[,，、;；\n]+", text)
    seen: list[str] = []
    for part in parts:
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


@dataclass(frozen=True)
class TimelineBar:
    number: int
    planned_x: float  # percentages of the chart's width
    planned_w: float
    actual_x: float | None
    actual_w: float | None
    overdue: bool
    current: bool


def timeline(
    phases: list[dict], today: date, current_number: int | None
) -> tuple[list[TimelineBar], date, date]:
    """Bars for a planned-vs-actual chart: each phase's planned and actual span on one axis.

    Open-ended spans (monitoring, a phase still running) reach today, or the last planned date.
    """
    if not phases:
        return [], today, today
    starts = [p["planned_start"] for p in phases] + [
        p["actual_start"] for p in phases if p["actual_start"]
    ]
    ends = (
        [p["planned_end"] for p in phases if p["planned_end"]]
        + [p["actual_end"] for p in phases if p["actual_end"]]
        + [today]
    )
    first, last = min(starts), max(ends)
    span = max(1, (last - first).days + 1)

    def pct(d: date) -> float:
        return round((d - first).days / span * 100, 2)

    bars = []
    for p in phases:
        planned_end = p["planned_end"] or last
        actual_x = actual_w = None
        if p["actual_start"]:
            actual_end = p["actual_end"] or today
            actual_x = pct(p["actual_start"])
            actual_w = max(0.5, round(((actual_end - p["actual_start"]).days + 1) / span * 100, 2))
        bars.append(
            TimelineBar(
                number=p["number"],
                planned_x=pct(p["planned_start"]),
                planned_w=max(
                    0.5, round(((planned_end - p["planned_start"]).days + 1) / span * 100, 2)
                ),
                actual_x=actual_x,
                actual_w=actual_w,
                overdue=p["number"] == current_number
                and is_overdue(p["planned_end"], p["actual_end"], today),
                current=p["number"] == current_number,
            )
        )
    return bars, first, last


# The states of a gate review still waiting for its decision (gates build on initiatives:
# the board counts open reviews without importing the gates area).
REVIEW_OPEN_STATES = ("open", "awaiting_chair", "approving")
