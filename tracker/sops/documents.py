"""SOP documents: the list, the suggested number, creating one, a document with its versions
and who signed each."""

from __future__ import annotations

from typing import Any

from tracker.accounts.language import org_language
from tracker.db import is_unique_violation, write_transaction
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.i18n import in_language
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative
from tracker.sops import rules
from tracker.sops.common import DEFAULT_ROLES
from tracker.sops.rules import Status
from tracker.sops.tables import (
    RaciRole,
    SopApproval,
    SopDocument,
    SopVersion,
)
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted


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


async def suggest_number(scope: TenantScope, process_code: str) -> str:
    """The next free SOP number for an initiative with this process code."""
    prefix = process_code.rpartition("-")[0] or process_code
    rows = await scope.select(SopDocument, SopDocument.number).where(
        SopDocument.number.like(prefix.replace("%", "").replace("_", "") + "%")
    )
    return rules.suggest_number(process_code, (r["number"] for r in rows))


async def create_document(
    scope: TenantScope, initiative_id: int, submitted: Submitted, person_id: int
) -> int:
    """A new SOP document and its first draft, V1.0, with the default RACI roles: the
    draft's id; ``Invalid`` with the field errors (a number in use too)."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    name = checks.require("process_name", _("Name the process."), 200)
    number = checks.require("number", _("Give the SOP a number."), 60).upper()
    if number and not initiative_rules.is_valid_process_code(number):
        checks.error(
            "number", _("Use the numbering rule DEPT-BUSINESS-YEAR-SEQ, e.g. SOP-CS-2024-001.")
        )
    scope_text = checks.limit("scope", 5000)
    checks.done()
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
        taken = _("Another SOP already uses this number.")
        raise Invalid(_("Please correct the marked fields."), {"number": taken}) from error
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
