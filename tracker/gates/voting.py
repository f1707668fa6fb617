"""Scoring and voting, then closing the review when the decision rule speaks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from tracker import live
from tracker.accounts.rules import Role
from tracker.db import (
    joined_transaction,
    write_transaction,
)
from tracker.errors import Invalid
from tracker.gates import queries as q
from tracker.gates import rules
from tracker.gates.common import (
    CONDITION_DAYS,
    GateError,
    claim,
    event,
    one_row,
    plan_conditions,
)
from tracker.gates.deciding import conclude
from tracker.gates.forms import VoteInput
from tracker.gates.rules import OutcomeState, VoteKind
from tracker.gates.tables import (
    GateReview,
)
from tracker.gates.telling import tell_chair
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, TenantScope


async def submit_vote(ctx: OrgContext, review_id: int, ballot: VoteInput) -> None:
    """Score every criterion and vote (or abstain); then let the decision rule speak. Field
    errors: ``Invalid`` with each beside its field."""
    scope = ctx.scope
    # The vote is the busiest write: its reads are hand-written (the same SQL on both databases).
    review = await one_row(scope, q.REVIEW_TO_VOTE, person=ctx.person_id, review=review_id)
    if not review["assigned"]:
        raise GateError(_("Only the assigned reviewers vote on this gate."), 403)
    if ctx.role == Role.VIEWER:
        raise GateError(_("Your role in this organisation does not allow this."), 403)
    if review["status"] != "open":
        raise GateError(_("Voting on this review has closed."))
    errors: dict[str, str] = {}
    vote = ballot.vote
    if vote not in set(VoteKind):
        errors.setdefault("vote", _("Choose your vote."))
    items = await scope.fetch(q.CRITERIA_TO_SCORE, review=review_id)
    values: dict[int, int | None] = {}
    for item in items:
        raw = ballot.score(item["id"])
        values[item["id"]] = int(raw) if raw.isdigit() and len(raw) < 3 else None
    if vote != VoteKind.ABSTAIN:
        for criterion_id, message in rules.check_scores(items, values).items():
            errors.setdefault(f"score_{criterion_id}", _(message))
    recycle_to = None
    if vote == VoteKind.RECYCLE:
        target = ballot.recycle_to
        if not target.isdigit() or int(target) not in rules.recycle_targets(review["gate"]):
            errors.setdefault("recycle_to", _("Choose the phase to return to."))
        else:
            recycle_to = int(target)
    rationale = ballot.rationale
    if len(rationale) > 5000:
        errors.setdefault("rationale", _("Use at most %(n)s characters.", n=5000))
    if vote in (VoteKind.RECYCLE, VoteKind.HOLD, VoteKind.STOP) and not rationale:
        errors.setdefault("rationale", _("Give the reason for this vote."))
    plans: list[rules.ConditionPlan] = []
    if vote == VoteKind.GO_CONDITIONS:
        plans = await plan_conditions(ballot.conditions, scope.org_id, errors)
    if vote == VoteKind.GO_CONDITIONS and not plans:
        errors.setdefault("condition_0", _("Write at least one condition."))
    conditions = rules.encode_conditions(plans)
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
    # Hand-written, as the reads above: building these inserts with the query builder was a
    # fifth of a vote's time. Behind the wall they join the request's transaction: a second
    # vote inserts nothing (no error to roll back to a savepoint from), and any other failure
    # fails the request, which then writes nothing.
    async with joined_transaction():
        cast = await scope.fetch(
            q.INSERT_VOTE,
            review=review_id,
            reviewer=ctx.person_id,
            vote=vote,
            recycle_to=recycle_to,
            rationale=rationale,
            conditions=conditions if vote == VoteKind.GO_CONDITIONS else "",
            at=datetime.now(UTC),
        )
        if not cast:
            raise GateError(_("Your vote is already recorded; a vote cannot be changed."))
        if vote != VoteKind.ABSTAIN and values:
            await scope.insert_rows(
                q.INSERT_SCORES,
                [{"criterion": cid, "value": value} for cid, value in values.items()],
                review=review_id,
                reviewer=ctx.person_id,
            )
        await event(scope, review["initiative"], ctx.person_id, "voted", review=review_id)
    # everyone viewing the review sees the vote arrive (they refetch the tally themselves)
    live.after_commit(live.review_channel(scope.org_id, review_id), live.REVIEW_EVENT, review_id)
    await try_close(scope, review_id)


async def _ballots(
    scope: TenantScope, review_id: int
) -> tuple[int, list[rules.Ballot], list[dict]]:
    """The number of assigned reviewers, the ballots and the votes, in one query."""
    rows = await scope.fetch_dicts(q.BALLOTS, review=review_id, must=rules.CriterionKind.MUST.value)
    votes = [row for row in rows if row["reviewer"] is not None]
    ballots = [rules.Ballot(v["vote"], v["recycle_to"], bool(v["failed_must"])) for v in votes]
    return int(rows[0]["assigned"]), ballots, votes


async def try_close(scope: TenantScope, review_id: int) -> rules.Outcome | None:
    """Apply the decision rule to the votes so far; close the review when it decides."""
    async with joined_transaction():
        review = await claim(scope, review_id, ["open"])
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
                await tell_chair(scope, review)
                return outcome
            assert outcome.decision is not None
            conditions = (
                [
                    plan
                    for v in votes
                    if v["vote"] == VoteKind.GO_CONDITIONS
                    for plan in rules.decode_conditions(v["conditions"])
                ]
                if outcome.decision == VoteKind.GO_CONDITIONS
                else []
            )
            rationale = "\n".join(
                f"{v['reviewer.name']}: {v['rationale']}" for v in votes if v["rationale"]
            )
            await conclude(
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
