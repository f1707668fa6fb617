"""Everything the gate review page shows, read in a fixed number of queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tracker.accounts.rules import Role
from tracker.gates import queries as q
from tracker.gates import rules
from tracker.gates.common import (
    one_row,
)
from tracker.tenancy import OrgContext


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
    review = await one_row(scope, q.REVIEW, review=review_id)
    items = await scope.fetch_dicts(q.CRITERIA, review=review_id)
    reviewers = await scope.fetch_dicts(q.REVIEWERS, review=review_id)
    votes = await scope.fetch_dicts(q.VOTES, review=review_id)
    my_vote = next((v for v in votes if v["reviewer"] == ctx.person_id), None)
    is_reviewer = any(r["reviewer"] == ctx.person_id for r in reviewers)
    # Independent scoring: a reviewer sees the others' scores only after submitting their own.
    show_tally = not is_reviewer or my_vote is not None or review["status"] == "decided"
    tally = None
    if show_tally:
        scores = await scope.fetch_dicts(q.SCORES, review=review_id)
        tally = rules.tally(items, scores)
    decisions = await scope.fetch_dicts(q.DECISION, review=review_id)
    decision = decisions[0] if decisions else None
    conditions: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    if decision:
        conditions = await scope.fetch_dicts(q.CONDITIONS_OF_DECISION, decision=decision["id"])
        corrections = await scope.fetch_dicts(q.CORRECTIONS, decision=decision["id"])
    steps = await scope.fetch_dicts(q.APPROVAL_STEPS, review=review_id)
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
