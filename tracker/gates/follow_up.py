"""After the decision: closing conditions, resuming an initiative on hold, corrections."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tracker.accounts.rules import Role
from tracker.accounts.tables import Person
from tracker.db import (
    write_transaction,
)
from tracker.gates import rules
from tracker.gates.common import (
    GateError,
    event,
    member_ids,
)
from tracker.gates.settings_service import rule_row
from tracker.gates.tables import (
    Condition,
    DecisionCorrection,
    GateDecision,
)
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.notifications import Kind, notify
from tracker.tenancy import OrgContext


async def close_condition(ctx: OrgContext, condition_id: int, note: str) -> int:
    scope = ctx.scope
    condition = await scope.get(
        Condition,
        condition_id,
        Condition.id,
        Condition.owner,
        Condition.initiative,
        Condition.initiative.owner,
        Condition.closed_at,
    )
    allowed = ctx.role == Role.ADMIN or ctx.person_id in (
        condition["owner"],
        condition["initiative.owner"],
    )
    if not allowed:
        raise GateError(_("Only the condition's owner or the initiative's lead closes it."), 403)
    async with write_transaction():
        rows = await scope.update(
            Condition,
            {
                Condition.closed_at: datetime.now(UTC),
                Condition.closed_by: ctx.person_id,
                Condition.closing_note: note[:5000],
            },
            Condition.id == condition_id,
            Condition.closed_at.is_null(),
        ).returning(Condition.id)
        if not rows:
            raise GateError(_("This condition is already closed."))
        await event(
            scope,
            condition["initiative"],
            ctx.person_id,
            "condition_closed",
            condition=condition_id,
        )
    return int(condition["initiative"])


async def resume(ctx: OrgContext, initiative_id: int) -> None:
    if ctx.role not in (Role.ADMIN, Role.COMMITTEE):
        raise GateError(_("Only the steering committee resumes an initiative on hold."), 403)
    scope = ctx.scope
    async with write_transaction():
        rows = await scope.update(
            Initiative,
            {Initiative.status: "on_track", Initiative.version: Initiative.version + 1},
            Initiative.id == initiative_id,
            Initiative.status == "on_hold",
        ).returning(Initiative.id)
        if not rows:
            await scope.get(Initiative, initiative_id, Initiative.id)  # 404 for a missing one
            raise GateError(_("The initiative is not on hold."))
        await event(scope, initiative_id, ctx.person_id, "resumed")


async def add_correction(ctx: OrgContext, decision_id: int, text: str) -> int:
    rule = await rule_row(ctx.scope)
    if not (ctx.role == Role.ADMIN or rule["chair"] == ctx.person_id):
        raise GateError(_("Only the committee chair records a correction."), 403)
    decision = await ctx.scope.get(
        GateDecision, decision_id, GateDecision.id, GateDecision.review, GateDecision.initiative
    )
    if not text.strip():
        raise GateError(_("Write the correction."), 422)
    async with write_transaction():
        await ctx.scope.insert(
            DecisionCorrection,
            {"decision": decision_id, "author": ctx.person_id, "text": text.strip()[:5000]},
        )
        await event(
            ctx.scope,
            decision["initiative"],
            ctx.person_id,
            "correction_added",
            decision=decision_id,
        )
    return int(decision["review"])


async def replan_condition(ctx: OrgContext, condition_id: int, owner: str, due: str) -> int:
    """The initiative's lead (or an admin) gives an open condition another owner or due
    date; the history keeps who changed what, from what to what."""
    scope = ctx.scope
    condition = await scope.get(
        Condition,
        condition_id,
        Condition.text,
        Condition.owner,
        Condition.owner.name,
        Condition.due_date,
        Condition.initiative,
        Condition.initiative.owner,
        Condition.closed_at,
    )
    if not (ctx.role == Role.ADMIN or ctx.person_id == condition["initiative.owner"]):
        raise GateError(_("Only the initiative's lead reassigns or re-dates a condition."), 403)
    if condition["closed_at"] is not None:
        raise GateError(_("This condition is already closed."))
    new_owner = int(owner) if owner.isdigit() and len(owner) < 10 else None
    try:
        new_due: date | None = date.fromisoformat(due)
    except ValueError:
        new_due = None
    problems = rules.replan_problems(new_owner, new_due, await member_ids(ctx.org_id), date.today())
    if problems:
        raise GateError(" ".join(_(m) for m in problems.values()), 422)
    assert new_owner is not None and new_due is not None
    if (new_owner, new_due) == (condition["owner"], condition["due_date"]):
        return int(condition["initiative"])
    name = await Person.select(Person.name).where(Person.id == new_owner).first()
    async with write_transaction():
        await scope.update(
            Condition,
            {Condition.owner: new_owner, Condition.due_date: new_due},
            Condition.id == condition_id,
        )
        await event(
            scope,
            condition["initiative"],
            ctx.person_id,
            "condition_replanned",
            condition=condition_id,
            text=condition["text"],
            owner_from=condition["owner.name"],
            owner_to=name["name"] if name else "",
            due_from=condition["due_date"].isoformat(),
            due_to=new_due.isoformat(),
        )
        await notify(
            scope,
            kind=Kind.CONDITION_ASSIGNED,
            recipients=[new_owner],
            actor_id=ctx.person_id,
            subject_kind="condition",
            subject_id=condition_id,
            url=f"/o/{ctx.slug}/initiatives/{condition['initiative']}#conditions-h",
            key=f"condition_assigned:condition:{condition_id}",
            title=condition["text"],
        )
    return int(condition["initiative"])
