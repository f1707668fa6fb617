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
from tracker.values import Checks, Submitted


async def _step_values(scope: TenantScope, checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": checks.require("name", _("Name the step."), 200),
        "responsible": checks.require(
            "responsible", _("Name the responsible department or role."), 200
        ),
        "instructions": checks.limit("instructions", 5000),
        "inputs": checks.limit("inputs", 500),
        "outputs": checks.limit("outputs", 500),
        "control_point": checks.limit("control_point", 300),
        "forms_tools": checks.limit("forms_tools", 300),
        "owner": await fields.member(checks, "owner", scope.org_id),
        "assistant": await fields.member(checks, "assistant", scope.org_id),
        "acceptance": checks.limit("acceptance", 500),
    }
    number, problem = rules.parse_time_limit(checks.get("time_value"), checks.get("time_unit"))
    if problem:
        checks.error("time_value", _(problem))
    values["time_value"] = number
    values["time_unit"] = checks.get("time_unit") if number is not None else ""
    return values


async def add_step(scope: TenantScope, version_id: int, submitted: Submitted) -> None:
    """A step at the end of a draft; ``Invalid`` with the field errors."""
    await require_draft(scope, version_id)
    checks = Checks(submitted)
    values = await _step_values(scope, checks)
    checks.done()
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


async def step_row(scope: TenantScope, step_id: int) -> dict[str, Any]:
    return await scope.get(SopStep, step_id, *SopStep.all_columns())


def step_values(step: dict[str, Any]) -> dict[str, str]:
    """A step as its edit form shows it."""
    return {
        key: "" if step[key] is None else str(step[key]) for key in (*rules.STEP_FIELDS, "revision")
    }


async def update_step(scope: TenantScope, step_id: int, submitted: Submitted) -> bool:
    """Whether the step was saved: False when someone saved it in between; ``Invalid`` with
    the field errors."""
    step = await step_row(scope, step_id)
    await require_draft(scope, step["version"])
    checks = Checks(submitted)
    values = await _step_values(scope, checks)
    revision = checks.get("revision")
    if not revision.isdigit():
        checks.error("revision", _("The form is incomplete; reload the page."))
    checks.done()
    columns = {SopStep._meta.get_column_by_name(k): v for k, v in values.items()}
    columns[SopStep.revision] = int(revision) + 1
    saved = await scope.update(
        SopStep, columns, SopStep.id == step_id, SopStep.revision == int(revision)
    ).returning(SopStep.id)
    return bool(saved)


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


async def add_role(scope: TenantScope, version_id: int, submitted: Submitted) -> None:
    """A role (a column of the grid) of a draft, at most 20; ``Invalid`` with the field
    errors."""
    await require_draft(scope, version_id)
    checks = Checks(submitted)
    name = checks.require("role_name", _("Name the role."), 100)
    checks.done()
    count = await scope.count(RaciRole).where(RaciRole.version == version_id)
    if count >= 20:
        checks.error("role_name", _("A RACI matrix has at most 20 roles."))
        checks.done()
    await scope.insert(RaciRole, {"version": version_id, "position": count, "name": name})


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
