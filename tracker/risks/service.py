"""Risks with their score history and heat map; the change-resistance log."""

from __future__ import annotations

from typing import Any

from tracker.accounts.language import org_language
from tracker.db import write_transaction
from tracker.errors import Conflict
from tracker.i18n import gettext as _
from tracker.i18n import in_language
from tracker.initiatives.tables import Initiative
from tracker.registers import fields
from tracker.risks import queries as q
from tracker.risks import rules
from tracker.risks.tables import ResistanceEntry, Risk, RiskScoreChange
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted

COLUMNS = (
    Risk.id,
    Risk.initiative,
    Risk.description,
    Risk.category,
    Risk.likelihood,
    Risk.impact,
    Risk.owner,
    Risk.owner.name,
    Risk.mitigation,
    Risk.manifestation,
    Risk.status,
    Risk.review_date,
    Risk.residual_likelihood,
    Risk.residual_impact,
    Risk.created_at,
    Risk.version,
)


def decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["score"] = rules.score(row["likelihood"], row["impact"])
        row["band"] = rules.band(row["score"])
        if row["residual_likelihood"] and row["residual_impact"]:
            row["residual_score"] = rules.score(row["residual_likelihood"], row["residual_impact"])
            row["residual_band"] = rules.band(row["residual_score"])
        else:
            row["residual_score"] = row["residual_band"] = None
    return rows


async def heat_cells(
    scope: TenantScope, initiative_id: int | None = None
) -> dict[tuple[int, int], int]:
    """The heat map: risks not closed per (likelihood, impact), of one initiative (counted) or
    all (kept by triggers)."""
    if initiative_id is None:
        return rules.heat_cells(await scope.fetch_dicts(q.HEAT_KEPT))
    counts = await scope.fetch_dicts(
        q.HEAT, initiative=initiative_id, closed=rules.RiskStatus.CLOSED.value
    )
    return rules.heat_cells(counts)


async def risks(
    scope: TenantScope,
    initiative_id: int | None = None,
    likelihood: int | None = None,
    impact: int | None = None,
) -> list[dict[str, Any]]:
    cell = bool(likelihood and impact)  # one cell of the heat map: its open risks
    rows = await scope.fetch_dicts(
        q.RISKS,
        initiative=initiative_id,
        likelihood=likelihood if cell else None,
        impact=impact if cell else None,
        closed=rules.RiskStatus.CLOSED.value,
    )
    rows = decorate(rows)
    return sorted(rows, key=lambda r: (r["status"] == "closed", -r["score"], r["id"]))


async def get(scope: TenantScope, risk_id: int) -> dict[str, Any]:
    row = await scope.get(
        Risk, risk_id, *COLUMNS, Risk.initiative.process_code, Risk.initiative.name
    )
    return decorate([row])[0]


async def history(scope: TenantScope, risk_id: int) -> list[dict[str, Any]]:
    rows = (
        await scope.select(
            RiskScoreChange, *RiskScoreChange.all_columns(), RiskScoreChange.changed_by.name
        )
        .where(RiskScoreChange.risk == risk_id)
        .order_by(RiskScoreChange.changed_at)
    )
    for row in rows:
        row["score"] = rules.score(row["likelihood"], row["impact"])
    return rows


async def parse(scope: TenantScope, checks: Checks) -> dict[str, Any]:
    """A risk's values; errors go on the checks, beside their field."""
    values = {
        "description": checks.require("description", _("Describe the risk."), 300),
        "category": fields.choice(checks, "category", rules.RiskCategory, rules.RiskCategory.OTHER),
        "likelihood": fields.score(checks, "likelihood"),
        "impact": fields.score(checks, "impact"),
        "owner": await fields.member(checks, "owner", scope.org_id),
        "manifestation": checks.limit("manifestation", 5000),
        "mitigation": checks.limit("mitigation", 5000),
        "status": fields.choice(checks, "status", rules.RiskStatus, rules.RiskStatus.OPEN),
        "review_date": fields.day(checks, "review_date"),
        "residual_likelihood": fields.score(checks, "residual_likelihood", required=False),
        "residual_impact": fields.score(checks, "residual_impact", required=False),
    }
    if bool(values["residual_likelihood"]) != bool(values["residual_impact"]):
        checks.error(
            "residual_impact", _("Give both the residual likelihood and impact, or neither.")
        )
    return values


async def create(
    scope: TenantScope, initiative_id: int, submitted: Submitted, person_id: int
) -> int:
    """Register a risk (and its first score); returns its id. Field errors: ``Invalid``."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values = await parse(scope, checks)
    checks.done()
    async with write_transaction():
        risk_id = (await scope.insert(Risk, {**values, "initiative": initiative_id}))[0]["id"]
        await scope.insert(
            RiskScoreChange,
            {
                "risk": risk_id,
                "likelihood": values["likelihood"],
                "impact": values["impact"],
                "changed_by": person_id,
            },
        )
    return int(risk_id)


async def update(scope: TenantScope, risk_id: int, submitted: Submitted, person_id: int) -> None:
    """Save the risk as the person saw it (its ``version``); a new score is kept in its
    history. Field errors: ``Invalid``; saved by someone else meanwhile: ``Conflict``."""
    current = await get(scope, risk_id)
    checks = Checks(submitted)
    values = await parse(scope, checks)
    version = checks.get("version")
    if not version.isdigit():
        checks.error("description", _("The form is incomplete; reload the page."))
    checks.done()
    async with write_transaction():
        saved = await scope.update(
            Risk,
            {**{getattr(Risk, k): v for k, v in values.items()}, Risk.version: int(version) + 1},
            Risk.id == risk_id,
            Risk.version == int(version),
        ).returning(Risk.id)
        if not saved:
            raise Conflict(
                _(
                    "Someone else saved this risk while you were editing it. Your changes are "
                    "not saved; your input is kept below. Save again to replace their version."
                )
            )
        if (current["likelihood"], current["impact"]) != (values["likelihood"], values["impact"]):
            await scope.insert(
                RiskScoreChange,
                {
                    "risk": risk_id,
                    "likelihood": values["likelihood"],
                    "impact": values["impact"],
                    "changed_by": person_id,
                },
            )


async def add_starters(scope: TenantScope, initiative_id: int, person_id: int) -> int:
    """Add the five starter risks the initiative does not have yet; returns how many."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    language = await org_language(scope.org_id)
    async with write_transaction():
        have = {
            r["description"]
            for r in await scope.select(Risk, Risk.description).where(
                Risk.initiative == initiative_id
            )
        }
        added = 0
        starters = zip(rules.STARTER_RISKS, rules.STARTER_MANIFESTATIONS, strict=True)
        for (texts, category, likelihood, impact, mitigations), shows in starters:
            description, mitigation = (
                in_language(texts, language),
                in_language(mitigations, language),
            )
            if description in have:
                continue
            risk_id = (
                await scope.insert(
                    Risk,
                    {
                        "initiative": initiative_id,
                        "description": description,
                        "category": category,
                        "likelihood": likelihood,
                        "impact": impact,
                        "mitigation": mitigation,
                        "manifestation": in_language(shows, language),
                    },
                )
            )[0]["id"]
            await scope.insert(
                RiskScoreChange,
                {
                    "risk": risk_id,
                    "likelihood": likelihood,
                    "impact": impact,
                    "changed_by": person_id,
                },
            )
            added += 1
    return added


# --- change resistance ---------------------------------------------------------------------


async def resistance(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    order = {"high": 0, "medium": 1, "low": 2, "none": 3}
    rows = await scope.select(
        ResistanceEntry, *ResistanceEntry.all_columns(), ResistanceEntry.owner.name
    ).where(ResistanceEntry.initiative == initiative_id)
    return sorted(rows, key=lambda r: (r["status"] == "done", order.get(r["level"], 9), r["id"]))


async def parse_resistance(scope: TenantScope, checks: Checks) -> dict[str, Any]:
    return {
        "stakeholder_group": checks.require(
            "stakeholder_group", _("Name the stakeholder group."), 150
        ),
        "level": fields.choice(checks, "level", rules.ResistanceLevel),
        "barrier": fields.choice(checks, "barrier", rules.Barrier),
        "concern": checks.limit("concern", 5000),
        "root_cause": checks.limit("root_cause", 5000),
        "action": checks.limit("action", 5000),
        "owner": await fields.member(checks, "owner", scope.org_id),
        "due_date": fields.day(checks, "due_date"),
        "status": fields.choice(checks, "status", rules.ActionStatus, rules.ActionStatus.OPEN),
        "outcome": checks.limit("outcome", 5000),
    }


async def create_resistance(scope: TenantScope, initiative_id: int, submitted: Submitted) -> int:
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values = await parse_resistance(scope, checks)
    checks.done()
    return int(
        (await scope.insert(ResistanceEntry, {**values, "initiative": initiative_id}))[0]["id"]
    )


async def resistance_initiative(scope: TenantScope, entry_id: int) -> int:
    """The initiative a change-resistance entry belongs to."""
    entry = await scope.get(ResistanceEntry, entry_id, ResistanceEntry.initiative)
    return int(entry["initiative"])


async def update_resistance(scope: TenantScope, entry_id: int, submitted: Submitted) -> None:
    await scope.get(ResistanceEntry, entry_id, ResistanceEntry.id)
    checks = Checks(submitted)
    values = await parse_resistance(scope, checks)
    checks.done()
    await scope.update(
        ResistanceEntry,
        {getattr(ResistanceEntry, k): v for k, v in values.items()},
        ResistanceEntry.id == entry_id,
    )
