"""Helpers for integration tests: seeded initiatives, database reads, form payloads."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from tracker.demo import seed_initiative
from tracker.initiatives.tables import Initiative

_seq = itertools.count(1)


async def make_initiative(org: Any, phase: int = 1, age_days: int = 3, **values: Any) -> int:
    """An initiative of ``org`` already in ``phase`` (seeded as the demo does)."""
    n = next(_seq)
    today = date.today()
    row = dict(
        name=f"Initiative {n}",
        process_code=f"T-SEED-{today.year}-{n:03d}",
        process_class="core",
        departments="Customer service",
        owner=org.people["lead"],
        goal_metric="Cycle time",
        goal_unit="h",
        goal_baseline=48.0,
        goal_target=24.0,
        goal_direction="lower",
        status="on_track",
    )
    row.update(values)
    return await seed_initiative(org.id, row, today - timedelta(days=age_days), phase, today)


async def initiative_row(initiative_id: int) -> dict[str, Any]:
    return await Initiative.select().where(Initiative.id == initiative_id).first()  # type: ignore[return-value]


def initiative_form(org: Any, **overrides: str) -> dict[str, str]:
    form = {
        "name": "Customer complaint handling",
        "code_dept": "CS",
        "code_business": "COMPLAINT",
        "process_code": "",
        "process_class": "core",
        "departments": "Customer service, Quality",
        "owner": str(org.people["lead"]),
        "sponsor": "COO",
        "start_date": date.today().isoformat(),
        "goal_metric": "Complaint response time",
        "goal_baseline": "48",
        "goal_target": "24",
        "goal_unit": "h",
        "goal_direction": "lower",
        "goal_due": "",
        "scope_in": "Online channels",
        "scope_out": "Offline stores",
        "start_point": "Customer files a complaint",
        "end_point": "Complaint closed",
    }
    form.update(overrides)
    return form


async def portfolio(world: Any, size: int) -> Any:
    """An organisation of ``size`` initiatives for the organisation-wide lists (issue 19),
    made once per backend and size: each initiative has 4 problems on the matrix (the first
    always in the cell impact 5 × urgency 5, the others spread) and a solved one, and a review
    waiting for the committee member and the admin (8 in 10 open for their vote, 1 in 10
    awaiting the chair, whom the rule names: the committee member, 1 in 10 waiting for the
    admin's approval, then the lead's). Due dates run from 10 days overdue to 29 ahead.
    Initiatives come without phases: these lists need none."""
    import json

    from tests.conftest import make_org
    from tracker.gates.settings_service import snapshot
    from tracker.gates.tables import ApprovalStep, GateReview, ReviewAssignment
    from tracker.problems.tables import Problem

    slug = f"portfolio{size}-{world.backend}"
    if slug in world.__dict__:
        return world.__dict__[slug]
    org = await make_org(slug, "x")
    today = date.today()
    rule = snapshot(
        {
            "quorum_kind": "share",
            "quorum_value": 51,
            "go_threshold": "majority",
            "stop_needs_chair": True,
            "chair": org.people["committee"],
            "chain": [],
        }
    )
    people = list(org.people.values())
    batch = 100
    for start in range(0, size, batch):
        numbers = range(start, min(size, start + batch))
        initiatives = [
            row["id"]
            for row in await Initiative.insert(
                *(
                    Initiative(
                        org=org.id,
                        name=f"Initiative {n}",
                        process_code=f"P-{size}-{n:05d}",
                        process_class="core",
                        goal_metric="Cycle time",
                        start_date=today,
                        owner=org.people["lead"],
                    )
                    for n in numbers
                )
            )
        ]
        await Problem.insert(
            *(
                Problem(
                    org=org.id,
                    initiative=initiative,
                    title=f"Problem {n}.{k}",
                    category="quality",
                    impact=5 if k in (0, 4) else 1 + (n + k) % 5,
                    urgency=5 if k in (0, 4) else 1 + (n * 3 + 2 * k) % 5,
                    status=("open", "analysing", "open", "analysing", "solved")[k],
                    owner=people[(n + k) % len(people)],
                )
                for n, initiative in zip(numbers, initiatives, strict=True)
                for k in range(5)
            )
        )
        statuses = [
            "open" if n % 10 < 8 else ("awaiting_chair", "approving")[n % 2] for n in numbers
        ]
        reviews = [
            row["id"]
            for row in await GateReview.insert(
                *(
                    GateReview(
                        org=org.id,
                        initiative=initiative,
                        gate=1,
                        status=status,
                        requested_by=org.people["lead"],
                        proposed_decision="go",
                        due_date=today + timedelta(days=n % 40 - 10),
                        rule_snapshot=rule,
                        pending_outcome=json.dumps({}),
                    )
                    for n, initiative, status in zip(numbers, initiatives, statuses, strict=True)
                )
            )
        ]
        await ReviewAssignment.insert(
            *(
                ReviewAssignment(org=org.id, review=review, reviewer=org.people[role])
                for review in reviews
                for role in ("committee", "admin")
            )
        )
        approving = [r for r, s in zip(reviews, statuses, strict=True) if s == "approving"]
        if approving:
            await ApprovalStep.insert(
                *(
                    ApprovalStep(
                        org=org.id,
                        review=review,
                        level=level,
                        label=label,
                        approver=org.people[who],
                    )
                    for review in approving
                    for level, label, who in ((1, "Owner", "admin"), (2, "Executive", "lead"))
                )
            )
    world.__dict__[slug] = org
    return org
