"""Pure rules of problems: the impact–urgency quadrant, the priority order, and the problem
kinds of an as-is step."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    EFFICIENCY = "efficiency"
    QUALITY = "quality"
    COORDINATION = "coordination"
    RISK = "risk"


class Fishbone(StrEnum):
    PEOPLE = "people"
    MACHINE = "machine"
    MATERIAL = "material"
    METHOD = "method"
    ENVIRONMENT = "environment"


class ProblemStatus(StrEnum):
    OPEN = "open"
    ANALYSING = "analysing"
    SOLVED = "solved"
    DEFERRED = "deferred"


class Quadrant(StrEnum):
    DO_FIRST = "do_first"  # high impact, urgent
    PLAN = "plan"  # high impact, not urgent
    QUICK_FIX = "quick_fix"  # low impact, urgent
    DEFER = "defer"  # low impact, not urgent


HIGH = 3  # on the 1–5 scales, 3 and above count as high impact / urgent
QUADRANT_RANK = {Quadrant.DO_FIRST: 0, Quadrant.PLAN: 1, Quadrant.QUICK_FIX: 2, Quadrant.DEFER: 3}


def quadrant(impact: int, urgency: int) -> Quadrant:
    if not (1 <= impact <= 5 and 1 <= urgency <= 5):
        raise ValueError("impact and urgency are scored 1–5")
    high_impact, urgent = impact >= HIGH, urgency >= HIGH
    if high_impact and urgent:
        return Quadrant.DO_FIRST
    if high_impact:
        return Quadrant.PLAN
    if urgent:
        return Quadrant.QUICK_FIX
    return Quadrant.DEFER


def priority_key(impact: int, urgency: int, created_at: datetime) -> tuple[int, int, datetime]:
    """Quadrant first, then impact × urgency (higher first), then age (older first)."""
    return (QUADRANT_RANK[quadrant(impact, urgency)], -(impact * urgency), created_at)


def prioritise(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(problems, key=lambda p: priority_key(p["impact"], p["urgency"], p["created_at"]))


LIVE = (ProblemStatus.OPEN.value, ProblemStatus.ANALYSING.value)  # still to solve: on the matrix


def top(problems: Iterable[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    """The top-n problems still to solve (solved and deferred ones are left out)."""
    live = [p for p in problems if p["status"] in LIVE]
    return prioritise(live)[:n]


def moved(impact: int, urgency: int, direction: str) -> tuple[int, int]:
    """Re-score one step on the matrix; stays inside 1–5."""
    d_impact, d_urgency = {"up": (1, 0), "down": (-1, 0), "right": (0, 1), "left": (0, -1)}[
        direction
    ]
    return min(5, max(1, impact + d_impact)), min(5, max(1, urgency + d_urgency))


def parse_whys(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:10]


# --- the problem kinds of an as-is step (seed 004 表1, 存在问题, 可多选) ------------------------

# the kinds are the problem categories, in the seed's order: 效率低 / 质量差 / 协同难 / 风险高
KINDS: tuple[str, ...] = tuple(c.value for c in Category)
# how a cell or a line joins several kinds: the seed's 、 and what people type instead
KIND_SEPARATORS = re.compile(r"[、,，/;；]")


def kinds_text(kinds: Iterable[str]) -> str:
    """A set of kinds as stored: their keys in the seed's order, joined by commas ("" for
    none). An unknown kind is a ValueError (checked before, where the person can be told)."""
    chosen = set(kinds)
    unknown = chosen - set(KINDS)
    if unknown:
        raise ValueError(f"unknown problem kinds: {sorted(unknown)}")
    return ",".join(k for k in KINDS if k in chosen)


def kinds_of(text: str | None) -> tuple[str, ...]:
    """The stored kinds back as a tuple in the seed's order (unknown words are dropped)."""
    found = set((text or "").split(","))
    return tuple(k for k in KINDS if k in found)


def kind_names(cell: str) -> list[str]:
    """The names in a cell of several kinds ("效率低、协同难", "Low efficiency, High risk")."""
    return [name.strip() for name in KIND_SEPARATORS.split(cell) if name.strip()]
