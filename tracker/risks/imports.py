"""Importing risks from CSV or XLSX: column names in either language, values as keys or
labels, a preview of every row's errors, and an all-or-nothing write that never duplicates a
risk (a re-import updates the one with the same description, its score change recorded)."""

from __future__ import annotations

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.registers.importing import Sheet
from tracker.registers.imports import Importer, Preview, _owners, _score, _translate, _value
from tracker.risks import rules as risk_rules
from tracker.risks.tables import Risk, RiskScoreChange
from tracker.tenancy import TenantScope

RISK_COLUMNS = {
    "description": ["description", "risk", "风险", "风险描述"],
    "category": ["category", "类别", "风险类别"],
    "likelihood": ["likelihood", "可能性"],
    "impact": ["impact", "影响程度"],
    "mitigation": ["mitigation", "应对策略"],
    "status": ["status", "状态"],
    "review_date": ["review date", "复核日期"],
    "owner": ["owner e-mail", "owner", "负责人邮箱"],
}


async def preview_risks(scope: TenantScope, initiative_id: int, sheet: Sheet) -> Preview:
    from datetime import date

    preview = Preview()
    _translate(sheet, preview)
    owners = await _owners(scope.org_id)
    existing = {
        r["description"].lower()
        for r in await scope.select(Risk, Risk.description).where(Risk.initiative == initiative_id)
    }
    seen: set[str] = set()
    for number, raw in enumerate(sheet.rows, start=2):
        description = raw.get("description", "")
        if not description:
            preview.errors.append((number, "description", _("Describe the risk.")))
        elif len(description) > 300:
            preview.errors.append(
                (number, "description", _("Use at most %(n)s characters.", n=300))
            )
        elif description.lower() in seen:
            preview.errors.append(
                (number, "description", _("This risk appears twice in the file."))
            )
        seen.add(description.lower())
        category = _value(raw.get("category", "")) or "other"
        if category not in set(risk_rules.RiskCategory):
            preview.errors.append((number, "category", _("Choose one of the options.")))
        status = _value(raw.get("status", "")) if raw.get("status") else "open"
        if status not in set(risk_rules.RiskStatus):
            preview.errors.append((number, "status", _("Use open, mitigating or closed.")))
        review_date = None
        if raw.get("review_date"):
            try:
                review_date = date.fromisoformat(raw["review_date"][:10])
            except ValueError:
                preview.errors.append((number, "review_date", _("Enter a date as YYYY-MM-DD.")))
        owner = None
        if raw.get("owner"):
            owner = owners.get(raw["owner"].lower())
            if owner is None:
                preview.errors.append(
                    (number, "owner", _("No member of this organisation has this e-mail address."))
                )
        update = description.lower() in existing
        preview.updates += update
        preview.rows.append(
            {
                "description": description,
                "category": category,
                "status": status,
                "owner": owner,
                "likelihood": _score(preview, number, "likelihood", raw.get("likelihood", "")),
                "impact": _score(preview, number, "impact", raw.get("impact", "")),
                "mitigation": raw.get("mitigation", "")[:5000],
                "review_date": review_date,
                "existing": update,  # not "update": Jinja would find dict.update
            }
        )
    return preview


async def write_risks(
    scope: TenantScope, initiative_id: int, preview: Preview, person_id: int
) -> int:
    async with write_transaction():
        existing = {
            r["description"].lower(): r
            for r in await scope.select(
                Risk, Risk.id, Risk.description, Risk.likelihood, Risk.impact
            ).where(Risk.initiative == initiative_id)
        }
        for row in preview.rows:
            values = {k: v for k, v in row.items() if k not in ("existing", "update")}
            current = existing.get(row["description"].lower())
            if current:
                await scope.update(
                    Risk, {getattr(Risk, k): v for k, v in values.items()}, Risk.id == current["id"]
                )
                risk_id = current["id"]
                changed = (current["likelihood"], current["impact"]) != (
                    row["likelihood"],
                    row["impact"],
                )
            else:
                risk_id = (await scope.insert(Risk, {**values, "initiative": initiative_id}))[0][
                    "id"
                ]
                changed = True
            if changed:
                await scope.insert(
                    RiskScoreChange,
                    {
                        "risk": risk_id,
                        "likelihood": row["likelihood"],
                        "impact": row["impact"],
                        "changed_by": person_id,
                    },
                )
    return len(preview.rows)


IMPORTER = Importer(
    RISK_COLUMNS, frozenset({"description", "likelihood", "impact"}), preview_risks, write_risks
)
