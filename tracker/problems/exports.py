"""The problem register's exports (CSV, XLSX): its columns, headers in the reader's language
(listed for the export route by tracker/wiring.py)."""

from __future__ import annotations

from tracker import labels
from tracker.i18n import gettext as _
from tracker.problems import service as problems
from tracker.registers.exports import Column, Export
from tracker.tenancy import TenantScope


async def problems_table(scope: TenantScope, initiative_id: int) -> Export:
    columns: list[Column] = [
        (_("Problem"), lambda r: r["title"]),
        (_("Description"), lambda r: r["description"]),
        (_("Category"), lambda r: labels.problem_category_label(r["category"])),
        (_("Impact"), lambda r: r["impact"]),
        (_("Urgency"), lambda r: r["urgency"]),
        (_("Priority"), lambda r: labels.quadrant_label(r["quadrant"])),
        (_("Root cause category"), lambda r: labels.fishbone_label(r["fishbone"])),
        (_("5 whys"), lambda r: "; ".join(r["whys"].splitlines())),
        (_("Owner"), lambda r: r["owner.name"]),
        (_("Status"), lambda r: labels.problem_status_label(r["status"])),
    ]
    return _("Problems"), columns, await problems.problems(scope, initiative_id)


async def measures_table(scope: TenantScope, initiative_id: int) -> Export:
    columns: list[Column] = [
        (_("Optimisation goal"), lambda r: r["goal"]),
        (_("Problem addressed"), lambda r: r["problem.title"]),
        (_("Measure"), lambda r: r["measure"]),
        (_("Responsible department"), lambda r: r["department"]),
        (_("Completion date"), lambda r: r["completion_date"]),
        (_("Expected effect (quantified)"), lambda r: r["expected_effect"]),
    ]
    return _("Measures"), columns, await problems.measures(scope, initiative_id)
