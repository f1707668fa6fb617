"""Deciding a review: through the approval chain, by the chair, or by the rule (recorded
here), and the decision's effect on the initiative's phases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.accounts.rules import Role
from tracker.db import (
    write_transaction,
)
from tracker.errors import Invalid
from tracker.gates import rules
from tracker.gates.common import (
    CONDITION_DAYS,
    GateError,
    claim,
    event,
    plan_conditions,
)
from tracker.gates.forms import DecisionInput
from tracker.gates.rules import VoteKind
from tracker.gates.tables import (
    ApprovalStep,
    Condition,
    GateDecision,
    GateReview,
)
from tracker.gates.telling import tell_approver, tell_decided
from tracker.i18n import gettext as _
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative, Phase
from tracker.sops.lifecycle import published_for as sop_published
from tracker.tenancy import OrgContext, TenantScope


async def conclude(
    scope: TenantScope,
    review: dict[str, Any],
    decision: str,
    recycle_to: int | None,
    method: str,
    decided_by: int | None,
    rationale: str,
    conditions: list[rules.ConditionPlan],
    condition_due: date,
    next_gate_date: date | None,
) -> None:
    """Route a decision through the approval chain (Go only), or record it now."""
    advancing = decision in (VoteKind.GO, VoteKind.GO_CONDITIONS)
    if (
        advancing
        and review["gate"] == rules.ROLLOUT_GATE
        and not await sop_published(scope, review["initiative"])
    ):
        raise GateError(
            _("The rollout gate cannot pass without a published SOP version; publish it first.")
        )
    chain = json.loads(review["rule_snapshot"]).get("chain") or []
    pending = {
        "decision": decision,
        "recycle_to": recycle_to,
        "method": method,
        "decided_by": decided_by,
        "rationale": rationale,
        # each with its owner and due date, or the defaults (the lead; ``condition_due``)
        "conditions": [
            {"text": c.text, "owner": c.owner, "due": c.due.isoformat() if c.due else None}
            for c in conditions
        ],
        "condition_due": condition_due.isoformat(),
        "next_gate_date": next_gate_date.isoformat() if next_gate_date else None,
    }
    if chain and decision in (VoteKind.GO, VoteKind.GO_CONDITIONS):
        await scope.update(
            GateReview,
            {GateReview.status: "approving", GateReview.pending_outcome: json.dumps(pending)},
            GateReview.id == review["id"],
        )
        await scope.insert(
            ApprovalStep,
            *(
                {
                    "review": review["id"],
                    "level": i + 1,
                    "label": level["label"],
                    "approver": level["person"],
                }
                for i, level in enumerate(chain)
            ),
        )
        await event(
            scope,
            review["initiative"],
            decided_by,
            "approval_started",
            review=review["id"],
            decision=decision,
            levels=len(chain),
        )
        await tell_approver(scope, review, 1, chain[0]["person"], decided_by)
        return
    await record_decision(scope, review, pending)


async def record_decision(
    scope: TenantScope, review: dict[str, Any], pending: dict[str, Any]
) -> int:
    """Write the permanent decision and apply its effect to the initiative's phases."""
    initiative = await scope.get(
        Initiative,
        review["initiative"],
        Initiative.id,
        Initiative.name,
        Initiative.owner,
        Initiative.status,
        Initiative.current_phase.number,
        Initiative.current_phase,
    )
    current = initiative["current_phase.number"]
    decision, recycle_to = pending["decision"], pending["recycle_to"]
    effect = rules.decision_effect(current, decision, recycle_to)
    today = date.today()
    phases = {
        p["number"]: p
        for p in await scope.select(Phase, *Phase.all_columns()).where(
            Phase.initiative == initiative["id"]
        )
    }
    next_gate = pending.get("next_gate_date")
    if not next_gate and effect.phase != current:
        planned_end = phases[effect.phase]["planned_end"]
        next_gate = planned_end.isoformat() if planned_end else None
    decision_id = (
        await scope.insert(
            GateDecision,
            {
                "review": review["id"],
                "initiative": initiative["id"],
                "gate": review["gate"],
                "outcome": decision,
                "recycle_to": recycle_to,
                "method": pending["method"],
                "decided_by": pending["decided_by"],
                "rationale": pending["rationale"],
                "next_gate_date": date.fromisoformat(next_gate) if next_gate else None,
                "from_phase": current,
                "to_phase": effect.phase,
            },
        )
    )[0]["id"]
    if effect.close_current:
        await scope.update(Phase, {Phase.actual_end: today}, Phase.id == phases[current]["id"])
    if effect.reopen_from is not None:
        # plan the phases again from the one returned to, back to back from today
        for planned in initiative_rules.plan_phases(today, first=effect.reopen_from):
            number = int(planned.number)
            await scope.update(
                Phase,
                {
                    Phase.planned_start: planned.planned_start,
                    Phase.planned_end: planned.planned_end,
                    Phase.actual_start: today if number == effect.reopen_from else None,
                    Phase.actual_end: None,
                },
                Phase.id == phases[number]["id"],
            )
    elif effect.phase != current:
        await scope.update(
            Phase,
            {Phase.actual_start: today, Phase.actual_end: None},
            Phase.id == phases[effect.phase]["id"],
        )
    values: dict[Any, Any] = {
        Initiative.current_phase: phases[effect.phase]["id"],
        Initiative.version: Initiative.version + 1,
        Initiative.updated_at: datetime.now(UTC),
    }
    if effect.status:
        values[Initiative.status] = effect.status
    await scope.update(Initiative, values, Initiative.id == initiative["id"])
    condition_rows: list[dict[str, Any]] = []
    if pending["conditions"]:
        due = date.fromisoformat(pending["condition_due"])
        condition_rows = await scope.insert(
            Condition,
            *(
                {
                    "initiative": initiative["id"],
                    "decision": decision_id,
                    "text": c["text"],
                    "owner": c.get("owner") or initiative["owner"],
                    "due_date": date.fromisoformat(c["due"]) if c.get("due") else due,
                }
                # a decision pending approval from before owners and dates holds plain texts
                for c in ({"text": c} if isinstance(c, str) else c for c in pending["conditions"])
            ),
        )
    await scope.update(GateReview, {GateReview.status: "decided"}, GateReview.id == review["id"])
    await event(
        scope,
        initiative["id"],
        pending["decided_by"],
        "decided",
        review=review["id"],
        decision=decision,
        recycle_to=recycle_to,
        method=pending["method"],
        from_phase=current,
        to_phase=effect.phase,
        conditions=len(pending["conditions"]),
    )
    await tell_decided(scope, review, initiative, pending, condition_rows)
    return int(decision_id)


async def chair_decide(ctx: OrgContext, review_id: int, given: DecisionInput) -> None:
    """The chair records the decision. Field errors: ``Invalid``, each beside its field."""
    scope = ctx.scope
    view_rule = await scope.get(
        GateReview, review_id, GateReview.rule_snapshot, GateReview.status, GateReview.gate
    )
    rule = json.loads(view_rule["rule_snapshot"])
    if not (ctx.role == Role.ADMIN or rule.get("chair") == ctx.person_id):
        raise GateError(_("Only the committee chair records the decision."), 403)
    if view_rule["status"] not in ("open", "awaiting_chair"):
        raise GateError(_("This review is already decided."))
    errors: dict[str, str] = {}
    decision = given.decision
    if decision not in set(rules.DECISIONS):
        errors.setdefault("decision", _("Choose the decision."))
    recycle_to = None
    if decision == VoteKind.RECYCLE:
        target = given.recycle_to
        if not target.isdigit() or int(target) not in rules.recycle_targets(view_rule["gate"]):
            errors.setdefault("recycle_to", _("Choose the phase to return to."))
        else:
            recycle_to = int(target)
    rationale = given.rationale
    if not rationale:
        errors.setdefault("rationale", _("Give the reason for this decision."))
    if len(rationale) > 5000:
        errors.setdefault("rationale", _("Use at most %(n)s characters.", n=5000))
    conditions = await plan_conditions(given.conditions, scope.org_id, errors)
    if decision == VoteKind.GO_CONDITIONS and not conditions:
        errors.setdefault("condition_0", _("Write at least one condition."))
    condition_due = date.today() + timedelta(days=CONDITION_DAYS)
    if given.condition_due:
        try:
            condition_due = date.fromisoformat(given.condition_due)
        except ValueError:
            errors.setdefault("condition_due", _("Enter a date as YYYY-MM-DD."))
    next_gate = None
    if given.next_gate_date:
        try:
            next_gate = date.fromisoformat(given.next_gate_date)
        except ValueError:
            errors.setdefault("next_gate_date", _("Enter a date as YYYY-MM-DD."))
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
    async with write_transaction():
        if not await claim(scope, review_id, ["open", "awaiting_chair"]):
            raise GateError(_("This review is already decided."))
        review = await scope.get(GateReview, review_id, *GateReview.all_columns())
        await conclude(
            scope,
            review,
            decision,
            recycle_to,
            method="chair",
            decided_by=ctx.person_id,
            rationale=rationale,
            conditions=conditions if decision == VoteKind.GO_CONDITIONS else [],
            condition_due=condition_due,
            next_gate_date=next_gate,
        )


async def act_on_approval(ctx: OrgContext, review_id: int, approve: bool, note: str) -> None:
    scope = ctx.scope
    if not approve and not note:
        raise GateError(_("Give the reason for declining."), 422)
    async with write_transaction():
        if not await claim(scope, review_id, ["approving"]):
            raise GateError(_("This review is not waiting for approval."))
        steps = (
            await scope.select(ApprovalStep, *ApprovalStep.all_columns())
            .where(ApprovalStep.review == review_id, ApprovalStep.status == "pending")
            .order_by(ApprovalStep.level)
        )
        if not steps or steps[0]["approver"] != ctx.person_id:
            raise GateError(_("It is not your turn to approve this decision."), 403)
        step = steps[0]
        await scope.update(
            ApprovalStep,
            {
                ApprovalStep.status: "approved" if approve else "declined",
                ApprovalStep.acted_at: datetime.now(UTC),
                ApprovalStep.note: note[:5000],
            },
            ApprovalStep.id == step["id"],
        )
        review = await scope.get(GateReview, review_id, *GateReview.all_columns())
        await event(
            scope,
            review["initiative"],
            ctx.person_id,
            "approval_approved" if approve else "approval_declined",
            review=review_id,
            level=step["level"],
            label=step["label"],
        )
        pending = json.loads(review["pending_outcome"])
        if approve and len(steps) > 1:
            await tell_approver(
                scope, review, steps[1]["level"], steps[1]["approver"], ctx.person_id
            )
            return
        if not approve:
            pending = {
                **pending,
                "decision": VoteKind.HOLD,
                "recycle_to": None,
                "method": "approval",
                "decided_by": ctx.person_id,
                "conditions": [],
                "rationale": f"{step['label']}: {note}\n{pending['rationale']}".strip(),
            }
        await record_decision(scope, review, pending)
