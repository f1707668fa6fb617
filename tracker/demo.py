"""The demo organisation: realistic initiatives drawn from the seed guides, in every phase."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.accounts.rules import Role
from tracker.accounts.tables import Membership, Organisation, Person
from tracker.auth import hash_password
from tracker.db import write_transaction
from tracker.demo_program import seed_program
from tracker.gates.settings_service import ensure_defaults
from tracker.initiatives import rules
from tracker.initiatives.tables import Initiative, Phase

DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-2026"

PEOPLE = [
    # email, name, role
    (DEMO_EMAIL, "Demo Admin 演示管理员", Role.ADMIN),
    ("li.na@example.com", "Li Na 李娜", Role.LEAD),
    ("wang.wei@example.com", "Wang Wei 王伟", Role.LEAD),
    ("zhang.min@example.com", "Zhang Min 张敏", Role.COMMITTEE),
    ("chen.jie@example.com", "Chen Jie 陈杰", Role.COMMITTEE),
    ("liu.yang@example.com", "Liu Yang 刘洋", Role.MEMBER),
    ("zhao.lei@example.com", "Zhao Lei 赵磊", Role.VIEWER),
]

# name, code, class, departments, owner index, metric, unit, baseline, target, direction,
# scope in, scope out, start point, end point, phase, status, days since start
INITIATIVES = [
    (
        "Customer complaint handling 客户投诉处理",
        "CS-COMPLAINT",
        "core",
        "Customer service, Quality",
        1,
        "Complaint response time",
        "h",
        48,
        24,
        "lower",
        "All online channels",
        "Offline store complaints",
        "Customer files a complaint",
        "Complaint closed and follow-up call done",
        6,
        "on_track",
        160,
    ),
    (
        "Order fulfilment 订单履约",
        "SCM-ORDER",
        "core",
        "Logistics, Sales, Warehouse",
        2,
        "Order delivery cycle",
        "days",
        3.5,
        2.8,
        "lower",
        "Online orders",
        "Offline channels",
        "Order confirmed",
        "Goods signed for",
        5,
        "on_track",
        70,
    ),
    (
        "User activation 用户激活",
        "MKT-ACTIVATION",
        "core",
        "Marketing, Product",
        1,
        "New-user activation rate",
        "%",
        32,
        45,
        "higher",
        "App sign-ups",
        "Web sign-ups",
        "User registers",
        "User completes first order",
        4,
        "at_risk",
        50,
    ),
    (
        "Procurement approval 采购审批",
        "PUR-APPROVAL",
        "support",
        "Procurement, Finance",
        2,
        "Approval lead time",
        "days",
        6,
        2,
        "lower",
        "Purchases under 50,000 CNY",
        "Capital expenditure",
        "Purchase request raised",
        "Purchase order issued",
        3,
        "on_track",
        30,
    ),
    (
        "Expense reimbursement 费用报销",
        "FIN-EXPENSE",
        "support",
        "Finance, HR",
        1,
        "Reimbursement cycle",
        "days",
        12,
        5,
        "lower",
        "Travel and daily expenses",
        "Project settlements",
        "Employee submits a claim",
        "Money paid out",
        2,
        "on_track",
        10,
    ),
    (
        "New product launch 新品上市",
        "RD-LAUNCH",
        "core",
        "R&D, Production, Marketing",
        2,
        "Time to market",
        "weeks",
        26,
        18,
        "lower",
        "Consumer products",
        "OEM products",
        "Requirement review",
        "After-sales support live",
        2,
        "blocked",
        24,
    ),
    (
        "Equipment maintenance 设备维护",
        "PRD-MAINT",
        "support",
        "Production, Engineering",
        1,
        "Unplanned downtime",
        "h/month",
        40,
        20,
        "lower",
        "Assembly lines 1–3",
        "Warehouse equipment",
        "Fault reported",
        "Equipment back in service",
        1,
        "on_track",
        3,
    ),
    (
        "Supplier onboarding 供应商准入",
        "PUR-SUPPLIER",
        "support",
        "Procurement, Quality",
        2,
        "Onboarding time",
        "days",
        30,
        15,
        "lower",
        "Raw-material suppliers",
        "Service providers",
        "Supplier application",
        "Supplier approved in ERP",
        1,
        "at_risk",
        12,
    ),
    (
        "Month-end close 月末结账",
        "FIN-CLOSE",
        "management",
        "Finance",
        1,
        "Days to close",
        "days",
        8,
        4,
        "lower",
        "Group entities",
        "Tax filings",
        "Period locked",
        "Reports signed off",
        3,
        "at_risk",
        40,
    ),
    (
        "Employee onboarding 员工入职",
        "HR-ONBOARD",
        "management",
        "HR, IT, Administration",
        2,
        "Days to productive",
        "days",
        14,
        7,
        "lower",
        "Head-office hires",
        "Branch hires",
        "Offer accepted",
        "First task completed",
        4,
        "on_track",
        55,
    ),
    (
        "Invoice processing 发票处理",
        "FIN-INVOICE",
        "support",
        "Finance, Procurement",
        1,
        "Invoice error rate",
        "%",
        4,
        1.5,
        "lower",
        "Supplier invoices",
        "Customer invoices",
        "Invoice received",
        "Invoice posted",
        5,
        "on_track",
        80,
    ),
    (
        "IT service requests IT服务请求",
        "IT-REQUEST",
        "support",
        "IT",
        2,
        "Requests resolved in 24 h",
        "%",
        70,
        95,
        "higher",
        "Head office",
        "Factories",
        "Ticket opened",
        "Ticket closed",
        6,
        "completed",
        200,
    ),
]


async def create_org_with_admin(
    name: str, slug: str, email: str, admin_name: str = "Admin", password: str | None = None
) -> str:
    from tracker.accounts.rules import is_valid_slug, normalise_email, password_problems

    email = normalise_email(email)
    if not is_valid_slug(slug):
        raise SystemExit(f"Not a valid organisation address: {slug!r}")
    if await Organisation.exists().where(Organisation.slug == slug):
        raise SystemExit(f"An organisation with the address {slug!r} exists already.")
    person = await Person.select(Person.id).where(Person.email == email).first()
    async with write_transaction():
        if person is None:
            if not password or password_problems(password, email):
                raise SystemExit("A new admin needs --admin-password of at least 10 characters.")
            person_id = (
                await Person.insert(
                    Person(
                        email=email, name=admin_name, password_hash=await hash_password(password)
                    )
                )
            )[0]["id"]
        else:
            person_id = person["id"]
        org = (await Organisation.insert(Organisation(name=name, slug=slug)))[0]["id"]
        await Membership.insert(Membership(org=org, person=person_id, role=Role.ADMIN))
        await ensure_defaults(org)
    return f"Created {name} at /o/{slug}/ with admin {email}."


async def seed_initiative(org_id: int, values: dict, start: date, phase: int, today: date) -> int:
    """Insert an initiative already in ``phase``: earlier phases ended on their plan + a little."""
    initiative_id = (await Initiative.insert(Initiative(org=org_id, start_date=start, **values)))[
        0
    ]["id"]
    plan = rules.plan_phases(start)
    rows = []
    cursor = start
    for p in plan:
        actual_start = actual_end = None
        if p.number < phase:
            length = (p.planned_end - p.planned_start).days if p.planned_end else 7
            actual_start, actual_end = cursor, cursor + timedelta(days=length + (p.number % 3))
            cursor = actual_end + timedelta(days=1)
        elif p.number == phase:
            actual_start = min(cursor, today)
        rows.append(
            Phase(
                org=org_id,
                initiative=initiative_id,
                number=int(p.number),
                planned_start=p.planned_start,
                planned_end=p.planned_end,
                actual_start=actual_start,
                actual_end=actual_end,
            )
        )
    ids = await Phase.insert(*rows)
    await Initiative.update({Initiative.current_phase: ids[phase - 1]["id"]}).where(
        Initiative.id == initiative_id
    )
    return int(initiative_id)


DEMO_PROBLEMS = {
    "PUR-APPROVAL": [
        (
            "Three sign-offs for small purchases 小额采购需三级审批",
            "efficiency",
            5,
            4,
            "method",
            "Approval takes 6 days\nEvery purchase needs three sign-offs\nNo amount threshold in the rule",
        ),
        ("Requests re-keyed into the ERP 申请单重复录入ERP", "quality", 3, 3, "machine", ""),
        ("Nobody owns urgent requests 紧急采购无人负责", "coordination", 4, 2, "people", ""),
        ("Internal report format tweak 内部报表格式调整", "efficiency", 1, 1, "method", ""),
    ],
    "CS-COMPLAINT": [
        ("Complaints classified by hand 投诉人工分类", "efficiency", 4, 4, "method", ""),
        ("No follow-up call after closing 关闭后未回访", "quality", 3, 2, "people", ""),
    ],
    "MKT-ACTIVATION": [
        (
            "SMS codes not received 收不到短信验证码",
            "quality",
            4,
            5,
            "machine",
            "Users give up at sign-up\nThe code does not arrive\nOne SMS provider, no fallback",
        ),
    ],
}


async def seed_registers(
    org: int, initiative_id: int, code: str, people: list[int], today: date
) -> None:
    """Problems, risks and a pilot for a few demo initiatives, so every register has data."""
    from tracker.pilots.tables import (
        Pilot,
        PilotFeedback,
        PilotMetric,
        SatisfactionRating,
        UnmetProblem,
    )
    from tracker.problems.tables import Problem
    from tracker.risks.rules import STARTER_RISKS
    from tracker.risks.tables import Risk, RiskScoreChange

    for title, category, impact, urgency, fishbone, whys in DEMO_PROBLEMS.get(code, []):
        await Problem.insert(
            Problem(
                org=org,
                initiative=initiative_id,
                title=title,
                category=category,
                impact=impact,
                urgency=urgency,
                fishbone=fishbone,
                whys=whys,
                owner=people[1],
            )
        )
    if code in ("SCM-ORDER", "PUR-APPROVAL", "MKT-ACTIVATION"):
        for description, category, likelihood, impact, mitigation in STARTER_RISKS:
            risk = (
                await Risk.insert(
                    Risk(
                        org=org,
                        initiative=initiative_id,
                        description=description,
                        category=category,
                        likelihood=likelihood,
                        impact=impact,
                        mitigation=mitigation,
                        owner=people[2],
                    )
                )
            )[0]["id"]
            await RiskScoreChange.insert(
                RiskScoreChange(
                    org=org, risk=risk, likelihood=likelihood, impact=impact, changed_by=people[2]
                )
            )
    if code == "MKT-ACTIVATION":
        pilot = (
            await Pilot.insert(
                Pilot(
                    org=org,
                    initiative=initiative_id,
                    process="New-user activation 新用户激活",
                    scope="East China sales team 华东区域销售团队",
                    start_date=today - timedelta(days=6),
                )
            )
        )[0]["id"]
        await PilotMetric.insert(
            PilotMetric(
                org=org,
                pilot=pilot,
                name="Verification time 验证耗时",
                unit="min",
                direction="lower",
                baseline=30,
                result=8,
                target=10,
            ),
            PilotMetric(
                org=org,
                pilot=pilot,
                name="Activation rate 激活率",
                unit="%",
                direction="higher",
                baseline=32,
                result=41,
                target=45,
            ),
        )
        await SatisfactionRating.insert(
            *(
                # one rating per person and pilot (a database key)
                SatisfactionRating(org=org, pilot=pilot, score=s, rated_by=person)
                for person, s in zip(people[1:6], (5, 4, 4, 3, 4), strict=True)
            )
        )
        await UnmetProblem.insert(
            UnmetProblem(
                org=org,
                pilot=pilot,
                problem="SMS codes not received 收不到短信验证码",
                cause="SMS channel needs work 短信通道需优化",
            )
        )
        await PilotFeedback.insert(
            PilotFeedback(
                org=org,
                pilot=pilot,
                author=people[5],
                category="tool",
                text="Codes arrive late at weekends 周末验证码延迟",
            )
        )


async def create_demo(today: date | None = None) -> str:
    today = today or date.today()
    if await Organisation.exists().where(Organisation.slug == DEMO_SLUG):
        return "The demo organisation exists already."
    password_hash = await hash_password(DEMO_PASSWORD)
    async with write_transaction():
        org = (
            await Organisation.insert(
                Organisation(name="Demo Manufacturing Co. 演示制造公司", slug=DEMO_SLUG)
            )
        )[0]["id"]
        await ensure_defaults(org)
        person_ids = []
        for email, name, role in PEOPLE:
            existing = await Person.select(Person.id).where(Person.email == email).first()
            if existing:
                person_id = existing["id"]
            else:
                person_id = (
                    await Person.insert(Person(email=email, name=name, password_hash=password_hash))
                )[0]["id"]
            person_ids.append(person_id)
            await Membership.insert(Membership(org=org, person=person_id, role=role))
        for item in INITIATIVES:
            (
                name,
                code,
                klass,
                depts,
                owner,
                metric,
                unit,
                baseline,
                target,
                direction,
                scope_in,
                scope_out,
                start_point,
                end_point,
                phase,
                status,
                age,
            ) = item
            start = today - timedelta(days=age)
            dept, business = code.split("-")
            values = dict(
                name=name,
                process_code=f"{dept}-{business}-{start.year}-001",
                process_class=klass,
                departments=depts,
                owner=person_ids[owner],
                sponsor="Zhou Qiang 周强 (COO)",
                goal_metric=metric,
                goal_unit=unit,
                goal_baseline=baseline,
                goal_target=target,
                goal_direction=direction,
                goal_due=start + timedelta(days=180),
                scope_in=scope_in,
                scope_out=scope_out,
                start_point=start_point,
                end_point=end_point,
                status=status,
            )
            initiative_id = await seed_initiative(org, values, start, phase, today)
            await seed_registers(org, initiative_id, code, person_ids, today)
            await seed_program(org, initiative_id, code, values["process_code"], person_ids, today)
    return (
        f"Created the demo organisation at /o/{DEMO_SLUG}/ with {len(INITIATIVES)} "
        f"initiatives; log in as {DEMO_EMAIL} / {DEMO_PASSWORD}."
    )
