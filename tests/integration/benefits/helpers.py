"""Helpers of the benefits and roadmap tests: a fresh organisation (figures of its own), a
gate passed through the gates' own decision code, plans and realised months."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from tests.conftest import make_org
from tracker.auth import hash_password
from tracker.benefits.tables import BenefitPlan, BenefitRealised
from tracker.gates.deciding import record_decision
from tracker.gates.tables import GateReview
from tracker.tenancy import TenantScope

_n = itertools.count(1)


async def fresh_org(world: Any, name: str = "bene") -> Any:
    return await make_org(f"{name}{next(_n)}-{world.backend}", await hash_password(world.password))


async def decide(org: Any, initiative: int, gate: int, outcome: str = "go") -> None:
    """A gate decided as the committee's would be (the gates' own ``record_decision``)."""
    review = (
        await GateReview.insert(
            GateReview(
                org=org.id,
                initiative=initiative,
                gate=gate,
                status="open",
                proposed_decision="go",
                due_date=date.today() + timedelta(days=3),
                rule_snapshot="{}",
            )
        )
    )[0]["id"]
    await record_decision(
        TenantScope(org.id),
        {"id": review, "initiative": initiative, "gate": gate},
        {
            "decision": outcome,
            "recycle_to": 3 if outcome == "recycle" else None,
            "method": "chair",
            "decided_by": org.people["admin"],
            "rationale": "",
            "conditions": [],
            "condition_due": date.today().isoformat(),
            "next_gate_date": None,
        },
    )


def month(offset: int, today: date | None = None) -> date:
    """The first day of the month ``offset`` months from this one."""
    day = (today or date.today()).replace(day=1)
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


async def add_plan(org: Any, initiative: int, **values: Any) -> None:
    row = dict(
        org=org.id,
        initiative=initiative,
        annual_value=12000.0,
        one_off_cost=0.0,
        currency="CNY",
        start_month=month(-2),
    )
    row.update(values)
    await BenefitPlan.insert(BenefitPlan(**row))


async def add_realised(org: Any, initiative: int, amounts: dict[date, float]) -> None:
    await BenefitRealised.insert(
        *(
            BenefitRealised(org=org.id, initiative=initiative, month=m, amount=a, method="entered")
            for m, a in amounts.items()
        )
    )
