"""The organisation's process inventory (seed 003 模板一): a row per SOP document, built from
what the product already holds (the initiative, its published SOP version and its steps, its
problems and measures), never typed twice. Five queries whatever the number of processes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tracker.i18n import pgettext
from tracker.initiatives.tables import Initiative
from tracker.problems.tables import Measure, Problem
from tracker.sops import documents
from tracker.sops.rules import version_label
from tracker.sops.tables import SopStep
from tracker.tenancy import TenantScope


def _joined(texts: list[str]) -> str:
    return pgettext("list separator", ", ").join(t for t in texts if t)


async def inventory(scope: TenantScope) -> list[dict[str, Any]]:
    """One entry per SOP document, in number order."""
    docs = await documents.documents(scope)
    initiative_ids = sorted({d["initiative"] for d in docs})
    version_ids = [(d["current"] or d["latest"])["id"] for d in docs if d["current"] or d["latest"]]
    if not docs:
        return []
    initiatives = {
        i["id"]: i
        for i in await scope.select(
            Initiative, Initiative.id, Initiative.departments, Initiative.owner.name
        ).where(Initiative.id.is_in(initiative_ids))
    }
    steps = (
        await scope.select(SopStep, SopStep.version, SopStep.name)
        .where(SopStep.version.is_in(version_ids))
        .order_by(SopStep.position)
        if version_ids
        else []
    )
    problems = await scope.select(Problem, Problem.initiative, Problem.title).where(
        Problem.initiative.is_in(initiative_ids), Problem.status != "solved"
    )
    measures = await scope.select(Measure, Measure.initiative, Measure.measure).where(
        Measure.initiative.is_in(initiative_ids)
    )
    nodes, found, suggested = defaultdict(list), defaultdict(list), defaultdict(list)
    for s in steps:
        nodes[s["version"]].append(s["name"])
    for p in problems:
        found[p["initiative"]].append(p["title"])
    for m in measures:
        suggested[m["initiative"]].append(m["measure"])
    entries = []
    for d in docs:
        shown = d["current"] or d["latest"]
        initiative = initiatives.get(d["initiative"], {})
        entries.append(
            {
                "document": d,
                "process_name": d["process_name"],
                "department": initiative.get("departments", ""),
                "version": version_label(shown["major"], shown["minor"]) if d["current"] else "",
                "owner": initiative.get("owner.name") or "",
                "nodes": " → ".join(nodes[shown["id"]]) if shown else "",
                "problems": _joined(found[d["initiative"]]),
                "suggestions": _joined(suggested[d["initiative"]]),
            }
        )
    return entries


def rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            e["process_name"],
            e["department"],
            e["version"],
            e["owner"],
            e["nodes"],
            e["problems"],
            e["suggestions"],
            e["document"]["number"],
        ]
        for e in entries
    ]
