"""Importing problems and risks: column names in either language, values as keys or labels,
a preview of every row's errors, and an all-or-nothing write that never duplicates a row
(a re-import updates the row with the same title / description)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.accounts.tables import Membership
from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.problems import rules as problem_rules
from tracker.problems.tables import Problem
from tracker.registers.importing import Sheet
from tracker.risks import rules as risk_rules
from tracker.risks.tables import Risk, RiskScoreChange
from tracker.tenancy import TenantScope

PROBLEM_COLUMNS = {
    "title": ["title", "问题", "问题名称"],
    "description": ["description", "问题描述", "描述"],
    "category": ["category", "问题类别", "类别"],
    "impact": ["impact", "影响范围"],
    "urgency": ["urgency", "紧急程度"],
    "fishbone": ["root cause category", "fishbone", "根因类别"],
    "whys": ["5 whys", "whys", "5why"],
    "status": ["status", "状态"],
    "owner": ["owner e-mail", "owner", "负责人邮箱"],
}
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

VALUE_ALIASES = {
    "效率": "efficiency",
    "效率问题": "efficiency",
    "质量": "quality",
    "质量问题": "quality",
    "协同": "coordination",
    "协同问题": "coordination",
    "风险": "risk",
    "风险问题": "risk",
    "人": "people",
    "机": "machine",
    "料": "material",
    "法": "method",
    "环": "environment",
    "未解决": "open",
    "打开": "open",
    "分析中": "analysing",
    "已解决": "solved",
    "暂缓": "deferred",
    "应对中": "mitigating",
    "已关闭": "closed",
}


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)  # parsed values per row
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message
    updates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _value(text: str) -> str:
    return VALUE_ALIASES.get(text.strip(), text.strip().lower())


def _score(preview: Preview, row: int, column: str, text: str) -> int | None:
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    preview.errors.append((row, column, _("Score from 1 to 5.")))
    return None


async def _owners(org_id: int) -> dict[str, int]:
    rows = await Membership.select(Membership.person.id, Membership.person.email).where(
        Membership.org == org_id
    )
    return {r["person.email"].lower(): r["person.id"] for r in rows}


def _translate(sheet: Sheet, preview: Preview) -> None:
    for row, column, message in sheet.errors:
        preview.errors.append((row, column, _(message)))


async def preview_problems(scope: TenantScope, initiative_id: int, sheet: Sheet) -> Preview:
    preview = Preview()
    _translate(sheet, preview)
    owners = await _owners(scope.org_id)
    existing = {
        r["title"].lower()
        for r in await scope.select(Problem, Problem.title).where(
            Problem.initiative == initiative_id
        )
    }
    seen: set[str] = set()
    for number, raw in enumerate(sheet.rows, start=2):
        title = raw.get("title", "")
        if not title:
            preview.errors.append((number, "title", _("Name the problem.")))
        elif len(title) > 200:
            preview.errors.append((number, "title", _("Use at most %(n)s characters.", n=200)))
        elif title.lower() in seen:
            preview.errors.append((number, "title", _("This title appears twice in the file.")))
        seen.add(title.lower())
        category = _value(raw.get("category", ""))
        if category not in set(problem_rules.Category):
            preview.errors.append(
                (number, "category", _("Use efficiency, quality, coordination or risk."))
            )
        fishbone = _value(raw.get("fishbone", "")) if raw.get("fishbone") else ""
        if fishbone and fishbone not in set(problem_rules.Fishbone):
            preview.errors.append(
                (number, "fishbone", _("Use people, machine, material, method or environment."))
            )
        status = _value(raw.get("status", "")) if raw.get("status") else "open"
        if status not in set(problem_rules.ProblemStatus):
            preview.errors.append((number, "status", _("Use open, analysing, solved or deferred.")))
        owner = None
        if raw.get("owner"):
            owner = owners.get(raw["owner"].lower())
            if owner is None:
                preview.errors.append(
                    (number, "owner", _("No member of this organisation has this e-mail address."))
                )
        impact = _score(preview, number, "impact", raw.get("impact", ""))
        urgency = _score(preview, number, "urgency", raw.get("urgency", ""))
        description = raw.get("description", "")[:5000]
        update = title.lower() in existing
        preview.updates += update
        preview.rows.append(
            {
                "title": title,
                "description": description,
                "category": category,
                "fishbone": fishbone,
                "status": status,
                "owner": owner,
                "impact": impact,
                "urgency": urgency,
                "whys": "\n".join(
                    p.strip()
                    for p in raw.get("whys", "").replace("；", ";").split(";")
                    if p.strip()
                ),
                "existing": update,  # not "update": Jinja would find dict.update
            }
        )
    return preview


async def write_problems(scope: TenantScope, initiative_id: int, preview: Preview) -> int:
    """All rows in one transaction; an existing title is updated, not duplicated."""
    async with write_transaction():
        existing = {
            r["title"].lower(): r["id"]
            for r in await scope.select(Problem, Problem.id, Problem.title).where(
                Problem.initiative == initiative_id
            )
        }
        for row in preview.rows:
            values = {k: v for k, v in row.items() if k not in ("existing", "update")}
            if row["title"].lower() in existing:
                await scope.update(
                    Problem,
                    {getattr(Problem, k): v for k, v in values.items()},
                    Problem.id == existing[row["title"].lower()],
                )
            else:
                await scope.insert(Problem, {**values, "initiative": initiative_id})
    return len(preview.rows)


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
