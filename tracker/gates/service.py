"""Gate reviews: requesting, scoring and voting, deciding (by rule, chair or approval chain),
and the decision's effect on the initiative. Always scoped to one organisation.

Concurrency: one vote per reviewer and one decision per review are unique keys in the
database. Closing a review first bumps ``claim`` on the review row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent closers run one after the other and
the second sees the review already decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.accounts.rules import Role
from tracker.accounts.tables import Membership
from tracker.db import (
    fetch,
    fetch_dicts,
    is_unique_violation,
    joined_transaction,
    write_transaction,
)
from tracker.gates import rules
from tracker.gates.rules import OutcomeState, VoteKind
from tracker.gates.settings_service import criteria as template_criteria
from tracker.gates.settings_service import rule_row, snapshot
from tracker.gates.tables import (
    ApprovalStep,
    Condition,
    DecisionCorrection,
    GateDecision,
    GateReview,
    ReviewAssignment,
    ReviewCriterion,
    Vote,
)
from tracker.i18n import gettext as _
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative, Phase
from tracker.sops.service import published_for as sop_published
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.web import Form

OPEN_STATES = ("open", "awaiting_chair", "approving")
CONDITION_DAYS = 14


class GateError(Exception):
    """A refused gate action; the message is for the person (already translated)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


async def event(
    scope: TenantScope, initiative_id: int, actor: int | None, kind: str, **detail: Any
) -> None:
    # hand-written, as the vote's other writes (see submit_vote)
    await fetch(
        "INSERT INTO initiative_event (org, initiative, at, actor, kind, detail) "
        "VALUES ({}, {}, {}, {}, {}, {})",
        scope.org_id,
        initiative_id,
        datetime.now(UTC),
        actor,
        kind,
        json.dumps(detail, default=str),
    )


# --- requesting -------------------------------------------------------------------------


async def committee_members(org_id: int) -> list[dict[str, Any]]:
    return (
        await Membership.select(Membership.person.id, Membership.person.name)
        .where(Membership.org == org_id, Membership.role.is_in([Role.COMMITTEE, Role.ADMIN]))
        .order_by(Membership.person.name)
    )


async def open_conditions(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return await scope.select(Condition, Condition.id, Condition.text, Condition.due_date).where(
        Condition.initiative == initiative_id, Condition.closed_at.is_null()
    )


def may_request(ctx: OrgContext, initiative: dict[str, Any]) -> bool:
    return ctx.role == Role.ADMIN or (
        ctx.role == Role.LEAD and initiative["owner"] == ctx.person_id
    )


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


async def request_review(ctx: OrgContext, initiative: dict[str, Any], form: Form) -> int | None:
    scope = ctx.scope
    gate = initiative["current_phase.number"]
    items = await template_criteria(scope, gate)
    proposed = form.get("proposed_decision")
    if proposed not in set(rules.DECISIONS):
        form.error("proposed_decision", _("Choose the decision you propose."))
    members = {m["person.id"] for m in await committee_members(ctx.org_id)}
    reviewers = sorted({int(r) for r in form.all("reviewers") if r.isdigit()})
    if not reviewers:
        form.error("reviewers", _("Choose at least one reviewer from the steering committee."))
    elif not set(reviewers) <= members:
        form.error(
            "reviewers", _("Reviewers must be steering-committee members of this organisation.")
        )
    due_raw = form.get("due_date")
    try:
        due = date.fromisoformat(due_raw)
        if due < date.today():
            form.error("due_date", _("The decision cannot be due in the past."))
    except ValueError:
        form.error("due_date", _("Enter a date as YYYY-MM-DD."))
        due = date.today()
    for item in items:
        form.limit(f"note_{item['id']}", 5000)
        form.limit(f"links_{item['id']}", 2000)
    if not form.ok:
        return None
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
                            "evidence_note": form.get(f"note_{c['id']}"),
                            "evidence_links": form.get(f"links_{c['id']}"),
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
    except Exception as error:
        if not is_unique_violation(error):
            raise
        raise GateError(_("A gate review is already open for this initiative.")) from None
    return int(review_id)


# --- the review page --------------------------------------------------------------------


@dataclass
class ReviewView:
    review: dict[str, Any]
    criteria: list[dict[str, Any]]
    reviewers: list[dict[str, Any]]
    votes: list[dict[str, Any]]
    my_vote: dict[str, Any] | None
    is_reviewer: bool
    show_tally: bool
    tally: rules.Tally | None
    decision: dict[str, Any] | None
    conditions: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    rule: dict[str, Any]
    is_chair: bool
    my_step: dict[str, Any] | None
    recycle_targets: list[int]
    corrections: list[dict[str, Any]]
    vote_count: int


async def review_view(ctx: OrgContext, review_id: int) -> ReviewView:
    """Everything the review page shows. Hand-written SQL (the same on both databases): the
    page is a committee's busiest, and building its nine queries cost more than running them."""
    scope = ctx.scope
    org = scope.org_id
    review = await _one(
        'SELECT r.*, i.name AS "initiative.name", i.process_code AS "initiative.process_code", '
        'i.owner AS "initiative.owner", ph.number AS "initiative.current_phase.number", '
        'p.name AS "requested_by.name" FROM gate_review r '
        "JOIN initiative i ON i.id = r.initiative "
        "LEFT JOIN phase ph ON ph.id = i.current_phase "
        "LEFT JOIN person p ON p.id = r.requested_by "
        "WHERE r.org = {} AND r.id = {}",
        org,
        review_id,
    )
    items = await fetch_dicts(
        "SELECT * FROM review_criterion WHERE org = {} AND review = {} ORDER BY position",
        org,
        review_id,
    )
    reviewers = await fetch_dicts(
        'SELECT a.reviewer, p.name AS "reviewer.name" FROM review_assignment a '
        "JOIN person p ON p.id = a.reviewer WHERE a.org = {} AND a.review = {} ORDER BY p.name",
        org,
        review_id,
    )
    votes = await fetch_dicts(
        'SELECT v.*, p.name AS "reviewer.name" FROM gate_vote v '
        "JOIN person p ON p.id = v.reviewer WHERE v.org = {} AND v.review = {} "
        "ORDER BY v.submitted_at",
        org,
        review_id,
    )
    my_vote = next((v for v in votes if v["reviewer"] == ctx.person_id), None)
    is_reviewer = any(r["reviewer"] == ctx.person_id for r in reviewers)
    # Independent scoring: a reviewer sees the others' scores only after submitting their own.
    show_tally = not is_reviewer or my_vote is not None or review["status"] == "decided"
    tally = None
    if show_tally:
        scores = await fetch_dicts(
            "SELECT criterion, reviewer, value FROM gate_score WHERE org = {} AND review = {}",
            org,
            review_id,
        )
        tally = rules.tally(items, scores)
    decisions = await fetch_dicts(
        'SELECT d.*, p.name AS "decided_by.name" FROM gate_decision d '
        "LEFT JOIN person p ON p.id = d.decided_by WHERE d.org = {} AND d.review = {} LIMIT 1",
        org,
        review_id,
    )
    decision = decisions[0] if decisions else None
    conditions: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    if decision:
        conditions = await fetch_dicts(
            'SELECT c.*, o.name AS "owner.name", b.name AS "closed_by.name" '
            "FROM gate_condition c LEFT JOIN person o ON o.id = c.owner "
            "LEFT JOIN person b ON b.id = c.closed_by WHERE c.org = {} AND c.decision = {}",
            org,
            decision["id"],
        )
        corrections = await fetch_dicts(
            'SELECT k.*, p.name AS "author.name" FROM decision_correction k '
            "LEFT JOIN person p ON p.id = k.author WHERE k.org = {} AND k.decision = {} "
            "ORDER BY k.created_at",
            org,
            decision["id"],
        )
    steps = await fetch_dicts(
        'SELECT s.*, p.name AS "approver.name" FROM approval_step s '
        "LEFT JOIN person p ON p.id = s.approver WHERE s.org = {} AND s.review = {} "
        "ORDER BY s.level",
        org,
        review_id,
    )
    rule = json.loads(review["rule_snapshot"])
    is_chair = ctx.role == Role.ADMIN or rule.get("chair") == ctx.person_id
    pending = [s for s in steps if s["status"] == "pending"]
    my_step = (
        pending[0]
        if pending and pending[0]["approver"] == ctx.person_id and review["status"] == "approving"
        else None
    )
    vote_count = len(votes)
    voted = {v["reviewer"] for v in votes}
    for r in reviewers:
        r["voted"] = r["reviewer"] in voted
    if not show_tally:
        votes = [v for v in votes if v["reviewer"] == ctx.person_id]
    return ReviewView(
        review=review,
        criteria=items,
        reviewers=reviewers,
        votes=votes,
        my_vote=my_vote,
        is_reviewer=is_reviewer,
        show_tally=show_tally,
        tally=tally,
        decision=decision,
        conditions=conditions,
        steps=steps,
        rule=rule,
        is_chair=is_chair,
        my_step=my_step,
        recycle_targets=rules.recycle_targets(review["gate"]),
        corrections=corrections,
        vote_count=vote_count,
    )


# --- voting -----------------------------------------------------------------------------


def _parse_conditions(text: str) -> list[str]:
    return [line.strip()[:500] for line in text.splitlines() if line.strip()][:20]


async def submit_vote(ctx: OrgContext, review_id: int, form: Form) -> None:
    """Score every criterion and vote (or abstain); then let the decision rule speak."""
    scope = ctx.scope
    # The vote is the busiest write: its reads are hand-written (the same SQL on both databases).
    review = await _one(
        "SELECT r.id, r.status, r.gate, r.initiative, EXISTS ("
        "  SELECT 1 FROM review_assignment a WHERE a.review = r.id AND a.reviewer = {}"
        ") AS assigned FROM gate_review r WHERE r.org = {} AND r.id = {}",
        ctx.person_id,
        scope.org_id,
        review_id,
    )
    if not review["assigned"]:
        raise GateError(_("Only the assigned reviewers vote on this gate."), 403)
    if ctx.role == Role.VIEWER:
        raise GateError(_("Your role in this organisation does not allow this."), 403)
    if review["status"] != "open":
        raise GateError(_("Voting on this review has closed."))
    vote = form.get("vote")
    if vote not in set(VoteKind):
        form.error("vote", _("Choose your vote."))
    items = await fetch(
        "SELECT id, kind FROM review_criterion WHERE org = {} AND review = {} "
        "ORDER BY position, id",
        scope.org_id,
        review_id,
    )
    values: dict[int, int | None] = {}
    for item in items:
        raw = form.get(f"score_{item['id']}")
        values[item["id"]] = int(raw) if raw.isdigit() and len(raw) < 3 else None
    if vote != VoteKind.ABSTAIN:
        for criterion_id, message in rules.check_scores(items, values).items():
            form.error(f"score_{criterion_id}", _(message))
    recycle_to = None
    if vote == VoteKind.RECYCLE:
        target = form.get("recycle_to")
        if not target.isdigit() or int(target) not in rules.recycle_targets(review["gate"]):
            form.error("recycle_to", _("Choose the phase to return to."))
        else:
            recycle_to = int(target)
    rationale = form.limit("rationale", 5000)
    if vote in (VoteKind.RECYCLE, VoteKind.HOLD, VoteKind.STOP) and not rationale:
        form.error("rationale", _("Give the reason for this vote."))
    conditions = form.limit("conditions", 5000)
    if vote == VoteKind.GO_CONDITIONS and not _parse_conditions(conditions):
        form.error("conditions", _("List the conditions, one per line."))
    if not form.ok:
        raise GateError(_("Please correct the marked fields."), 422)
    # Hand-written, as the reads above: building these inserts with the query builder was a
    # fifth of a vote's time. Behind the wall they join the request's transaction: a second
    # vote inserts nothing (no error to roll back to a savepoint from), and any other failure
    # fails the request, which then writes nothing.
    async with joined_transaction():
        cast = await fetch(
            "INSERT INTO gate_vote (org, review, reviewer, vote, recycle_to, rationale, "
            "conditions, submitted_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) "
            "ON CONFLICT DO NOTHING RETURNING id",
            scope.org_id,
            review_id,
            ctx.person_id,
            vote,
            recycle_to,
            rationale,
            conditions if vote == VoteKind.GO_CONDITIONS else "",
            datetime.now(UTC),
        )
        if not cast:
            raise GateError(_("Your vote is already recorded; a vote cannot be changed."))
        if vote != VoteKind.ABSTAIN and values:
            await fetch(
                "INSERT INTO gate_score (org, review, criterion, reviewer, value) VALUES "
                + ", ".join("({}, {}, {}, {}, {})" for _ in values),
                *(
                    field
                    for cid, value in values.items()
                    for field in (scope.org_id, review_id, cid, ctx.person_id, value)
                ),
            )
        await event(scope, review["initiative"], ctx.person_id, "voted", review=review_id)
    await try_close(scope, review_id)


async def _one(sql: str, *values: Any) -> dict[str, Any]:
    """The one row a hand-written query finds, or 404."""
    if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in values):
        raise NotFoundException()
    rows = await fetch(sql, *values)
    if not rows:
        raise NotFoundException()
    return dict(rows[0])


async def _ballots(
    scope: TenantScope, review_id: int
) -> tuple[int, list[rules.Ballot], list[dict]]:
    """The number of assigned reviewers, the ballots and the votes, in one query."""
    rows = await fetch_dicts(
        "SELECT a.n AS assigned, v.reviewer, v.vote, v.recycle_to, v.conditions, v.rationale, "
        'p.name AS "reviewer.name", EXISTS ('
        "  SELECT 1 FROM gate_score s JOIN review_criterion c ON c.id = s.criterion"
        "  WHERE s.org = {} AND s.review = v.review AND s.reviewer = v.reviewer"
        "  AND s.value = 0 AND c.kind = {}"
        ") AS failed_must "
        "FROM (SELECT COUNT(*) AS n FROM review_assignment WHERE org = {} AND review = {}) a "
        "LEFT JOIN gate_vote v ON v.org = {} AND v.review = {} "
        "LEFT JOIN person p ON p.id = v.reviewer "
        "ORDER BY v.submitted_at, v.id",
        scope.org_id,
        rules.CriterionKind.MUST.value,
        scope.org_id,
        review_id,
        scope.org_id,
        review_id,
    )
    votes = [row for row in rows if row["reviewer"] is not None]
    ballots = [rules.Ballot(v["vote"], v["recycle_to"], bool(v["failed_must"])) for v in votes]
    return int(rows[0]["assigned"]), ballots, votes


async def _claim(scope: TenantScope, review_id: int, states: list[str]) -> dict[str, Any] | None:
    """The review, locked for this transaction (concurrent deciders take turns), if it is in
    one of ``states``."""
    marks = ", ".join("{}" for _ in states)
    rows = await fetch_dicts(
        f"UPDATE gate_review SET claim = claim + 1 "
        f"WHERE org = {{}} AND id = {{}} AND status IN ({marks}) RETURNING *",
        scope.org_id,
        review_id,
        *states,
    )
    return rows[0] if rows else None


async def try_close(scope: TenantScope, review_id: int) -> rules.Outcome | None:
    """Apply the decision rule to the votes so far; close the review when it decides."""
    async with joined_transaction():
        review = await _claim(scope, review_id, ["open"])
        if review is None:
            return None
        rule = json.loads(review["rule_snapshot"])
        decision_rule = rules.DecisionRule(
            rule["quorum_kind"],
            rule["quorum_value"],
            rule["go_threshold"],
            rule["stop_needs_chair"],
        )
        assigned, ballots, votes = await _ballots(scope, review_id)
        outcome = rules.evaluate(decision_rule, assigned, ballots)
        if outcome.state == OutcomeState.PENDING:
            return outcome
        # a refused decision rolls back alone: the vote that led to it stays
        async with write_transaction():
            if outcome.state == OutcomeState.NEEDS_CHAIR:
                await scope.update(
                    GateReview, {GateReview.status: "awaiting_chair"}, GateReview.id == review_id
                )
                await event(
                    scope,
                    review["initiative"],
                    None,
                    "awaiting_chair",
                    review=review_id,
                    reason=outcome.reason,
                    proposed=outcome.decision,
                )
                return outcome
            assert outcome.decision is not None
            conditions = (
                [
                    line
                    for v in votes
                    if v["vote"] == VoteKind.GO_CONDITIONS
                    for line in _parse_conditions(v["conditions"])
                ]
                if outcome.decision == VoteKind.GO_CONDITIONS
                else []
            )
            rationale = "\n".join(
                f"{v['reviewer.name']}: {v['rationale']}" for v in votes if v["rationale"]
            )
            await _conclude(
                scope,
                review,
                outcome.decision,
                outcome.recycle_to,
                method="rule",
                decided_by=None,
                rationale=rationale,
                conditions=conditions,
                condition_due=date.today() + timedelta(days=CONDITION_DAYS),
                next_gate_date=None,
            )
            return outcome


# --- deciding ---------------------------------------------------------------------------


async def _conclude(
    scope: TenantScope,
    review: dict[str, Any],
    decision: str,
    recycle_to: int | None,
    method: str,
    decided_by: int | None,
    rationale: str,
    conditions: list[str],
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
        "conditions": conditions,
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
    if pending["conditions"]:
        due = date.fromisoformat(pending["condition_due"])
        await scope.insert(
            Condition,
            *(
                {
                    "initiative": initiative["id"],
                    "decision": decision_id,
                    "text": text,
                    "owner": initiative["owner"],
                    "due_date": due,
                }
                for text in pending["conditions"]
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
    return int(decision_id)


async def chair_decide(ctx: OrgContext, review_id: int, form: Form) -> None:
    scope = ctx.scope
    view_rule = await scope.get(
        GateReview, review_id, GateReview.rule_snapshot, GateReview.status, GateReview.gate
    )
    rule = json.loads(view_rule["rule_snapshot"])
    if not (ctx.role == Role.ADMIN or rule.get("chair") == ctx.person_id):
        raise GateError(_("Only the committee chair records the decision."), 403)
    if view_rule["status"] not in ("open", "awaiting_chair"):
        raise GateError(_("This review is already decided."))
    decision = form.get("decision")
    if decision not in set(rules.DECISIONS):
        form.error("decision", _("Choose the decision."))
    recycle_to = None
    if decision == VoteKind.RECYCLE:
        target = form.get("recycle_to")
        if not target.isdigit() or int(target) not in rules.recycle_targets(view_rule["gate"]):
            form.error("recycle_to", _("Choose the phase to return to."))
        else:
            recycle_to = int(target)
    rationale = form.require("rationale", _("Give the reason for this decision."), 5000)
    conditions = _parse_conditions(form.limit("conditions", 5000))
    if decision == VoteKind.GO_CONDITIONS and not conditions:
        form.error("conditions", _("List the conditions, one per line."))
    condition_due = date.today() + timedelta(days=CONDITION_DAYS)
    if form.get("condition_due"):
        try:
            condition_due = date.fromisoformat(form.get("condition_due"))
        except ValueError:
            form.error("condition_due", _("Enter a date as YYYY-MM-DD."))
    next_gate = None
    if form.get("next_gate_date"):
        try:
            next_gate = date.fromisoformat(form.get("next_gate_date"))
        except ValueError:
            form.error("next_gate_date", _("Enter a date as YYYY-MM-DD."))
    if not form.ok:
        raise GateError(_("Please correct the marked fields."), 422)
    async with write_transaction():
        if not await _claim(scope, review_id, ["open", "awaiting_chair"]):
            raise GateError(_("This review is already decided."))
        review = await scope.get(GateReview, review_id, *GateReview.all_columns())
        await _conclude(
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
        if not await _claim(scope, review_id, ["approving"]):
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


# --- after the decision -----------------------------------------------------------------


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


# --- lists ------------------------------------------------------------------------------


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


async def my_review_count(ctx: OrgContext) -> int:
    lists = await my_reviews(ctx)
    return sum(len(v) for v in lists.values())


async def initiative_gates(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    """The gate history of one initiative: decisions, conditions, the open review, events.

    Hand-written SQL (the same on PostgreSQL and SQLite): the initiative page is among the busiest,
    and building these four queries cost more than running them."""
    org = scope.org_id
    decisions = await fetch_dicts(
        'SELECT d.*, p.name AS "decided_by.name" FROM gate_decision d '
        "LEFT JOIN person p ON p.id = d.decided_by "
        "WHERE d.org = {} AND d.initiative = {} ORDER BY d.decided_at DESC",
        org,
        initiative_id,
    )
    conditions = await fetch_dicts(
        'SELECT c.*, p.name AS "owner.name" FROM gate_condition c '
        "LEFT JOIN person p ON p.id = c.owner "
        "WHERE c.org = {} AND c.initiative = {} ORDER BY c.due_date",
        org,
        initiative_id,
    )
    open_reviews = await fetch_dicts(
        "SELECT id, status, due_date, gate FROM gate_review "
        "WHERE org = {} AND initiative = {} AND status IN ({}, {}, {}) LIMIT 1",
        org,
        initiative_id,
        *OPEN_STATES,
    )
    events = await fetch_dicts(
        'SELECT e.*, p.name AS "actor.name" FROM initiative_event e '
        "LEFT JOIN person p ON p.id = e.actor "
        "WHERE e.org = {} AND e.initiative = {} ORDER BY e.at DESC LIMIT 100",
        org,
        initiative_id,
    )
    for e in events:
        e["data"] = json.loads(e["detail"] or "{}")
    return {
        "decisions": decisions,
        "conditions": conditions,
        "open_review": open_reviews[0] if open_reviews else None,
        "events": events,
    }
