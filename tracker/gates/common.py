"""What the gate modules share: the error a refused gate action raises, the initiative's
history event, the committee, and the review's claim.

Concurrency: one vote per reviewer and one decision per review are unique keys in the
database. Closing a review first bumps ``claim`` on the review row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent closers run one after the other and
the second sees the review already decided.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from tracker.accounts.rules import Role
from tracker.accounts.tables import Membership
from tracker.errors import NotFound, TrackerError
from tracker.gates import queries as q
from tracker.gates import rules
from tracker.gates.forms import ConditionRows
from tracker.gates.tables import (
    Condition,
)
from tracker.i18n import gettext as _
from tracker.initiatives import queries as initiative_queries
from tracker.initiatives.rules import REVIEW_OPEN_STATES
from tracker.sql import Statement
from tracker.tenancy import MAX_ID, TenantScope

OPEN_STATES = REVIEW_OPEN_STATES
CONDITION_DAYS = 14


class GateError(TrackerError):
    """A refused gate action (409 unless told: 403 for a role, 422 for input); the message is
    for the person (already translated). app.py answers it as any TrackerError."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.status_code = status_code


async def event(
    scope: TenantScope, initiative_id: int, actor: int | None, kind: str, **detail: Any
) -> None:
    # hand-written, as the vote's other writes (see submit_vote)
    await scope.fetch(
        initiative_queries.INSERT_EVENT,
        initiative=initiative_id,
        at=datetime.now(UTC),
        actor=actor,
        kind=kind,
        detail=json.dumps(detail, default=str),
    )


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


def parse_conditions(text: str) -> list[str]:
    return [line.strip()[:500] for line in text.splitlines() if line.strip()][:20]


async def member_choices(org_id: int) -> list[dict[str, Any]]:
    """Everyone of the organisation, by name: who may own a condition."""
    return await TenantScope(org_id).fetch_dicts(q.MEMBER_CHOICES)


async def member_ids(org_id: int) -> set[int]:
    return {
        r["person"]
        for r in await Membership.select(Membership.person).where(Membership.org == org_id)
    }


async def plan_conditions(
    written: ConditionRows, org_id: int, errors: dict[str, str]
) -> list[rules.ConditionPlan]:
    """The conditions a reviewer or the chair wrote: a row each (condition, owner, due date),
    errors added to ``errors`` by field; lines of the older one-per-line field get the
    defaults."""
    plans, found = rules.plan_conditions(list(written.rows), await member_ids(org_id), date.today())
    for name, message in found.items():
        errors.setdefault(name, _(message))
    plans += [rules.ConditionPlan(text) for text in parse_conditions(written.text)]
    return plans[:20]


async def one_row(scope: TenantScope, statement: Statement, **values: Any) -> dict[str, Any]:
    """The one row a hand-written query finds, or 404."""
    if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in values.values()):
        raise NotFound()
    rows = await scope.fetch(statement, **values)
    if not rows:
        raise NotFound()
    return dict(rows[0])


async def claim(scope: TenantScope, review_id: int, states: list[str]) -> dict[str, Any] | None:
    """The review, locked for this transaction (concurrent deciders take turns), if it is in
    one of ``states``."""
    rows = await scope.fetch_dicts(q.CLAIM, review=review_id, states=states)
    return rows[0] if rows else None
