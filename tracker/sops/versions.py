"""One SOP version: its header, steps, RACI and approvals, as the version page shows them."""

from __future__ import annotations

from typing import Any

from tracker.accounts.rules import Role
from tracker.errors import NotFound
from tracker.i18n import gettext as _
from tracker.sops import queries as q
from tracker.sops import rules
from tracker.sops.common import require_draft
from tracker.sops.documents import signers_of
from tracker.sops.rules import Status
from tracker.sops.tables import (
    SopVersion,
)
from tracker.spreadsheets import Table
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.values import Checks, Submitted

# The SOP version page, its print view and its editors read these on every request:
# hand-written SQL (tracker/sops/queries.py), cheaper than building the queries.


async def version_row(scope: TenantScope, version_id: int) -> dict[str, Any]:
    """The version with its document, initiative and author, or 404."""
    if not 0 < version_id <= MAX_ID:
        raise NotFound()
    rows = await scope.fetch_dicts(q.VERSION, version=version_id)
    if not rows:
        raise NotFound()
    row = rows[0]
    row["label"] = rules.version_label(row["major"], row["minor"])
    return row


async def steps_of(scope: TenantScope, version_id: int) -> list[dict[str, Any]]:
    """The steps in order, with their responsible and assisting people's names."""
    return await scope.fetch_dicts(q.STEPS, version=version_id)


async def raci_of(scope: TenantScope, version_id: int, steps: list[dict[str, Any]]) -> dict:
    rows = await scope.fetch(q.RACI, version=version_id)
    roles = [{"id": r["id"], "name": r["name"]} for r in rows if r["kind"] == "role"]
    cells = {(r["step"], r["id"]): r["letter"] for r in rows if r["kind"] == "cell"}
    problems = rules.raci_problems(steps, cells)
    return {
        "roles": roles,
        "cells": cells,
        "problems": problems,
        "valid": rules.raci_valid(len(steps), problems),
    }


async def approvals_of(scope: TenantScope, version_id: int) -> list[dict[str, Any]]:
    return await scope.fetch_dicts(q.APPROVALS, version=version_id)


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


async def save_header(scope: TenantScope, version_id: int, submitted: Submitted) -> bool:
    """Scope, exception handling, contingency plan and change summary of a draft. Whether
    it was saved: False when someone saved in between; ``Invalid`` with the field errors."""
    await require_draft(scope, version_id)
    checks = Checks(submitted)
    values: dict[Any, Any] = {
        SopVersion.scope: checks.limit("scope", 5000),
        SopVersion.exception_handling: checks.limit("exception_handling", 10000),
        SopVersion.contingency_plan: checks.limit("contingency_plan", 10000),
        SopVersion.change_summary: checks.limit("change_summary", 5000),
        SopVersion.remarks: checks.limit("remarks", 2000),
    }
    revision = checks.get("revision")
    if not revision.isdigit():
        checks.error("revision", _("The form is incomplete; reload the page."))
    checks.done()
    values[SopVersion.revision] = int(revision) + 1
    saved = await scope.update(
        SopVersion,
        values,
        SopVersion.id == version_id,
        SopVersion.revision == int(revision),
        SopVersion.status == Status.DRAFT,
    ).returning(SopVersion.id)
    return bool(saved)


def raci_table(view: dict[str, Any]) -> Table:
    """The RACI grid of a version's view: a row per step (its number and name), a column per
    role with the cells R/A/C/I, and the rule's problems of each step (its row marked)."""
    version, raci = view["version"], view["raci"]
    rows, marked = [], set()
    for number, step in enumerate(view["steps"], start=1):
        problems = [_(p) for p in raci["problems"].get(step["id"], [])]
        if problems:
            marked.add(number - 1)
        cells = [raci["cells"].get((step["id"], r["id"]), "") for r in raci["roles"]]
        rows.append([number, step["name"], *cells, " ".join(problems)])
    return Table(
        title="RACI",
        preface=[
            [f"{version['document.number']} {version['document.process_name']}"],
            [version["label"]],
        ],
        headers=[_("No."), _("Step"), *(r["name"] for r in raci["roles"]), _("Problems")],
        rows=rows,
        marked=marked,
    )
