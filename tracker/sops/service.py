"""SOP documents: creating one, editing a draft (header, steps, RACI), the review and
approval chain, publishing, revisions, the version log and the diff between versions.

State changes are guarded in the database: an update names the state it expects, so two
people acting at once cannot both move a version (the loser gets a conflict)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.accounts.language import org_language
from tracker.accounts.rules import Role
from tracker.db import fetch, fetch_dicts, is_unique_violation, write_transaction
from tracker.gates.tables import GateRule
from tracker.i18n import gettext as _
from tracker.i18n import in_language
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative
from tracker.registers import fields
from tracker.sops import rules
from tracker.sops.rules import Status
from tracker.sops.tables import (
    RaciCell,
    RaciRole,
    SopApproval,
    SopDocument,
    SopStep,
    SopVersion,
)
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.web import Form

# The RACI roles of a new SOP, as (English, Chinese): given in the organisation's language.
DEFAULT_ROLES = (
    ("Process owner", "流程负责人"),
    ("Operator", "执行岗"),
    ("Manager", "部门经理"),
    ("Quality", "质量"),
)
# The approval level of an organisation without an approval chain (any admin decides).
ADMIN_LEVEL = ("Administrator", "管理员")


class SopConflict(Exception):
    """The version moved on (someone else acted first) or is not editable."""


# --- documents ---------------------------------------------------------------------------


async def documents(scope: TenantScope, initiative_id: int | None = None) -> list[dict[str, Any]]:
    query = scope.select(
        SopDocument,
        *SopDocument.all_columns(),
        SopDocument.initiative.process_code,
        SopDocument.initiative.name,
    )
    if initiative_id is not None:
        query = query.where(SopDocument.initiative == initiative_id)
    docs = await query.order_by(SopDocument.number)
    ids = [d["id"] for d in docs]
    versions = (
        await scope.select(
            SopVersion,
            SopVersion.id,
            SopVersion.document,
            SopVersion.major,
            SopVersion.minor,
            SopVersion.status,
            SopVersion.effective_date,
        )
        .where(SopVersion.document.is_in(ids))
        .order_by(SopVersion.major)
        .order_by(SopVersion.minor)
        if ids
        else []
    )
    for doc in docs:
        mine = [v for v in versions if v["document"] == doc["id"]]
        published = [v for v in mine if v["status"] == Status.PUBLISHED]
        doc["current"] = published[-1] if published else None
        doc["open"] = next((v for v in mine if v["status"] != Status.PUBLISHED), None)
        doc["latest"] = mine[-1] if mine else None
    return docs


async def create_document(
    scope: TenantScope, initiative_id: int, form: Form, person_id: int
) -> int | None:
    """A new SOP document and its first draft, V1.0, with the default RACI roles."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    name = form.require("process_name", _("Name the process."), 200)
    number = form.require("number", _("Give the SOP a number."), 60).upper()
    if number and not initiative_rules.is_valid_process_code(number):
        form.error(
            "number", _("Use the numbering rule DEPT-BUSINESS-YEAR-SEQ, e.g. SOP-CS-2024-001.")
        )
    scope_text = form.limit("scope", 5000)
    if not form.ok:
        return None
    language = await org_language(scope.org_id)
    try:
        async with write_transaction():
            doc = (
                await scope.insert(
                    SopDocument,
                    {"initiative": initiative_id, "process_name": name, "number": number},
                )
            )[0]["id"]
            version = (
                await scope.insert(
                    SopVersion,
                    {"document": doc, "author": person_id, "scope": scope_text},
                )
            )[0]["id"]
            await scope.insert(
                RaciRole,
                *(
                    {"version": version, "position": i, "name": in_language(role, language)}
                    for i, role in enumerate(DEFAULT_ROLES)
                ),
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        form.error("number", _("Another SOP already uses this number."))
        return None
    return int(version)


async def document_view(scope: TenantScope, document_id: int) -> dict[str, Any]:
    doc = await scope.get(
        SopDocument,
        document_id,
        *SopDocument.all_columns(),
        SopDocument.initiative.process_code,
        SopDocument.initiative.name,
    )
    versions = (
        await scope.select(SopVersion, *SopVersion.all_columns(), SopVersion.author.name)
        .where(SopVersion.document == document_id)
        .order_by(SopVersion.major, ascending=False)
        .order_by(SopVersion.minor, ascending=False)
    )
    signers = await _signers(scope, [v["id"] for v in versions])
    for v in versions:
        v["label"] = rules.version_label(v["major"], v["minor"])
        v.update(signers.get(v["id"], {"reviewer": "", "approver": ""}))
    return {"doc": doc, "versions": versions}


async def _signers(scope: TenantScope, version_ids: list[int]) -> dict[int, dict[str, str]]:
    """Reviewer (every level before the last) and approver (the last level) of each version,
    from its latest round of approvals."""
    if not version_ids:
        return {}
    rows = (
        await scope.select(
            SopApproval,
            SopApproval.version,
            SopApproval.round,
            SopApproval.level,
            SopApproval.decision,
            SopApproval.decided_by.name,
        )
        .where(SopApproval.version.is_in(version_ids))
        .order_by(SopApproval.round)
        .order_by(SopApproval.level)
    )
    return signers_of(rows)


def signers_of(rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Reviewer and approver of each version, from its approval rows (any order)."""
    latest: dict[int, int] = {}
    for r in rows:
        latest[r["version"]] = max(latest.get(r["version"], 0), r["round"])
    result: dict[int, dict[str, str]] = {}
    for version_id, round_no in latest.items():
        levels = sorted(
            (
                r
                for r in rows
                if r["version"] == version_id
                and r["round"] == round_no
                and r["decision"] == "approved"
            ),
            key=lambda r: r["level"],
        )
        names = [r["decided_by.name"] or "—" for r in levels]
        result[version_id] = {
            "reviewer": ", ".join(names[:-1]),
            "approver": names[-1] if names else "",
        }
    return result


# --- one version --------------------------------------------------------------------------


# The SOP version page, its print view and its editors read these on every request:
# hand-written SQL (the same on both databases), cheaper than building the queries.


async def version_row(scope: TenantScope, version_id: int) -> dict[str, Any]:
    """The version with its document, initiative and author, or 404."""
    if not 0 < version_id <= MAX_ID:
        raise NotFoundException()
    rows = await fetch_dicts(
        'SELECT v.*, a.name AS "author.name", d.number AS "document.number", '
        'd.process_name AS "document.process_name", d.initiative AS "document.initiative", '
        'i.process_code AS "document.initiative.process_code", '
        'i.name AS "document.initiative.name" '
        "FROM sop_version v JOIN sop_document d ON d.id = v.document "
        "JOIN initiative i ON i.id = d.initiative LEFT JOIN person a ON a.id = v.author "
        "WHERE v.org = {} AND v.id = {}",
        scope.org_id,
        version_id,
    )
    if not rows:
        raise NotFoundException()
    row = rows[0]
    row["label"] = rules.version_label(row["major"], row["minor"])
    return row


async def steps_of(scope: TenantScope, version_id: int) -> list[dict[str, Any]]:
    return await fetch_dicts(
        "SELECT * FROM sop_step WHERE org = {} AND version = {} ORDER BY position",
        scope.org_id,
        version_id,
    )


async def raci_of(scope: TenantScope, version_id: int, steps: list[dict[str, Any]]) -> dict:
    roles = await fetch_dicts(
        "SELECT id, name FROM raci_role WHERE org = {} AND version = {} ORDER BY position, id",
        scope.org_id,
        version_id,
    )
    cells = {
        (c["step"], c["role"]): c["letter"]
        for c in await fetch(
            "SELECT c.step, c.role, c.letter FROM raci_cell c JOIN sop_step s ON s.id = c.step "
            "WHERE c.org = {} AND s.version = {}",
            scope.org_id,
            version_id,
        )
    }
    problems = rules.raci_problems(steps, cells)
    return {
        "roles": roles,
        "cells": cells,
        "problems": problems,
        "valid": rules.raci_valid(len(steps), problems),
    }


async def approvals_of(scope: TenantScope, version_id: int) -> list[dict[str, Any]]:
    return await fetch_dicts(
        'SELECT s.*, ap.name AS "approver.name", decider.name AS "decided_by.name" '
        "FROM sop_approval s LEFT JOIN person ap ON ap.id = s.approver "
        "LEFT JOIN person decider ON decider.id = s.decided_by "
        "WHERE s.org = {} AND s.version = {} ORDER BY s.round, s.level",
        scope.org_id,
        version_id,
    )


def pending_level(approvals: list[dict[str, Any]], status: str) -> dict[str, Any] | None:
    """The level that decides next: the first undecided one of the latest round."""
    if status != Status.IN_REVIEW or not approvals:
        return None
    latest = max(a["round"] for a in approvals)
    return next(
        (a for a in approvals if a["round"] == latest and not a["decision"]),
        None,
    )


def may_decide(ctx: OrgContext, level: dict[str, Any] | None) -> bool:
    if level is None:
        return False
    if level["approver"] is None:
        return ctx.role == Role.ADMIN
    return bool(level["approver"] == ctx.person_id)


async def version_view(ctx: OrgContext, version_id: int) -> dict[str, Any]:
    scope = ctx.scope
    version = await version_row(scope, version_id)
    steps = await steps_of(scope, version_id)
    approvals = await approvals_of(scope, version_id)
    pending = pending_level(approvals, version["status"])
    signers = signers_of(approvals).get(version_id, {"reviewer": "", "approver": ""})
    return {
        "version": version,
        "steps": steps,
        "raci": await raci_of(scope, version_id, steps),
        "approvals": approvals,
        "pending": pending,
        "may_decide": may_decide(ctx, pending),
        "editable": rules.may_edit(version["status"]),
        "signers": signers,
    }


async def _require_draft(scope: TenantScope, version_id: int) -> dict[str, Any]:
    row = await scope.get(SopVersion, version_id, SopVersion.id, SopVersion.status)
    if not rules.may_edit(row["status"]):
        raise SopConflict(_("Only a draft can be edited; start a revision to change it."))
    return row


async def save_header(scope: TenantScope, version_id: int, form: Form) -> str:
    """Scope, exception handling, contingency plan and change summary of a draft:
    "saved", "invalid" or "conflict" (someone saved in between)."""
    await _require_draft(scope, version_id)
    values: dict[Any, Any] = {
        SopVersion.scope: form.limit("scope", 5000),
        SopVersion.exception_handling: form.limit("exception_handling", 10000),
        SopVersion.contingency_plan: form.limit("contingency_plan", 10000),
        SopVersion.change_summary: form.limit("change_summary", 5000),
    }
    revision = form.get("revision")
    if not revision.isdigit():
        form.error("revision", _("The form is incomplete; reload the page."))
    if not form.ok:
        return "invalid"
    values[SopVersion.revision] = int(revision) + 1
    saved = await scope.update(
        SopVersion,
        values,
        SopVersion.id == version_id,
        SopVersion.revision == int(revision),
        SopVersion.status == Status.DRAFT,
    ).returning(SopVersion.id)
    return "saved" if saved else "conflict"


# --- steps ------------------------------------------------------------------------------


def _step_values(form: Form) -> dict[str, Any]:
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
    }
    number, problem = rules.parse_time_limit(form.get("time_value"), form.get("time_unit"))
    if problem:
        form.error("time_value", _(problem))
    values["time_value"] = number
    values["time_unit"] = form.get("time_unit") if number is not None else ""
    return values


async def add_step(scope: TenantScope, version_id: int, form: Form) -> bool:
    await _require_draft(scope, version_id)
    values = _step_values(form)
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
    await _require_draft(scope, step["version"])
    values = _step_values(form)
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
    await _require_draft(scope, step["version"])
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
    await _require_draft(scope, step["version"])
    async with write_transaction():
        await scope.delete(RaciCell, RaciCell.step == step_id)
        await scope.delete(SopStep, SopStep.id == step_id)
    return int(step["version"])


# --- RACI -------------------------------------------------------------------------------


async def add_role(scope: TenantScope, version_id: int, form: Form) -> bool:
    await _require_draft(scope, version_id)
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
    await _require_draft(scope, role["version"])
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
    await _require_draft(scope, step["version"])
    async with write_transaction():
        await scope.delete(RaciCell, RaciCell.step == step_id, RaciCell.role == role_id)
        if letter:
            await scope.insert(RaciCell, {"step": step_id, "role": role_id, "letter": letter})
    return int(step["version"])


# --- life cycle ---------------------------------------------------------------------------


async def _move(scope: TenantScope, version_id: int, expected: str, values: dict[Any, Any]) -> None:
    moved = await scope.update(
        SopVersion, values, SopVersion.id == version_id, SopVersion.status == expected
    ).returning(SopVersion.id)
    if not moved:
        raise SopConflict(_("This version has moved on in the meantime; reload the page."))


async def approval_chain(org_id: int) -> list[dict[str, Any]]:
    """The organisation's approval chain (Settings › Gates), or an admin when it is empty."""
    row = await GateRule.select(GateRule.approval_chain).where(GateRule.org == org_id).first()
    chain = json.loads(row["approval_chain"] or "[]") if row else []
    return chain or [
        {"label": in_language(ADMIN_LEVEL, await org_language(org_id)), "person": None}
    ]


async def submit(ctx: OrgContext, version_id: int) -> None:
    scope = ctx.scope
    await _require_draft(scope, version_id)
    if not await scope.count(SopStep).where(SopStep.version == version_id):
        raise SopConflict(_("Add the steps before sending the SOP for review."))
    chain = await approval_chain(ctx.org_id)
    async with write_transaction():
        last = (
            await scope.select(SopApproval, SopApproval.round)
            .where(SopApproval.version == version_id)
            .order_by(SopApproval.round, ascending=False)
            .first()
        )
        round_no = (last["round"] + 1) if last else 1
        await _move(
            scope,
            version_id,
            Status.DRAFT,
            {SopVersion.status: Status.IN_REVIEW, SopVersion.submitted_at: datetime.now(UTC)},
        )
        await scope.insert(
            SopApproval,
            *(
                {
                    "version": version_id,
                    "round": round_no,
                    "level": i + 1,
                    "label": level["label"],
                    "approver": level["person"],
                }
                for i, level in enumerate(chain)
            ),
        )


async def decide(ctx: OrgContext, version_id: int, approve: bool, comment: str) -> str:
    """The pending level approves (the last approval makes the version approved) or returns
    the version to draft with a comment. Returns the new status."""
    scope = ctx.scope
    async with write_transaction():
        version = await scope.get(SopVersion, version_id, SopVersion.status)
        approvals = await approvals_of(scope, version_id)
        level = pending_level(approvals, version["status"])
        if level is None:
            raise SopConflict(_("This version is not waiting for an approval."))
        if not may_decide(ctx, level):
            raise PermissionError
        if not approve and not comment.strip():
            raise SopConflict(_("Say what must change when returning the SOP."))
        decided = await scope.update(
            SopApproval,
            {
                SopApproval.decision: "approved" if approve else "returned",
                SopApproval.decided_by: ctx.person_id,
                SopApproval.decided_at: datetime.now(UTC),
                SopApproval.comment: comment.strip()[:2000],
            },
            SopApproval.id == level["id"],
            SopApproval.decision == "",
        ).returning(SopApproval.id)
        if not decided:
            raise SopConflict(_("This level was decided in the meantime; reload the page."))
        remaining = [
            a
            for a in approvals
            if a["round"] == level["round"] and not a["decision"] and a["id"] != level["id"]
        ]
        if not approve:
            await _move(scope, version_id, Status.IN_REVIEW, {SopVersion.status: Status.DRAFT})
            return Status.DRAFT
        if not remaining:
            await _move(scope, version_id, Status.IN_REVIEW, {SopVersion.status: Status.APPROVED})
            return Status.APPROVED
    return Status.IN_REVIEW


async def publish(ctx: OrgContext, version_id: int, form: Form) -> bool:
    effective = fields.day(form, "effective_date", required=True)
    if not form.ok:
        return False
    await _move(
        ctx.scope,
        version_id,
        Status.APPROVED,
        {
            SopVersion.status: Status.PUBLISHED,
            SopVersion.effective_date: effective,
            SopVersion.published_at: datetime.now(UTC),
        },
    )
    return True


async def revise(ctx: OrgContext, document_id: int, form: Form) -> int | None:
    """A new draft from the latest published version (minor or major), with its steps,
    their keys (for the diff), the RACI roles and cells."""
    scope = ctx.scope
    await scope.get(SopDocument, document_id, SopDocument.id)
    kind = fields.choice(form, "kind", ("minor", "major"))
    summary = form.require("change_summary", _("Summarise what this revision changes."), 5000)
    if not form.ok:
        return None
    base = (
        await scope.select(SopVersion, *SopVersion.all_columns())
        .where(SopVersion.document == document_id, SopVersion.status == Status.PUBLISHED)
        .order_by(SopVersion.major, ascending=False)
        .order_by(SopVersion.minor, ascending=False)
        .first()
    )
    if base is None:
        form.error("kind", _("Publish a version before revising it."))
        return None
    top = (
        await scope.select(SopVersion, SopVersion.major, SopVersion.minor)
        .where(SopVersion.document == document_id)
        .order_by(SopVersion.major, ascending=False)
        .order_by(SopVersion.minor, ascending=False)
        .first()
    )
    major, minor = rules.next_version(top["major"], top["minor"], kind)
    try:
        async with write_transaction():
            new_id = (
                await scope.insert(
                    SopVersion,
                    {
                        "document": document_id,
                        "major": major,
                        "minor": minor,
                        "author": ctx.person_id,
                        "change_summary": summary,
                        "scope": base["scope"],
                        "exception_handling": base["exception_handling"],
                        "contingency_plan": base["contingency_plan"],
                        "based_on": base["id"],
                    },
                )
            )[0]["id"]
            await _copy_content(scope, base["id"], new_id)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        form.error("kind", _("A revision of this SOP is already open; finish it first."))
        return None
    return int(new_id)


async def _copy_content(scope: TenantScope, source: int, target: int) -> None:
    steps = await steps_of(scope, source)
    roles = (
        await scope.select(RaciRole, *RaciRole.all_columns())
        .where(RaciRole.version == source)
        .order_by(RaciRole.position)
    )
    step_ids: dict[int, int] = {}
    for step in steps:
        values = {k: step[k] for k in (*rules.STEP_FIELDS, "position", "key")}
        step_ids[step["id"]] = (await scope.insert(SopStep, {**values, "version": target}))[0]["id"]
    role_ids: dict[int, int] = {}
    for role in roles:
        role_ids[role["id"]] = (
            await scope.insert(
                RaciRole, {"version": target, "position": role["position"], "name": role["name"]}
            )
        )[0]["id"]
    if steps:
        cells = await scope.select(RaciCell, RaciCell.step, RaciCell.role, RaciCell.letter).where(
            RaciCell.step.is_in(list(step_ids))
        )
        if cells:
            await scope.insert(
                RaciCell,
                *(
                    {
                        "step": step_ids[c["step"]],
                        "role": role_ids[c["role"]],
                        "letter": c["letter"],
                    }
                    for c in cells
                    if c["role"] in role_ids
                ),
            )


async def diff(
    scope: TenantScope, document_id: int, old_id: int, new_id: int
) -> tuple[dict, dict, rules.Diff]:
    old = await version_row(scope, old_id)
    new = await version_row(scope, new_id)
    if old["document"] != document_id or new["document"] != document_id:
        raise SopConflict(_("Both versions must belong to this SOP."))
    result = rules.diff_versions(
        old, new, await steps_of(scope, old_id), await steps_of(scope, new_id)
    )
    return old, new, result


async def published_for(scope: TenantScope, initiative_id: int) -> bool:
    """Whether the initiative has an SOP version published with an effective date."""
    docs = await scope.select(SopDocument, SopDocument.id).where(
        SopDocument.initiative == initiative_id
    )
    if not docs:
        return False
    return bool(
        await scope.count(SopVersion).where(
            SopVersion.document.is_in([d["id"] for d in docs]),
            SopVersion.status == Status.PUBLISHED,
            SopVersion.effective_date.is_not_null(),
        )
    )
