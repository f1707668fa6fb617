"""Lists: the reviews waiting for a person, and one initiative's gate history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.accounts.rules import Role
from tracker.gates import queries as q
from tracker.gates.common import OPEN_STATES
from tracker.tenancy import OrgContext, TenantScope

PAGE = 50  # reviews per list and page of "My reviews"
KINDS = q.WAITING_KINDS


@dataclass(frozen=True)
class Waiting:
    """One list of "My reviews": a page of it, most urgent first, and how many it holds."""

    kind: str  # vote | chair | approve (queries.WAITING_KINDS)
    rows: list[dict[str, Any]]
    total: int
    next_after: int | None  # the review the next page starts after (None: the last page)


def _values(ctx: OrgContext, kind: str | None = None) -> dict[str, Any]:
    """The values a statement of list ``kind`` (None: all three) names: an admin decides as
    chair on every review, which the kept rows hold as person 0's."""
    chair = 0 if ctx.role == Role.ADMIN else ctx.person_id
    if kind == "chair":
        return {"chair": chair}
    if kind is None:
        return {"person": ctx.person_id, "chair": chair}
    return {"person": ctx.person_id}


async def _counts(ctx: OrgContext) -> dict[str, int]:
    row = (await ctx.scope.fetch_dicts(q.WAITING_COUNTS, **_values(ctx)))[0]
    return {kind: int(row[kind] or 0) for kind in q.WAITING_KINDS}


def _page(kind: str, rows: list[dict[str, Any]], total: int) -> Waiting:
    today = date.today()
    for row in rows:
        row["overdue"] = row["due_date"] < today
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return Waiting(kind, rows, total, rows[-1]["id"] if more else None)


async def my_reviews(ctx: OrgContext) -> list[Waiting]:
    """What waits for me: votes, chair decisions and approvals, each list's first page (overdue
    first, then by due date): two queries, each reading kept rows by their index, whatever the
    number of reviews (migration 2026-12-01T01:00)."""
    rows = await ctx.scope.fetch_dicts(q.WAITING, limit=PAGE + 1, **_values(ctx))
    counts = await _counts(ctx)
    return [
        _page(kind, [r for r in rows if r["waiting"] == kind], counts[kind])
        for kind in q.WAITING_KINDS
    ]


async def waiting_page(ctx: OrgContext, kind: str, after: int | None) -> Waiting:
    """The page of list ``kind`` after the review ``after`` (its first page without)."""
    rows = await ctx.scope.fetch_dicts(
        q.PAGES[kind], after=after, limit=PAGE + 1, **_values(ctx, kind)
    )
    return _page(kind, rows, (await _counts(ctx))[kind])


async def initiative_gates(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    """The gate history of one initiative: decisions, conditions, the open review, events.

    Hand-written SQL (the same on PostgreSQL and SQLite): the initiative page is among the busiest,
    and building these four queries cost more than running them."""
    decisions = await scope.fetch_dicts(q.DECISIONS_OF_INITIATIVE, initiative=initiative_id)
    conditions = await scope.fetch_dicts(q.CONDITIONS_OF_INITIATIVE, initiative=initiative_id)
    open_reviews = await scope.fetch_dicts(
        q.OPEN_REVIEW, initiative=initiative_id, states=OPEN_STATES
    )
    events = await scope.fetch_dicts(q.EVENTS, initiative=initiative_id)
    for e in events:
        e["data"] = json.loads(e["detail"] or "{}")
    return {
        "decisions": decisions,
        "conditions": conditions,
        "open_review": open_reviews[0] if open_reviews else None,
        "events": events,
    }
