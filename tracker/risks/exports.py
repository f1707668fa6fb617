"""The risk register's and the change-resistance log's exports (CSV, XLSX), headers in the
reader's language (listed for the export route by tracker/wiring.py)."""

from __future__ import annotations

from tracker import labels
from tracker.i18n import gettext as _
from tracker.registers.exports import Column, Export
from tracker.risks import service as risks
from tracker.tenancy import TenantScope


async def risks_table(scope: TenantScope, initiative_id: int) -> Export:
    columns: list[Column] = [
        (_("Risk"), lambda r: r["description"]),
        (_("Category"), lambda r: labels.risk_category_label(r["category"])),
        (_("Likelihood"), lambda r: r["likelihood"]),
        (_("Impact"), lambda r: r["impact"]),
        (_("Risk score"), lambda r: r["score"]),
        (_("Mitigation"), lambda r: r["mitigation"]),
        (_("Owner"), lambda r: r["owner.name"]),
        (_("Status"), lambda r: labels.risk_status_label(r["status"])),
        (_("Review date"), lambda r: r["review_date"]),
        (_("Residual risk score"), lambda r: r["residual_score"]),
    ]
    return _("Risks"), columns, await risks.risks(scope, initiative_id)


async def resistance_table(scope: TenantScope, initiative_id: int) -> Export:
    columns: list[Column] = [
        (_("Stakeholder group"), lambda r: r["stakeholder_group"]),
        (_("Resistance level"), lambda r: labels.resistance_level_label(r["level"])),
        (_("ADKAR barrier"), lambda r: labels.barrier_label(r["barrier"])),
        (_("Concern"), lambda r: r["concern"]),
        (_("Root cause"), lambda r: r["root_cause"]),
        (_("Engagement action"), lambda r: r["action"]),
        (_("Owner"), lambda r: r["owner.name"]),
        (_("Due date"), lambda r: r["due_date"]),
        (_("Status"), lambda r: labels.action_status_label(r["status"])),
        (_("Outcome"), lambda r: r["outcome"]),
    ]
    return _("Change resistance"), columns, await risks.resistance(scope, initiative_id)
