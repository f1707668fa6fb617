"""The optimisation log of an initiative (seed 003 template 4): each iteration after rollout,
with its background, measures and effect."""

from __future__ import annotations

from typing import Any

from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import OptimisationEntry
from tracker.registers import fields
from tracker.tenancy import TenantScope
from tracker.web import Form


async def add_log_entry(scope: TenantScope, initiative_id: int, form: Form) -> bool:
    await scope.get(Initiative, initiative_id, Initiative.id)
    values = {
        "logged_on": fields.day(form, "logged_on", required=True),
        "process": form.require("process", _("Name the process."), 200),
        "background": form.limit("background", 5000),
        "measures": form.require("measures", _("Describe the measures taken."), 5000),
        "effect": form.limit("effect", 5000),
        "owner": form.limit("owner", 200),
        "notes": form.limit("notes", 5000),
        "initiative": initiative_id,
    }
    if not form.ok:
        return False
    await scope.insert(OptimisationEntry, values)
    return True


async def optimisation_log(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (  # type: ignore[no-any-return]
        await scope.select(OptimisationEntry, *OptimisationEntry.all_columns())
        .where(OptimisationEntry.initiative == initiative_id)
        .order_by(OptimisationEntry.logged_on, ascending=False)
    )
