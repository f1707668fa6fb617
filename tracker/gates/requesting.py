"""Requesting a gate review: who may, what blocks it, and the request itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.accounts.rules import Role
from tracker.db import (
    is_unique_violation,
    write_transaction,
)
from tracker.errors import Forbidden
from tracker.gates import rules
from tracker.gates.common import (
    OPEN_STATES,
    GateError,
    committee_members,
    event,
    open_conditions,
)
from tracker.gates.settings_service import criteria as template_criteria
from tracker.gates.settings_service import rule_row, snapshot
from tracker.gates.tables import (
    GateReview,
    ReviewAssignment,
    ReviewCriterion,
)
from tracker.gates.telling import initiative_name
from tracker.i18n import gettext as _
from tracker.initiatives.service import get_initiative
from tracker.notifications import Kind, notify
from tracker.sops.lifecycle import published_for as sop_published
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Checks, Submitted


def may_request(ctx: OrgContext, initiative: dict[str, Any]) -> bool:
    return ctx.role == Role.ADMIN or (
        ctx.role == Role.LEAD and initiative["owner"] == ctx.person_id
    )


async def initiative_for_request(ctx: OrgContext, initiative_id: int) -> dict[str, Any]:
    """The initiative whose gate review the person may request (its lead, or an admin);
    ``Forbidden`` for anyone else, ``NotFound`` when it is not the organisation's."""
    initiative = await get_initiative(ctx.scope, initiative_id)
    if not may_request(ctx, initiative):
        raise Forbidden(_("Only the initiative's program lead requests its gate review."))
    return initiative


async def request_blockers(scope: TenantScope, initiative: dict[str, Any]) -> list[str]:
    """Why a review cannot be requested now (empty when it can)."""
    problems = []
    if initiative["status"] in ("stopped", "completed"):
        problems.append(_("The initiative has ended."))
    if initiative["status"] == "on_hold":
        problems.append(_("The initiative is on hold; the committee must resume it first."))
    if await scope.count(GateReview).where(
        GateReview.initiative == initiative["id"], GateReview.status.is_in(list(OPEN_STATES))
    ):
        problems.append(_("A gate review is already open for this initiative."))
    if await open_conditions(scope, initiative["id"]):
        problems.append(_("All conditions of the last gate must be closed first."))
    if initiative["current_phase.number"] == rules.ROLLOUT_GATE and not await sop_published(
        scope, initiative["id"]
    ):
        problems.append(_("The rollout gate needs a published SOP version with an effective date."))
    return problems


async def request_review(ctx: OrgContext, initiative: dict[str, Any], values: Submitted) -> int:
    """Open the initiative's gate review with the lead's evidence per criterion; returns its
    id. ``Invalid`` for fields refused, ``GateError`` when one is open already."""
    scope = ctx.scope
    gate = initiative["current_phase.number"]
    items = await template_criteria(scope, gate)
    checks = Checks(values)
    proposed = checks.get("proposed_decision")
    if proposed not in set(rules.DECISIONS):
        checks.error("proposed_decision", _("Choose the decision you propose."))
    members = {m["person.id"] for m in await committee_members(ctx.org_id)}
    reviewers = sorted({int(r) for r in checks.all("reviewers") if r.isdigit()})
    if not reviewers:
        checks.error("reviewers", _("Choose at least one reviewer from the steering committee."))
    elif not set(reviewers) <= members:
        checks.error(
            "reviewers", _("Reviewers must be steering-committee members of this organisation.")
        )
    due_raw = checks.get("due_date")
    try:
        due = date.fromisoformat(due_raw)
        if due < date.today():
            checks.error("due_date", _("The decision cannot be due in the past."))
    except ValueError:
        checks.error("due_date", _("Enter a date as YYYY-MM-DD."))
        due = date.today()
    for item in items:
        checks.limit(f"note_{item['id']}", 5000)
        checks.limit(f"links_{item['id']}", 2000)
    checks.done()
    rule = await rule_row(scope)
    try:
        async with write_transaction():
            review_id = (
                await scope.insert(
                    GateReview,
                    {
                        "initiative": initiative["id"],
                        "gate": gate,
                        "requested_by": ctx.person_id,
                        "proposed_decision": proposed,
                        "due_date": due,
                        "rule_snapshot": snapshot(rule),
                    },
                )
            )[0]["id"]
            if items:
                await scope.insert(
                    ReviewCriterion,
                    *(
                        {
                            "review": review_id,
                            "position": i,
                            "text": c["text"],
                            "kind": c["kind"],
                            "weight": c["weight"],
                            "evidence": c["evidence"],
                            "evidence_note": checks.get(f"note_{c['id']}"),
                            "evidence_links": checks.get(f"links_{c['id']}"),
                        }
                        for i, c in enumerate(items)
                    ),
                )
            await scope.insert(
                ReviewAssignment, *({"review": review_id, "reviewer": r} for r in reviewers)
            )
            await event(
                scope,
                initiative["id"],
                ctx.person_id,
                "review_requested",
                review=review_id,
                gate=gate,
                reviewers=len(reviewers),
                due=due_raw,
            )
            await notify(
                scope,
                kind=Kind.VOTE_REQUESTED,
                recipients=reviewers,
                actor_id=ctx.person_id,
                subject_kind="review",
                subject_id=review_id,
                url=f"/o/{ctx.slug}/reviews/{review_id}",
                key=f"vote_requested:review:{review_id}",
                title=initiative.get("name") or await initiative_name(scope, initiative["id"]),
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        raise GateError(_("A gate review is already open for this initiative.")) from None
    return int(review_id)
