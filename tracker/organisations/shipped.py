"""The language of an organisation's shipped defaults, and switching it.

An organisation's gate criteria, starter risks and the RACI roles of a new SOP are made in its
language (``Organisation.language``). An admin can switch that language: the texts still as
shipped (in either language, or glued from before) are rewritten in the new one; a text
someone edited is theirs and stays. Published SOP versions and decided reviews are records
and never change."""

from __future__ import annotations

from typing import Any

from tracker.accounts.tables import Organisation
from tracker.db import write_transaction
from tracker.gates.rules import DEFAULT_CRITERIA
from tracker.gates.tables import GateCriterion
from tracker.i18n import LANGUAGES, in_language
from tracker.risks.rules import LEGACY_MITIGATIONS, STARTER_MANIFESTATIONS, STARTER_RISKS
from tracker.risks.tables import Risk
from tracker.sops.common import DEFAULT_ROLES
from tracker.sops.tables import RaciRole, SopVersion
from tracker.tenancy import TenantScope

Pair = tuple[str, str]


def variants(pair: Pair) -> list[str]:
    """Every form a shipped text can have: English, Chinese, or both glued (before 2026-11)."""
    return [pair[0], pair[1], f"{pair[0]} {pair[1]}"]


def shipped_texts() -> list[tuple[Any, Any, list[Pair]]]:
    """(table, column, the shipped pairs it may hold)."""
    criteria = [text for items in DEFAULT_CRITERIA.values() for text, _kind, _w in items]
    return [
        (GateCriterion, GateCriterion.text, criteria),
        (Risk, Risk.description, [r[0] for r in STARTER_RISKS]),
        (Risk, Risk.mitigation, [r[4] for r in STARTER_RISKS]),
        (Risk, Risk.mitigation, LEGACY_MITIGATIONS),
        (Risk, Risk.manifestation, STARTER_MANIFESTATIONS),
        (RaciRole, RaciRole.name, list(DEFAULT_ROLES)),
    ]


async def switch_language(scope: TenantScope, language: str) -> int:
    """Make ``language`` the organisation's; rewrite the unedited shipped texts in it.
    Returns how many texts changed."""
    if language not in LANGUAGES:
        raise ValueError(language)
    changed = 0
    async with write_transaction():
        await Organisation.update({Organisation.language: language}).where(
            Organisation.id == scope.org_id
        )
        drafts = [
            v["id"]
            for v in await scope.select(SopVersion, SopVersion.id).where(
                SopVersion.status == "draft"
            )
        ]
        for table, column, pairs in shipped_texts():
            for pair in pairs:
                target = in_language(pair, language)
                where = [column.is_in([v for v in variants(pair) if v != target])]
                if table is RaciRole:
                    if not drafts:
                        continue
                    where.append(RaciRole.version.is_in(drafts))
                rows = await scope.update(table, {column: target}, *where).returning(table.id)
                changed += len(rows)
    return changed
