"""Shared bits of the register pages: the initiative they belong to, the write guard."""

from __future__ import annotations

from typing import Any

from tracker.accounts.rules import Action
from tracker.errors import NotFound
from tracker.registers.queries import HEADER
from tracker.tenancy import MAX_ID, OrgContext


async def initiative_header(ctx: OrgContext, initiative_id: int) -> dict[str, Any]:
    """The initiative above each of its register pages, or 404 (hand-written: every register
    page shows it)."""
    if not 0 < initiative_id <= MAX_ID:
        raise NotFound()
    rows = await ctx.scope.fetch(HEADER, initiative=initiative_id)
    if not rows:
        raise NotFound()
    return rows[0]


def can_write(ctx: OrgContext) -> bool:
    return ctx.can(Action.WRITE_REGISTER)
