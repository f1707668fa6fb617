"""The pilots' exports (CSV, XLSX): the evaluation and the feedback log, headers in the
reader's language (listed for the export route by tracker/wiring.py)."""

from __future__ import annotations

from typing import Any

from tracker import labels
from tracker.i18n import gettext as _
from tracker.pilots import service as pilots
from tracker.pilots.tables import PilotFeedback
from tracker.registers.exports import Column, Export
from tracker.tenancy import TenantScope


def _met(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _pct(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


async def evaluation_table(scope: TenantScope, initiative_id: int) -> Export:
    columns: list[Column] = [
        (_("Pilot process"), lambda r: r["pilot.process"]),
        (_("Pilot scope"), lambda r: r["pilot.scope"]),
        (_("Key metric"), lambda r: f"{r['name']} ({r['unit']})" if r["unit"] else r["name"]),
        (_("Before"), lambda r: r["baseline"]),
        (_("After"), lambda r: r["result"]),
        (_("Change %%"), lambda r: _pct(r["change"])),
        (_("Target"), lambda r: r["target"]),
        (_("Target met"), lambda r: _met(r["met"])),
        (_("Satisfaction (1–5)"), lambda r: r["satisfaction"]),
        (_("Unmet problems and cause"), lambda r: r["unmet"]),
    ]
    return _("Pilot evaluation"), columns, await pilots.evaluation_rows(scope, initiative_id)


async def feedback_table(scope: TenantScope, initiative_id: int) -> Export:
    rows = (
        await scope.select(
            PilotFeedback,
            *PilotFeedback.all_columns(),
            PilotFeedback.author.name,
            PilotFeedback.pilot.process,
            PilotFeedback.problem.title,
        )
        .where(PilotFeedback.pilot.initiative == initiative_id)
        .order_by(PilotFeedback.created_at)
    )
    columns: list[Column] = [
        (_("Date"), lambda r: r["created_at"]),
        (_("Pilot process"), lambda r: r["pilot.process"]),
        (_("Author"), lambda r: r["author.name"]),
        (_("Category"), lambda r: labels.feedback_label(r["category"])),
        (_("Feedback"), lambda r: r["text"]),
        (_("Problem"), lambda r: r["problem.title"]),
    ]
    return _("Pilot feedback"), columns, rows
