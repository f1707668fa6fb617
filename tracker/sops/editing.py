"""Editing a draft version: its steps and its RACI grid."""

from __future__ import annotations

import uuid
from typing import Any

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.sops import rules
from tracker.sops.common import SopConflict, require_draft
from tracker.sops.tables import (
    RaciCell,
    RaciRole,
    SopStep,
)
from tracker.tenancy import TenantScope
from tracker.web import Form


async def _step_values(scope: TenantScope, form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.require("name", _("Name the step."), 200),
        "responsible": form.require(
            "responsible", _("Name the responsible department or role."), 200
        ),
        "instructions": form.limit("instructions", 5000),
        "inputs": form.limit("inputs", 500),
        "outputs": form.limit("outputs", 500),
        "control_point": form.limit("control_point", 300),
        "forms_tools": form.limit("forms_tools", 300),
        "owner": await fields.member(form, "owner", scope.org_id),
        "assistant": await fields.member(form, "assistant", scope.org_id),
        "acceptance": form.limit("acceptance", 500),
    }
    number, problem = rules.parse_time_limit(form.get("time_value"), form.get("time_unit"))
    if problem:
        form.error("time_value", _(problem))
    values["time_value"] = number
    values["time_unit"] = form.get("time_unit") if number is not None else ""
    return values


async def add_step(scope: TenantScope, version_id: int, form: Form) -> bool:
    await require_draft(scope, version_id)
    values = await _step_values(scope, form)
    if not form.ok:
        return False
    async with write_transaction():
        last = (
            await scope.select(SopStep, SopStep.position)
            .where(SopStep.version == version_id)
            .order_by(SopStep.position, ascending=False)
            .first()
        )
        await scope.insert(
            SopStep,
            {
                **values,
                "version": version_id,
                "position": (last["position"] + 1) if last else 0,
                "key": uuid.uuid4().hex,
            },
        )
    return True


async def step_row(scope: TenantScope, step_id: int) -> dict[str, Any]:
    return await scope.get(SopStep, step_id, *SopStep.all_columns())


def step_form(step: dict[str, Any]) -> Form:
    form = Form({}, prefix=f"s{step['id']}-")
    for key in (*rules.STEP_FIELDS, "revision"):
        value = step[key]
        form.values[key] = "" if value is None else str(value)
    return form


async def update_step(scope: TenantScope, step_id: int, form: Form) -> str:
    step = await step_row(scope, step_id)
    await require_draft(scope, step["version"])
    values = await _step_values(scope, form)
    revision = form.get("revision")
    if not revision.isdigit():
        form.error("revision", _("The form is incomplete; reload the page."))
    if not form.ok:
        return "invalid"
    columns = {SopStep._meta.get_column_by_name(k): v for k, v in values.items()}
    columns[SopStep.revision] = int(revision) + 1
    saved = await scope.update(
        SopStep, columns, SopStep.id == step_id, SopStep.revision == int(revision)
    ).returning(SopStep.id)
    return "saved" if saved else "conflict"


async def move_step(scope: TenantScope, step_id: int, direction: str) -> int:
    """Swap a step with its neighbour; returns the version id."""
    step = await step_row(scope, step_id)
    await require_draft(scope, step["version"])
    async with write_transaction():
        siblings = (
            await scope.select(SopStep, SopStep.id, SopStep.position)
            .where(SopStep.version == step["version"])
            .order_by(SopStep.position)
        )
        index = next(i for i, s in enumerate(siblings) if s["id"] == step_id)
        other = index + (-1 if direction == "up" else 1)
        if 0 <= other < len(siblings):
            a, b = siblings[index], siblings[other]
            await scope.update(SopStep, {SopStep.position: b["position"]}, SopStep.id == a["id"])
            await scope.update(SopStep, {SopStep.position: a["position"]}, SopStep.id == b["id"])
    return int(step["version"])


async def delete_step(scope: TenantScope, step_id: int) -> int:
    step = await step_row(scope, step_id)
    await require_draft(scope, step["version"])
    async with write_transaction():
        await scope.delete(RaciCell, RaciCell.step == step_id)
        await scope.delete(SopStep, SopStep.id == step_id)
    return int(step["version"])


# --- RACI -------------------------------------------------------------------------------


async def add_role(scope: TenantScope, version_id: int, form: Form) -> bool:
    await require_draft(scope, version_id)
    name = form.require("role_name", _("Name the role."), 100)
    if not form.ok:
        return False
    count = await scope.count(RaciRole).where(RaciRole.version == version_id)
    if count >= 20:
        form.error("role_name", _("A RACI matrix has at most 20 roles."))
        return False
    await scope.insert(RaciRole, {"version": version_id, "position": count, "name": name})
    return True


async def delete_role(scope: TenantScope, role_id: int) -> int:
    role = await scope.get(RaciRole, role_id, RaciRole.version)
    await require_draft(scope, role["version"])
    async with write_transaction():
        await scope.delete(RaciCell, RaciCell.role == role_id)
        await scope.delete(RaciRole, RaciRole.id == role_id)
    return int(role["version"])


async def set_cell(scope: TenantScope, step_id: int, role_id: int, letter: str) -> int:
    """Set (or clear, with "") one cell of the grid; returns the version id."""
    step = await scope.get(SopStep, step_id, SopStep.version)
    role = await scope.get(RaciRole, role_id, RaciRole.version)
    if role["version"] != step["version"] or letter not in ("", *rules.RACI_LETTERS):
        raise SopConflict(_("Choose R, A, C, I or nothing."))
    await require_draft(scope, step["version"])
    async with write_transaction():
        await scope.delete(RaciCell, RaciCell.step == step_id, RaciCell.role == role_id)
        if letter:
            await scope.insert(RaciCell, {"step": step_id, "role": role_id, "letter": letter})
    return int(step["version"])
