"""The optimisation log of an initiative (seed 003 template 4): each iteration after rollout,
with its background, measures and effect."""

from __future__ import annotations

from typing import Any

from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import OptimisationEntry
from tracker.registers import fields
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted


async def add_log_entry(scope: TenantScope, initiative_id: int, submitted: Submitted) -> None:
    """One iteration of the log; ``Invalid`` with the field errors."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values = {
        "logged_on": fields.day(checks, "logged_on", required=True),
        "process": checks.require("process", _("Name the process."), 200),
        "background": checks.limit("background", 5000),
        "measures": checks.require("measures", _("Describe the measures taken."), 5000),
        "effect": checks.limit("effect", 5000),
        "owner": checks.limit("owner", 200),
        "notes": checks.limit("notes", 5000),
        "initiative": initiative_id,
    }
    checks.done()
    await scope.insert(OptimisationEntry, values)


async def optimisation_log(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (  # type: ignore[no-any-return]
        await scope.select(OptimisationEntry, *OptimisationEntry.all_columns())
        .where(OptimisationEntry.initiative == initiative_id)
        .order_by(OptimisationEntry.logged_on, ascending=False)
    )
