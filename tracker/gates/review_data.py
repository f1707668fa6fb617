"""Everything the gate review page shows, read in a fixed number of queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tracker.accounts.rules import Role
from tracker.db import (
    fetch_dicts,
)
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
    org = scope.org_id
    review = await one_row(
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
