"""Scoring and voting, then closing the review when the decision rule speaks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from tracker import live
from tracker.accounts.rules import Role
from tracker.db import (
    fetch,
    fetch_dicts,
    joined_transaction,
    write_transaction,
)
from tracker.gates import rules
from tracker.gates.common import (
    CONDITION_DAYS,
    GateError,
    claim,
    event,
    one_row,
    read_conditions,
)
from tracker.gates.deciding import conclude
from tracker.gates.rules import OutcomeState, VoteKind
from tracker.gates.tables import (
    GateReview,
)
from tracker.gates.telling import tell_chair
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, TenantScope
from tracker.web import Form


async def submit_vote(ctx: OrgContext, review_id: int, form: Form) -> None:
    """Score every criterion and vote (or abstain); then let the decision rule speak."""
    scope = ctx.scope
    # The vote is the busiest write: its reads are hand-written (the same SQL on both databases).
    review = await one_row(
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
    plans = await read_conditions(form, scope.org_id) if vote == VoteKind.GO_CONDITIONS else []
    if vote == VoteKind.GO_CONDITIONS and not plans:
        form.error("condition_0", _("Write at least one condition."))
    conditions = rules.encode_conditions(plans)
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
    # everyone viewing the review sees the vote arrive (they refetch the tally themselves)
    live.after_commit(live.review_channel(scope.org_id, review_id), live.REVIEW_EVENT, review_id)
    await try_close(scope, review_id)


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
