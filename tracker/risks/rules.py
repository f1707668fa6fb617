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


def heat_cells(counts: Iterable[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """The heat map's 25 cells from the counts of risks not closed per (likelihood, impact)."""
    cells = {(lk, im): 0 for lk in range(1, 6) for im in range(1, 6)}
    for row in counts:
        if (row["likelihood"], row["impact"]) in cells:
            cells[(row["likelihood"], row["impact"])] = int(row["n"])
    return cells


def is_rising(history: list[tuple[int, int]]) -> bool:
    """The latest score is above the one before it."""
    return len(history) >= 2 and score(*history[-1]) > score(*history[-2])


# The five starter risks of seed 004 §4: (description, category, likelihood, impact, response),
# each text as (English, Chinese); a register gets them in its organisation's language. Their
# manifestations (风险表现) are STARTER_MANIFESTATIONS, in the same order.
STARTER_RISKS: list[tuple[tuple[str, str], str, int, int, tuple[str, str]]] = [
    (
        ("Weak executive support", "高层支持不足"),
        "organisation",
        3,
        5,
        (
            "Before designing, state the value of the optimisation (e.g. “saves X in staff "
            "costs a month”) and have management sign off the resources; report progress to "
            "management regularly, showing the results of each stage with data",
            "方案设计前明确优化价值（如“预计每月节省人力成本X元”），争取管理层签字确认资源支持；"
            "定期向管理层汇报进度，用数据展示阶段性成果",
        ),
    ),
    (
        ("Poor cross-department communication and blame-shifting", "跨部门沟通不畅、推诿扯皮"),
        "communication",
        4,
        4,
        (
            "Name the responsible (R) and the accountable (A) in the RACI matrix, so that "
            "“everyone’s job” is not “no one’s job”; hold a weekly cross-department meeting to "
            "share progress and solve problems, with the team lead settling conflicts if needed",
            "在RACI矩阵中明确“负责人（R）”和“批准人（A）”，避免“都管=都不管”；"
            "设立跨部门周例会，同步进度、解决问题，必要时由组长协调冲突",
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
            "Invite front-line staff to design the solution during the pilot (“could this step "
            "be simpler?”) to build ownership; train with real cases, stressing how the new "
            "process lightens the workload; recognise a “process optimisation star”",
            "试点期邀请一线员工参与方案设计（如“你觉得这个步骤能简化吗？”），增强归属感；"
            "培训时结合实际案例，强调新流程对“减轻工作负担”的帮助；"
            "设置“流程优化之星”激励，表彰积极执行的员工",
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
        (
            "Define a mechanism for special cases in the process document (e.g. an urgent order "
            "of 100,000 or more may skip the usual approval and be approved by the head of "
            "operations, recorded in the process within 24 hours); collect special cases "
            "regularly and refine the process, balancing standard and flexibility",
            "在流程文档中明确“特殊场景处理机制”（如“金额≥10万元的紧急订单，可跳过常规审批，"
            "由运营负责人直接审批，24小时内补录流程”）；定期收集特殊场景案例，迭代优化流程，"
            "兼顾标准与灵活",
        ),
    ),
    (
        ("Data hard to collect, distorted evaluation", "数据难以收集，评估失真"),
        "data",
        3,
        4,
        (
            # the seed's text breaks off after "提前与IT团队确认"; completed with its own words
            "Confirm the data sources and how each figure is counted with the IT team in "
            "advance; name the data sources and their owners before the pilot",
            "提前与IT团队确认数据来源和统计口径，试点前明确数据来源和责任人",
        ),
    ),
]

STARTER_MANIFESTATIONS: list[tuple[str, str]] = [
    (
        "Cross-department coordination is hard, technical and human resources arrive late, "
        "the optimisation falls behind",
        "跨部门协调困难，技术/人力资源未及时到位，优化进度滞后",
    ),
    (
        "When a solution spans several departments, unclear duties delay its execution",
        "方案涉及多部门时，因职责不清导致执行拖延",
    ),
    (
        "Staff keep to the old process and are unwilling to learn the new one: "
        "“formalistic execution”",
        "员工习惯旧流程，对新流程学习意愿低，出现“形式化执行”",
    ),
    (
        "The process is too rigid for special business cases (such as urgent large-customer "
        "requests)",
        "流程过于僵化，无法适配特殊业务场景（如“大客户紧急需求”）",
    ),
    (
        "Key figures are missing or counted inconsistently, so the effect cannot be judged",
        "关键指标数据缺失或统计口径不一致，无法准确判断优化效果",
    ),
]

# the responses shipped before the seed's full texts (2026-11): still recognised as shipped
LEGACY_MITIGATIONS: list[tuple[str, str]] = [
    (
        "Secure a sponsor; report progress to executives every two weeks",
        "争取高层发起人，每两周汇报进展",
    ),
    (
        "Name an owner per step; weekly cross-department meeting",
        "明确每个环节负责人，每周跨部门例会",
    ),
    (
        "Involve staff in design; training; recognise a process optimisation star",
        "让员工参与设计，开展培训，评选流程优化之星",
    ),
    ("Define an exception path with approval", "设计带审批的例外流程"),
    ("Define data sources and owners before the pilot", "试点前明确数据来源和责任人"),
]
