"""Lists: the reviews waiting for a person, and one initiative's gate history."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.accounts.rules import Role
from tracker.gates import queries as q
from tracker.gates.common import (
    OPEN_STATES,
)
from tracker.gates.tables import (
    ApprovalStep,
    GateReview,
    ReviewAssignment,
    Vote,
)
from tracker.tenancy import OrgContext, TenantScope


async def my_reviews(ctx: OrgContext) -> dict[str, list[dict[str, Any]]]:
    """What waits for me: votes, chair decisions and approvals; overdue first."""
    scope = ctx.scope
    columns = (
        GateReview.id,
        GateReview.gate,
        GateReview.due_date,
        GateReview.status,
        GateReview.rule_snapshot,
        GateReview.initiative.id,
        GateReview.initiative.name,
        GateReview.initiative.process_code,
    )
    assigned = await scope.select(ReviewAssignment, ReviewAssignment.review).where(
        ReviewAssignment.reviewer == ctx.person_id, ReviewAssignment.review.status == "open"
    )
    voted = {
        v["review"]
        for v in await scope.select(Vote, Vote.review).where(Vote.reviewer == ctx.person_id)
    }
    waiting_ids = [a["review"] for a in assigned if a["review"] not in voted]
    to_vote = (
        await scope.select(GateReview, *columns).where(GateReview.id.is_in(waiting_ids))
        if waiting_ids
        else []
    )
    chair = [
        r
        for r in await scope.select(GateReview, *columns).where(
            GateReview.status == "awaiting_chair"
        )
        if ctx.role == Role.ADMIN or json.loads(r["rule_snapshot"]).get("chair") == ctx.person_id
    ]
    steps = await scope.select(
        ApprovalStep,
        ApprovalStep.review,
        ApprovalStep.level,
        ApprovalStep.approver,
        ApprovalStep.label,
    ).where(ApprovalStep.status == "pending", ApprovalStep.review.status == "approving")
    first_pending: dict[int, dict] = {}
    for step in sorted(steps, key=lambda s: s["level"]):
        first_pending.setdefault(step["review"], step)
    approval_ids = [r for r, s in first_pending.items() if s["approver"] == ctx.person_id]
    approvals = (
        await scope.select(GateReview, *columns).where(GateReview.id.is_in(approval_ids))
        if approval_ids
        else []
    )
    today = date.today()
    for row in [*to_vote, *chair, *approvals]:
        row["overdue"] = row["due_date"] < today

    def order(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda r: (not r["overdue"], r["due_date"]))

    return {"vote": order(to_vote), "chair": order(chair), "approve": order(approvals)}


async def initiative_gates(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    """The gate history of one initiative: decisions, conditions, the open review, events.

    Hand-written SQL (the same on PostgreSQL and SQLite): the initiative page is among the busiest,
    and building these four queries cost more than running them."""
    decisions = await scope.fetch_dicts(q.DECISIONS_OF_INITIATIVE, initiative=initiative_id)
    conditions = await scope.fetch_dicts(q.CONDITIONS_OF_INITIATIVE, initiative=initiative_id)
    open_reviews = await scope.fetch_dicts(
        q.OPEN_REVIEW, initiative=initiative_id, states=OPEN_STATES
    )
    events = await scope.fetch_dicts(q.EVENTS, initiative=initiative_id)
    for e in events:
        e["data"] = json.loads(e["detail"] or "{}")
    return {
        "decisions": decisions,
        "conditions": conditions,
        "open_review": open_reviews[0] if open_reviews else None,
        "events": events,
    }
