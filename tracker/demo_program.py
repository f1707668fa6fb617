"""Demo data of the later phases: SOPs with versions and a RACI matrix, rollout waves with
training results, KPIs with a year of weekly measurements, alerts and the optimisation log.
Also used by the load benchmark and the route probe, so every kind of row exists."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.kpis import rules as kpi_rules
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, OptimisationEntry
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.sops.tables import RaciCell, RaciRole, SopApproval, SopDocument, SopStep, SopVersion

STEPS = [
    ("Receive the complaint 受理投诉", "Customer service 客服专员", 2, "hours", "Record in CRM"),
    ("Classify and route 分类分派", "Customer service lead 客服主管", 4, "hours", "Category right"),
    ("Investigate the cause 调查原因", "Quality 质量部", 2, "workdays", "Root cause named"),
    ("Reply to the customer 答复客户", "Customer service 客服专员", 1, "days", "Reply approved"),
    (
        "Close and review 关闭复盘",
        "Customer service lead 客服主管",
        5,
        "workdays",
        "Lessons logged",
    ),
]
ROLES = ("Customer service 客服", "CS lead 客服主管", "Quality 质量部", "Sales 销售")
PROCESS_STEPS = {
    "ORDER": [
        (
            "Check the order 审核订单",
            "Sales assistant 销售助理",
            2,
            "hours",
            "Credit limit checked",
        ),
        ("Allocate stock 分配库存", "Warehouse 仓储部", 4, "hours", "Stock reserved in ERP"),
        ("Pick and pack 拣货包装", "Warehouse 仓储部", 1, "days", "Pick list scanned"),
        ("Ship 发货", "Logistics 物流部", 1, "days", "Carrier booked"),
        (
            "Confirm delivery 确认签收",
            "Customer service 客服专员",
            2,
            "workdays",
            "Proof of delivery",
        ),
    ],
    "APPROVAL": [
        (
            "Raise the request 提交申请",
            "Requesting department 需求部门",
            1,
            "days",
            "Budget code given",
        ),
        ("Check the budget 预算核对", "Finance 财务部", 4, "hours", "Budget available"),
        ("Compare quotes 比价", "Procurement 采购部", 2, "workdays", "Three quotes over 10,000"),
        ("Approve 审批", "Department head 部门负责人", 1, "days", "Limit of authority"),
        ("Issue the order 下达订单", "Procurement 采购部", 4, "hours", "PO number in ERP"),
    ],
}
PROCESS_ROLES = {
    "ORDER": ("Sales 销售", "Warehouse 仓储", "Logistics 物流", "Customer service 客服"),
    "APPROVAL": (
        "Requester 需求方",
        "Procurement 采购",
        "Finance 财务",
        "Department head 部门负责人",
    ),
}
# per step: the letter of each role (one A, at least one R)
RACI = ["RACI", "RAIC", "CARI", "RAIC", "IARC"]

KPIS = [
    # name, unit, direction, target, threshold, base, swing
    ("Complaint resolution cycle 投诉处理周期", "days", "lower", 3.0, 3.5, 2.9, 0.65),
    ("Complaint resolution rate 投诉解决率", "%", "higher", 95.0, 92.0, 95.8, 2.0),
]


async def seed_sop(
    org: int,
    initiative: int,
    number: str,
    name: str,
    people: list[int],
    today: date,
    stage: str,
    kind: str = "COMPLAINT",
) -> int:
    """An SOP: "published" (V1.0 published, V1.1 in review), or "draft" (V1.0 draft with
    RACI half filled). Returns the document id."""
    doc = (
        await SopDocument.insert(
            SopDocument(org=org, initiative=initiative, process_name=name, number=number)
        )
    )[0]["id"]

    async def version(major: int, minor: int, status: str, based_on: int | None) -> int:
        row = SopVersion(
            org=org,
            document=doc,
            major=major,
            minor=minor,
            status=status,
            author=people[1],
            scope="All sites of the domestic market 国内市场全部站点",
            exception_handling="Urgent or legal cases go to the process owner at once 重大异常立即上报流程负责人",
            contingency_plan="System down: log on paper form F-07 and enter within a day 系统故障时纸质登记，一日内补录",
            change_summary="" if based_on is None else "Faster first reply 缩短首次答复时限",
            based_on=based_on,
            effective_date=today - timedelta(days=40) if status == "published" else None,
            published_at=datetime.now(UTC) if status == "published" else None,
        )
        return int((await SopVersion.insert(row))[0]["id"])

    async def content(version_id: int, first_limit: int, letters: list[str]) -> None:
        roles = [
            (await RaciRole.insert(RaciRole(org=org, version=version_id, position=i, name=r)))[0][
                "id"
            ]
            for i, r in enumerate(PROCESS_ROLES.get(kind, ROLES))
        ]
        for position, (step_name, who, limit, unit, control) in enumerate(steps):
            step = (
                await SopStep.insert(
                    SopStep(
                        org=org,
                        version=version_id,
                        position=position,
                        key=keys[position],
                        name=step_name,
                        responsible=who,
                        instructions=f"See the operating handbook, section {position + 1} 见操作手册第{position + 1}节",
                        inputs="Previous step's record 上一步记录",
                        outputs="Updated record 更新后的记录",
                        time_value=first_limit if position == 0 else limit,
                        time_unit=unit,
                        control_point=control,
                        forms_tools="CRM",
                    )
                )
            )[0]["id"]
            pattern = letters[position] if position < len(letters) else ""
            cells = [
                RaciCell(org=org, step=step, role=role, letter=letter)
                for role, letter in zip(roles, pattern, strict=False)
                if letter != "-"
            ]
            if cells:
                await RaciCell.insert(*cells)

    steps = PROCESS_STEPS.get(kind, STEPS)
    keys = [uuid.uuid4().hex for _ in steps]
    if stage == "draft":
        first = await version(1, 0, "draft", None)
        await content(first, 4, [*RACI[:3], "R---"])
        return int(doc)
    first = await version(1, 0, "published", None)
    await content(first, 4, RACI)
    await SopApproval.insert(
        SopApproval(
            org=org,
            version=first,
            level=1,
            label="Department head 部门负责人",
            approver=people[2],
            decision="approved",
            decided_by=people[2],
            decided_at=datetime.now(UTC),
        ),
        SopApproval(
            org=org,
            version=first,
            level=2,
            label="General manager 总经理",
            approver=people[0],
            decision="approved",
            decided_by=people[0],
            decided_at=datetime.now(UTC),
        ),
    )
    second = await version(1, 1, "in_review", first)
    await content(second, 2, RACI)
    await SopApproval.insert(
        SopApproval(
            org=org, version=second, level=1, label="Department head 部门负责人", approver=people[2]
        )
    )
    return int(doc)


async def seed_rollout(
    org: int, initiative: int, people: list[int], today: date, done: bool
) -> None:
    waves = []
    for i, (scope, status) in enumerate(
        [("East China 华东区", "done"), ("North China 华北区", "done" if done else "in_progress")]
    ):
        start = today - timedelta(days=30 - 10 * i)
        waves.append(
            (
                await RolloutWave.insert(
                    RolloutWave(
                        org=org,
                        initiative=initiative,
                        scope=scope,
                        start_date=start,
                        end_date=start + timedelta(days=9),
                        owner=people[1],
                        status=status,
                    )
                )
            )[0]["id"]
        )
    attendees = [
        "Wang Wei 王伟",
        "Zhang Min 张敏",
        "Chen Jie 陈杰",
        "Liu Yang 刘洋",
        "Zhao Lei 赵磊",
    ]
    for i, wave in enumerate(waves):
        session = (
            await TrainingSession.insert(
                TrainingSession(
                    org=org,
                    initiative=initiative,
                    wave=wave,
                    held_on=today - timedelta(days=29 - 10 * i),
                    trainer="Li Na 李娜",
                    topic="New complaint SOP 新投诉流程",
                )
            )
        )[0]["id"]
        scores = [92, 85, 78, 88, 95] if i == 0 else [90, 81, 84, None, 73]
        await TrainingResult.insert(
            *(
                TrainingResult(org=org, session=session, attendee=f"{name} ({i + 1})", score=s)
                for name, s in zip(attendees, scores, strict=True)
            )
        )


async def seed_kpis(
    org: int, initiative: int, people: list[int], today: date, weeks: int = 52
) -> None:
    """KPIs with ``weeks`` weekly measurements ending last week; a breach raises an alert."""
    for index, (name, unit, direction, target, threshold, base, swing) in enumerate(KPIS):
        kpi = (
            await Kpi.insert(
                Kpi(
                    org=org,
                    initiative=initiative,
                    name=name,
                    formula="Σ(closed_at − opened_at) / n" if index == 0 else "resolved / received",
                    data_source="CRM",
                    frequency="weekly",
                    unit=unit,
                    direction=direction,
                    target=target,
                    threshold=threshold,
                    department="Customer service 客服部",
                )
            )
        )[0]["id"]
        rows: list[Any] = []
        breaches: list[tuple[date, float]] = []
        for week in range(weeks):
            day = today - timedelta(days=7 * (weeks - week))
            value = round(base + swing * math.sin(week * 0.9 + index), 2)
            if week == weeks - 2 and index == 0:
                value = threshold + 0.6  # one recent breach for the demo's alert
            rows.append(
                KpiMeasurement(
                    org=org, kpi=kpi, measured_on=day, value=value, recorded_by=people[1]
                )
            )
            if kpi_rules.breached(direction, threshold, value):
                breaches.append((day, value))
        await KpiMeasurement.insert(*rows)
        for day, value in breaches:
            acknowledged = day < today - timedelta(days=21)
            await KpiAlert.insert(
                KpiAlert(
                    org=org,
                    kpi=kpi,
                    measured_on=day,
                    value=value,
                    threshold=threshold,
                    acknowledged_by=people[1] if acknowledged else None,
                    acknowledged_at=datetime.now(UTC) if acknowledged else None,
                )
            )
    await OptimisationEntry.insert(
        OptimisationEntry(
            org=org,
            initiative=initiative,
            logged_on=today - timedelta(days=20),
            process="Complaint handling 投诉处理",
            background="Cycle rose above 3 days in the busy season 旺季周期超过3天",
            measures="Second-line team on weekends 周末增设二线支持",
            effect="Cycle back to 2.8 days 周期回落至2.8天",
            owner="Customer service lead 客服主管",
        )
    )


async def seed_program(
    org: int, initiative: int, code: str, number: str, people: list[int], today: date
) -> None:
    if code == "CS-COMPLAINT":
        await seed_sop(
            org, initiative, number, "Complaint handling 投诉处理", people, today, "published"
        )
        await seed_rollout(org, initiative, people, today, done=True)
        await seed_kpis(org, initiative, people, today)
    elif code == "SCM-ORDER":
        await seed_sop(
            org,
            initiative,
            number,
            "Order fulfilment 订单履约",
            people,
            today,
            "published",
            "ORDER",
        )
        await seed_rollout(org, initiative, people, today, done=False)
    elif code == "PUR-APPROVAL":
        await seed_sop(
            org,
            initiative,
            number,
            "Purchase approval 采购审批",
            people,
            today,
            "draft",
            "APPROVAL",
        )
