"""Importing problems from CSV or XLSX: column names in either language, values as keys or
labels, a preview of every row's errors, and an all-or-nothing write that never duplicates a
problem (a re-import updates the one with the same title)."""

from __future__ import annotations

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.problems import rules as problem_rules
from tracker.problems.tables import Problem
from tracker.registers.importing import Sheet
from tracker.registers.imports import Importer, Preview, _owners, _score, _translate, _value
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


async def _write(scope: TenantScope, initiative_id: int, preview: Preview, _person: int) -> int:
    return await write_problems(scope, initiative_id, preview)


IMPORTER = Importer(
    PROBLEM_COLUMNS,
    frozenset({"title", "category", "impact", "urgency"}),
    preview_problems,
    _write,
)
