"""A person leaving an organisation (on their own, or removed by an admin) and what happens
to the work that waits for them there.

- Open gate reviews waiting for their vote lose them as a reviewer (the rule is applied again
  to the votes cast so far); a review left with no reviewer is withdrawn, and its lead can
  request it again. A vote they already cast stays: decision records are permanent.
- Initiatives they own (and so lead, with their open reviews) and their open conditions go
  to a successor: the admin who removes them, or, when they leave on their own, the
  organisation's longest-serving other admin. Approvals waiting for them (gate decisions and
  SOP versions) go to the same successor; the approval chain names the successor in their place.
- If they chair the decision rule, the rule has no chair any more (admins decide as chair).

Every change to an initiative is written in its history. The organisation's last admin can
neither leave nor be removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from textwrap import shorten
from typing import Any

from tracker.accounts.rules import Role, last_admin_leaving
from tracker.accounts.tables import Membership, Person
from tracker.db import write_transaction
from tracker.digests.tables import DigestPreference
from tracker.gates.tables import (
    ApprovalStep,
    Condition,
    GateReview,
    GateRule,
    InitiativeEvent,
    ReviewAssignment,
    Vote,
)
from tracker.gates.voting import try_close
from tracker.i18n import gettext as _
from tracker.initiatives.rules import REVIEW_OPEN_STATES
from tracker.initiatives.tables import Initiative
from tracker.organisations import rules
from tracker.sops.tables import SopApproval
from tracker.tenancy import MAX_ID, TenantScope


@dataclass
class Departure:
    """What leaving means for one person in one organisation."""

    membership_id: int
    person_id: int
    person_name: str
    role: str
    refused: str | None = None  # why they cannot leave (already translated)
    successor_id: int | None = None
    successor_name: str = ""
    no_longer_awaited: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)
    votes_kept: list[dict[str, Any]] = field(default_factory=list)
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    open_reviews_led: list[dict[str, Any]] = field(default_factory=list)
    conditions: int = 0
    approvals: int = 0
    chair: bool = False
    chain: bool = False


async def _successor(scope: TenantScope, person_id: int, actor_id: int) -> dict[str, Any] | None:
    if actor_id != person_id:
        return await Person.select(Person.id, Person.name).where(Person.id == actor_id).first()
    row = (
        await scope.select(Membership, Membership.person.id, Membership.person.name)
        .where(Membership.role == Role.ADMIN, Membership.person != person_id)
        .order_by(Membership.created_at)
        .order_by(Membership.id)
        .first()
    )
    return None if row is None else {"id": row["person.id"], "name": row["person.name"]}


async def plan(org_id: int, membership_id: int, actor_id: int) -> Departure | None:
    """What would happen if the membership ended now (None: no such membership here)."""
    if not 0 < membership_id <= MAX_ID:
        return None
    scope = TenantScope(org_id)
    member = (
        await scope.select(
            Membership, Membership.person.id, Membership.person.name, Membership.role
        )
        .where(Membership.id == membership_id)
        .first()
    )
    if member is None:
        return None
    person_id = member["person.id"]
    out = Departure(membership_id, person_id, member["person.name"], member["role"])
    admins = await scope.count(Membership).where(Membership.role == Role.ADMIN)
    if last_admin_leaving(member["role"], admins):
        out.refused = _(
            "An organisation needs at least one admin: make someone else an admin first."
        )
        return out
    successor = await _successor(scope, person_id, actor_id)
    if successor is not None:
        out.successor_id, out.successor_name = successor["id"], successor["name"]
    await _reviews(scope, person_id, out)
    out.initiatives = await scope.select(Initiative, Initiative.id, Initiative.name).where(
        Initiative.owner == person_id
    )
    owned = [i["id"] for i in out.initiatives]
    if owned:
        out.open_reviews_led = await scope.select(
            GateReview, GateReview.id, GateReview.gate, GateReview.initiative.name
        ).where(
            GateReview.initiative.is_in(owned), GateReview.status.is_in(list(REVIEW_OPEN_STATES))
        )
    out.conditions = await scope.count(Condition).where(
        Condition.owner == person_id, Condition.closed_at.is_null()
    )
    out.approvals = await scope.count(ApprovalStep).where(
        ApprovalStep.approver == person_id, ApprovalStep.status == "pending"
    ) + await scope.count(SopApproval).where(
        SopApproval.approver == person_id, SopApproval.decision == ""
    )
    rule = await scope.select(GateRule, GateRule.chair, GateRule.approval_chain).first()
    if rule is not None:
        out.chair = rule["chair"] == person_id
        chain = json.loads(rule["approval_chain"] or "[]")
        out.chain = any(step.get("person") == person_id for step in chain)
    return out


async def _reviews(scope: TenantScope, person_id: int, out: Departure) -> None:
    """Sort the open reviews the person is a reviewer of by what happens to them."""
    mine = await scope.select(
        ReviewAssignment,
        ReviewAssignment.review.id,
        ReviewAssignment.review.gate,
        ReviewAssignment.review.initiative.id,  # type: ignore[union-attr]
        ReviewAssignment.review.initiative.name,  # type: ignore[union-attr]
    ).where(ReviewAssignment.reviewer == person_id, ReviewAssignment.review.status == "open")
    if not mine:
        return
    ids = [a["review.id"] for a in mine]
    voted = {
        v["review"]
        for v in await scope.select(Vote, Vote.review).where(
            Vote.review.is_in(ids), Vote.reviewer == person_id
        )
    }
    others: dict[int, int] = {}
    for a in await scope.select(ReviewAssignment, ReviewAssignment.review).where(
        ReviewAssignment.review.is_in(ids), ReviewAssignment.reviewer != person_id
    ):
        others[a["review"]] = others.get(a["review"], 0) + 1
    for a in mine:
        item = {
            "id": a["review.id"],
            "gate": a["review.gate"],
            "initiative": a["review.initiative.id"],
            "name": a["review.initiative.name"],
        }
        fate = rules.reviewer_fate(a["review.id"] in voted, others.get(a["review.id"], 0))
        {
            rules.ReviewerFate.VOTE_KEPT: out.votes_kept,
            rules.ReviewerFate.NO_LONGER_AWAITED: out.no_longer_awaited,
            rules.ReviewerFate.WITHDRAWN: out.withdrawn,
        }[fate].append(item)


async def _history(
    scope: TenantScope, initiative_id: int, actor_id: int, kind: str, **detail: Any
) -> None:
    await scope.insert(
        InitiativeEvent,
        {
            "initiative": initiative_id,
            "actor": actor_id,
            "kind": kind,
            "detail": json.dumps(detail, default=str),
        },
    )


async def carry_out(org_id: int, membership_id: int, actor_id: int) -> Departure | None:
    """End the membership and hand on or withdraw the person's open work (see the module).
    Returns what was done, with ``refused`` set when nothing was; None when no such
    membership."""
    scope = TenantScope(org_id)
    async with write_transaction():
        out = await plan(org_id, membership_id, actor_id)
        if out is None or out.refused:
            return out
        person, successor = out.person_id, out.successor_id
        for item in out.no_longer_awaited + out.withdrawn:
            await scope.delete(
                ReviewAssignment,
                ReviewAssignment.review == item["id"],
                ReviewAssignment.reviewer == person,
            )
            await _history(
                scope,
                item["initiative"],
                actor_id,
                "reviewer_left",
                review=item["id"],
                reviewer=out.person_name,
            )
        for item in out.withdrawn:
            await scope.update(
                GateReview,
                {GateReview.status: "withdrawn"},
                GateReview.id == item["id"],
                GateReview.status == "open",
            )
            await _history(
                scope,
                item["initiative"],
                actor_id,
                "review_withdrawn",
                review=item["id"],
                gate=item["gate"],
            )
        await _hand_over(scope, out, actor_id)
        await scope.delete(DigestPreference, DigestPreference.person == person)
        await scope.delete(Membership, Membership.id == membership_id)
    if successor is None:
        return out
    for item in out.no_longer_awaited:  # the rule again, on the votes cast so far
        await try_close(scope, item["id"])
    return out


async def _hand_over(scope: TenantScope, out: Departure, actor_id: int) -> None:
    person, successor = out.person_id, out.successor_id
    for initiative in out.initiatives:
        await scope.update(
            Initiative,
            {Initiative.owner: successor, Initiative.version: Initiative.version + 1},
            Initiative.id == initiative["id"],
        )
        await _history(
            scope,
            initiative["id"],
            actor_id,
            "handed_over",
            **{"from": out.person_name, "to": out.successor_name},
        )
    await scope.update(
        Condition,
        {Condition.owner: successor},
        Condition.owner == person,
        Condition.closed_at.is_null(),
    )
    await scope.update(
        ApprovalStep,
        {ApprovalStep.approver: successor},
        ApprovalStep.approver == person,
        ApprovalStep.status == "pending",
    )
    await scope.update(
        SopApproval,
        {SopApproval.approver: successor},
        SopApproval.approver == person,
        SopApproval.decision == "",
    )
    rule = await scope.select(GateRule, GateRule.id, GateRule.approval_chain).first()
    if rule is None:
        return
    chain = json.loads(rule["approval_chain"] or "[]")
    for step in chain:
        if step.get("person") == person:
            step["person"] = successor
    values: dict[Any, Any] = {GateRule.approval_chain: json.dumps(chain)}
    if out.chair:
        values[GateRule.chair] = None
    if out.chair or out.chain:
        values[GateRule.version] = GateRule.version + 1
        await scope.update(GateRule, values, GateRule.id == rule["id"])


def _names(items: list[dict[str, Any]]) -> str:
    # short enough for the flash message (a cookie) whatever the initiatives are called
    shown = [
        _("%(name)s (gate %(n)s)", name=shorten(i["name"], 60, placeholder="…"), n=i["gate"])
        for i in items[:5]
    ]
    if len(items) > 5:
        shown.append(_("%(n)s more", n=len(items) - 5))
    return ", ".join(shown)


def summary(out: Departure, yours: bool = False) -> list[str]:
    """What happened (or would happen), sentence by sentence, for the person to read;
    ``yours`` when the reader is the one leaving."""
    lines = []
    if out.no_longer_awaited:
        awaited = _names(out.no_longer_awaited)
        lines.append(
            _("Your vote is no longer awaited on: %(list)s.", list=awaited)
            if yours
            else _("Their vote is no longer awaited on: %(list)s.", list=awaited)
        )
    if out.withdrawn:
        lines.append(
            _(
                "Withdrawn, as no reviewer is left: %(list)s. The lead can request it again.",
                list=_names(out.withdrawn),
            )
        )
    if out.votes_kept:
        kept = _names(out.votes_kept)
        lines.append(
            _("Your votes stay on: %(list)s.", list=kept)
            if yours
            else _("Their votes stay on: %(list)s.", list=kept)
        )
    if out.initiatives or out.conditions or out.approvals:
        lines.append(
            _(
                "%(who)s takes over %(i)s initiatives (with %(r)s open reviews), %(c)s open "
                "conditions and %(a)s approvals waiting.",
                who=out.successor_name,
                i=len(out.initiatives),
                r=len(out.open_reviews_led),
                c=out.conditions,
                a=out.approvals,
            )
        )
    if out.chain:
        lines.append(
            _("The approval chain names %(who)s in your place.", who=out.successor_name)
            if yours
            else _("The approval chain names %(who)s in their place.", who=out.successor_name)
        )
    if out.chair:
        lines.append(_("The decision rule has no chair any more: admins decide as chair."))
    return lines
