"""Shared bits of the register pages: the initiative they belong to, the write guard."""

from __future__ import annotations

from typing import Any

from tracker.accounts.rules import Action
from tracker.initiatives.tables import Initiative
from tracker.tenancy import OrgContext


async def initiative_header(ctx: OrgContext, initiative_id: int) -> dict[str, Any]:
    return await ctx.scope.get(
        Initiative,
        initiative_id,
        Initiative.id,
        Initiative.name,
        Initiative.process_code,
        Initiative.status,
        Initiative.current_phase.number,
    )


def can_write(ctx: OrgContext) -> bool:
    return ctx.can(Action.WRITE_REGISTER)
