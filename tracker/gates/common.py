"""What the gate modules share: the error a refused gate action raises, the initiative's
history event, the committee, and the review's claim.

Concurrency: one vote per reviewer and one decision per review are unique keys in the
database. Closing a review first bumps ``claim`` on the review row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent closers run one after the other and
the second sees the review already decided.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.accounts.rules import Role
from tracker.accounts.tables import Membership
from tracker.db import (
    fetch,
    fetch_dicts,
)
from tracker.gates.tables import (
    Condition,
)
from tracker.initiatives.rules import REVIEW_OPEN_STATES
from tracker.tenancy import MAX_ID, TenantScope

OPEN_STATES = REVIEW_OPEN_STATES
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


async def one_row(sql: str, *values: Any) -> dict[str, Any]:
    """The one row a hand-written query finds, or 404."""
    if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in values):
        raise NotFoundException()
    rows = await fetch(sql, *values)
    if not rows:
        raise NotFoundException()
    return dict(rows[0])


async def claim(scope: TenantScope, review_id: int, states: list[str]) -> dict[str, Any] | None:
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
