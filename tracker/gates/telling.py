"""Telling people what a gate step means for them (``tracker.notifications``), and the
review's viewers that it moved (``tracker.live``), in the transaction of the step."""

from __future__ import annotations

import json
from typing import Any

from tracker import live
from tracker.gates import queries as q
from tracker.gates.tables import Condition
from tracker.notifications import Kind, notify
from tracker.tenancy import TenantScope


async def initiative_name(scope: TenantScope, initiative_id: int) -> str:
    rows = await scope.fetch(q.INITIATIVE_NAME, initiative=initiative_id)
    return str(rows[0]["name"]) if rows else ""


async def _slug(scope: TenantScope) -> str:
    rows = await scope.fetch(q.ORG_SLUG)
    return str(rows[0]["slug"])


async def tell_decided(
    scope: TenantScope,
    review: dict[str, Any],
    initiative: dict[str, Any],
    pending: dict[str, Any],
    condition_rows: list[dict[str, Any]],
) -> None:
    """The lead who requested the review learns the decision; each condition's owner, that
    the condition is theirs; the review's viewers see it decided."""
    slug = await _slug(scope)
    actor = pending["decided_by"]
    await notify(
        scope,
        kind=Kind.REVIEW_DECIDED,
        recipients=[review.get("requested_by")],  # none for a review no one requested
        actor_id=actor,
        subject_kind="review",
        subject_id=review["id"],
        url=f"/o/{slug}/reviews/{review['id']}",
        key=f"review_decided:review:{review['id']}",
        title=initiative["name"],
        detail=pending["decision"],
    )
    if condition_rows:
        owners = await scope.select(Condition, Condition.id, Condition.owner, Condition.text).where(
            Condition.id.is_in([r["id"] for r in condition_rows])
        )
        for condition in owners:
            await notify(
                scope,
                kind=Kind.CONDITION_ASSIGNED,
                recipients=[condition["owner"]],
                actor_id=actor,
                subject_kind="condition",
                subject_id=condition["id"],
                url=f"/o/{slug}/initiatives/{initiative['id']}#conditions-h",
                key=f"condition_assigned:condition:{condition['id']}",
                title=condition["text"],
            )
    live.after_commit(
        live.review_channel(scope.org_id, review["id"]), live.REVIEW_EVENT, review["id"]
    )


async def tell_approver(
    scope: TenantScope, review: dict[str, Any], level: int, approver: int | None, actor: int | None
) -> None:
    """The approver of ``level`` of the gate's approval chain: the decision waits for them."""
    name = await initiative_name(scope, review["initiative"])
    await notify(
        scope,
        kind=Kind.APPROVAL_WAITING,
        recipients=[approver],
        actor_id=actor,
        subject_kind="review",
        subject_id=review["id"],
        url=f"/o/{await _slug(scope)}/reviews/{review['id']}",
        key=f"approval_waiting:review:{review['id']}:level:{level}",
        title=name,
    )
    live.after_commit(
        live.review_channel(scope.org_id, review["id"]), live.REVIEW_EVENT, review["id"]
    )


async def tell_chair(scope: TenantScope, review: dict[str, Any]) -> None:
    """The decision rule handed the review to the chair: it waits for them."""
    chair = json.loads(review["rule_snapshot"]).get("chair")
    if chair:
        name = await initiative_name(scope, review["initiative"])
        await notify(
            scope,
            kind=Kind.APPROVAL_WAITING,
            recipients=[chair],
            actor_id=None,
            subject_kind="review",
            subject_id=review["id"],
            url=f"/o/{await _slug(scope)}/reviews/{review['id']}",
            key=f"approval_waiting:review:{review['id']}:chair",
            title=name,
        )
    live.after_commit(
        live.review_channel(scope.org_id, review["id"]), live.REVIEW_EVENT, review["id"]
    )
