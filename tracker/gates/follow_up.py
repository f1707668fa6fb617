"""After the decision: closing conditions, resuming an initiative on hold, corrections."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.accounts.rules import Role
from tracker.db import (
    write_transaction,
)
from tracker.gates.common import (
    GateError,
    event,
)
from tracker.gates.settings_service import rule_row
from tracker.gates.tables import (
    Condition,
    DecisionCorrection,
    GateDecision,
)
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
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
