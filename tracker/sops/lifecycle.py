"""A version's life: submitted, approved level by level, published, revised; the diff
between versions and whether an initiative has a published one.

State changes are guarded in the database: an update names the state it expects, so two
people acting at once cannot both move a version (the loser gets a conflict)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tracker.accounts.language import org_language
from tracker.accounts.rules import Role
from tracker.db import is_unique_violation, write_transaction
from tracker.errors import Forbidden, Invalid, NotFound
from tracker.i18n import gettext as _
from tracker.i18n import in_language
from tracker.registers import fields
from tracker.sops import queries as q
from tracker.sops import rules
from tracker.sops.common import ADMIN_LEVEL, SopConflict, require_draft
from tracker.sops.rules import Status
from tracker.sops.tables import (
    RaciCell,
    RaciRole,
    SopApproval,
    SopDocument,
    SopStep,
    SopVersion,
)
from tracker.sops.versions import approvals_of, may_decide, pending_level, steps_of, version_row
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Checks, Submitted


async def _move(scope: TenantScope, version_id: int, expected: str, values: dict[Any, Any]) -> None:
    moved = await scope.update(
        SopVersion, values, SopVersion.id == version_id, SopVersion.status == expected
    ).returning(SopVersion.id)
    if not moved:
        raise SopConflict(_("This version has moved on in the meantime; reload the page."))


async def approval_chain(org_id: int) -> list[dict[str, Any]]:
    """The organisation's approval chain (Settings › Gates), or an admin when it is empty."""
    rows = await TenantScope(org_id).fetch(q.APPROVAL_CHAIN)
    chain = json.loads(rows[0]["approval_chain"] or "[]") if rows else []
    return chain or [
        {"label": in_language(ADMIN_LEVEL, await org_language(org_id)), "person": None}
    ]


async def submit(ctx: OrgContext, version_id: int) -> None:
    scope = ctx.scope
    await require_draft(scope, version_id)
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
        await _tell_level(ctx, version_id, round_no, 1, chain[0]["person"])


async def decide(ctx: OrgContext, version_id: int, approve: bool, comment: str) -> str:
    """The pending level approves (the last approval makes the version approved) or returns
    the version to draft with a comment. Returns the new status; ``Forbidden`` for anyone
    but the level's approver (any admin where the level names nobody)."""
    scope = ctx.scope
    async with write_transaction():
        version = await scope.get(SopVersion, version_id, SopVersion.status)
        approvals = await approvals_of(scope, version_id)
        level = pending_level(approvals, version["status"])
        if level is None:
            raise SopConflict(_("This version is not waiting for an approval."))
        if not may_decide(ctx, level):
            raise Forbidden(_("It is not your turn to approve this SOP."))
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
        following = min(remaining, key=lambda a: a["level"])
        await _tell_level(
            ctx, version_id, following["round"], following["level"], following["approver"]
        )
    return Status.IN_REVIEW


async def _tell_level(
    ctx: OrgContext, version_id: int, round_no: int, level: int, approver: int | None
) -> None:
    """The approver of the level the version waits at (any admin where the level names
    nobody) is told, in the transaction of the step."""
    from tracker.notifications import Kind, notify

    scope = ctx.scope
    if approver is None:
        people = await scope.fetch(q.ADMINS, role=Role.ADMIN.value)
        recipients = [p["person"] for p in people]
    else:
        recipients = [approver]
    row = await scope.fetch(q.VERSION_TITLE, version=version_id)
    title = f"{row[0]['process_name']} V{row[0]['major']}.{row[0]['minor']}" if row else ""
    await notify(
        scope,
        kind=Kind.APPROVAL_WAITING,
        recipients=recipients,
        actor_id=ctx.person_id,
        subject_kind="sop_version",
        subject_id=version_id,
        url=f"/o/{ctx.slug}/sop-versions/{version_id}",
        key=f"approval_waiting:sop_version:{version_id}:round:{round_no}:level:{level}",
        title=title,
    )


async def publish(ctx: OrgContext, version_id: int, submitted: Submitted) -> None:
    """An approved version is published from its effective date; ``Invalid`` without one."""
    checks = Checks(submitted)
    effective = fields.day(checks, "effective_date", required=True)
    checks.done()
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


async def revise(ctx: OrgContext, document_id: int, submitted: Submitted) -> int:
    """A new draft from the latest published version (minor or major), with its steps,
    their keys (for the diff), the RACI roles and cells: the draft's id; ``Invalid`` with
    the field errors (nothing published yet, a revision open already)."""
    scope = ctx.scope
    await scope.get(SopDocument, document_id, SopDocument.id)
    checks = Checks(submitted)
    kind = fields.choice(checks, "kind", ("minor", "major"))
    summary = checks.require("change_summary", _("Summarise what this revision changes."), 5000)
    checks.done()
    base = (
        await scope.select(SopVersion, *SopVersion.all_columns())
        .where(SopVersion.document == document_id, SopVersion.status == Status.PUBLISHED)
        .order_by(SopVersion.major, ascending=False)
        .order_by(SopVersion.minor, ascending=False)
        .first()
    )
    if base is None:
        checks.error("kind", _("Publish a version before revising it."))
        checks.done()
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
        open_already = _("A revision of this SOP is already open; finish it first.")
        raise Invalid(_("Please correct the marked fields."), {"kind": open_already}) from error
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
        raise NotFound(_("Both versions must belong to this SOP."))
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
