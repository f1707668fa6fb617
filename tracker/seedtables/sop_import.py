"""SOP steps back in, onto a draft version: the steps table (000), the standardisation table
(002) and the task assignment (003 模板二). A step is matched by its name; a re-import sets
only the columns the file has, so a task assignment never blanks a step's instructions."""

from __future__ import annotations

import uuid
from typing import Any

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.seedtables import builders, importers, layouts, reading, rows, values
from tracker.seedtables.importers import Preview, Spec
from tracker.seedtables.values import Row
from tracker.sops.common import require_draft
from tracker.sops.tables import SopStep
from tracker.tenancy import OrgContext

SPECS: dict[str, Spec] = {
    "sop-steps": Spec(
        layouts.sop_steps,
        (
            "name",
            "responsible",
            "instructions",
            "inputs",
            "outputs",
            "time",
            "control_point",
            "forms_tools",
        ),
        "name",
    ),
    "standardisation": Spec(
        layouts.standardisation,
        (
            "process",
            "responsible",
            "name",
            "instructions",
            "inputs",
            "outputs",
            "time",
            "forms_tools",
        ),
        "name",
    ),
    "task-assignment": Spec(
        layouts.task_assignment,
        ("name", "responsible", "owner", "assistant", "time", "outputs", "acceptance"),
        "name",
    ),
}
LIMITS = {
    "name": 200,
    "responsible": 200,
    "instructions": 5000,
    "inputs": 500,
    "outputs": 500,
    "control_point": 300,
    "forms_tools": 300,
    "acceptance": 500,
}


def _values(row: Row, context: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in row.raw:
        if key in LIMITS:
            found[key] = row.text(key, LIMITS[key])
        elif key in ("owner", "assistant"):
            found[key] = builders.member(row, key, context["people"], context["raci_names"])
        elif key == "time":
            found["time_value"], found["time_unit"] = values.time_limit(
                row, "time", context["patterns"]
            )
    if not found.get("name"):
        row.errors.append(("name", "Name the step."))
    elif found["name"].strip().lower() not in context["existing"] and not found.get("responsible"):
        row.errors.append(("responsible", "Name the responsible department or role."))
    return found


async def _existing(ctx: OrgContext, version_id: int) -> dict[str, int]:
    steps = await ctx.scope.select(SopStep, SopStep.id, SopStep.name).where(
        SopStep.version == version_id
    )
    return {s["name"].strip().lower(): s["id"] for s in steps}


async def preview(
    ctx: OrgContext, version_id: int, view: dict[str, Any], parsed: reading.Parsed
) -> Preview:
    await require_draft(ctx.scope, version_id)
    result = Preview()
    importers.messages(parsed, result)
    if not result.errors and not parsed.rows:
        result.errors.append((0, "", _("The file has no rows below its header.")))
    if result.errors:
        return result
    # the task assignment names the RACI roles of a step without its own people: not members
    raci_names = {v for r in rows.task_assignment(view) for v in (r[2], r[3]) if v}
    context = {
        "existing": await _existing(ctx, version_id),
        "people": await builders.members(ctx.org_id),
        "raci_names": raci_names - {s.get("owner_name") for s in view["steps"]},
        "patterns": values.time_patterns(),
    }
    seen: set[str] = set()
    for line, raw in parsed.rows:
        row = Row(line, raw)
        found = _values(row, context)
        name = str(found.get("name", "")).strip().lower()
        if name and name in seen:
            row.errors.append(("name", "This row appears twice in the file."))
        seen.add(name)
        for key, message in row.errors:
            result.errors.append(
                (line, parsed.headers.get(key, key), _(message, n=LIMITS.get(key, 0)))
            )
        existing = name in context["existing"]
        result.updates += existing
        result.rows.append({"line": line, "values": found, "existing": existing})
    return result


async def write(ctx: OrgContext, version_id: int, result: Preview) -> int:
    """All steps in one transaction; new ones after the existing steps, in the file's order."""
    scope = ctx.scope
    async with write_transaction():
        await require_draft(scope, version_id)
        existing = await _existing(ctx, version_id)
        last = (
            await scope.select(SopStep, SopStep.position)
            .where(SopStep.version == version_id)
            .order_by(SopStep.position, ascending=False)
            .first()
        )
        position = (last["position"] + 1) if last else 0
        for r in result.rows:
            found = dict(r["values"])
            step = existing.get(str(found["name"]).strip().lower())
            if step:
                columns = {SopStep._meta.get_column_by_name(k): v for k, v in found.items()}
                await scope.update(SopStep, columns, SopStep.id == step)
                continue
            await scope.insert(
                SopStep,
                {**found, "version": version_id, "position": position, "key": uuid.uuid4().hex},
            )
            position += 1
    return len(result.rows)
