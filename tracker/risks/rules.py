"""Pure rules of risks: score, band, the heat map's cells, the starter risks."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any


class RiskStatus(StrEnum):
    OPEN = "open"
    MITIGATING = "mitigating"
    CLOSED = "closed"


class RiskCategory(StrEnum):
    ORGANISATION = "organisation"
    COMMUNICATION = "communication"
    PEOPLE = "people"
    PROCESS = "process"
    DATA = "data"
    OTHER = "other"


class ResistanceLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Barrier(StrEnum):  # ADKAR
    AWARENESS = "awareness"
    DESIRE = "desire"
    KNOWLEDGE = "knowledge"
    ABILITY = "ability"
    REINFORCEMENT = "reinforcement"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


HIGH_RISK = 15


def score(likelihood: int, impact: int) -> int:
    if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
        raise ValueError("likelihood and impact are scored 1–5")
    return likelihood * impact


def band(value: int) -> str:
    """1–4 low (green), 5–9 medium (yellow), 10–14 high (orange), 15–25 critical (red)."""
    if value <= 4:
        return "low"
    if value <= 9:
        return "medium"
    if value <= 14:
        return "high"
    return "critical"


def heat_map(risks: Iterable[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """Counts per (likelihood, impact) cell of the risks that are not closed."""
    cells = {(lk, im): 0 for lk in range(1, 6) for im in range(1, 6)}
    for risk in risks:
        if risk["status"] != RiskStatus.CLOSED:
            cells[(risk["likelihood"], risk["impact"])] += 1
    return cells


def is_rising(history: list[tuple[int, int]]) -> bool:
    """The latest score is above the one before it."""
    return len(history) >= 2 and score(*history[-1]) > score(*history[-2])


# The five starter risks of seed 004: (description, category, likelihood, impact, mitigation),
# each text as (English, Chinese); a register gets them in its organisation's language.
STARTER_RISKS: list[tuple[tuple[str, str], str, int, int, tuple[str, str]]] = [
    (
        ("Weak executive support", "高层支持不足"),
        "organisation",
        3,
        5,
        (
            "Secure a sponsor; report progress to executives every two weeks",
            "争取高层发起人，每两周汇报进展",
        ),
    ),
    (
        ("Poor cross-department communication and blame-shifting", "跨部门沟通不畅、推诿扯皮"),
        "communication",
        4,
        4,
        (
            "Name an owner per step; weekly cross-department meeting",
            "明确每个环节负责人，每周跨部门例会",
        ),
    ),
    (
        (
            "Front-line resistance to change (formalistic execution)",
            "一线员工抵触变革（形式化执行）",
        ),
        "people",
        4,
        3,
        (
            "Involve staff in design; training; recognise a process optimisation star",
            "让员工参与设计，开展培训，评选流程优化之星",
        ),
    ),
    (
        (
            "Standardisation vs flexibility: special cases such as urgent large-customer orders",
            "标准化与灵活性冲突（如大客户紧急订单）",
        ),
        "process",
        3,
        3,
        ("Define an exception path with approval", "设计带审批的例外流程"),
    ),
    (
        ("Data hard to collect, distorted evaluation", "数据难以收集，评估失真"),
        "data",
        3,
        4,
        ("Define data sources and owners before the pilot", "试点前明确数据来源和责任人"),
    ),
]
