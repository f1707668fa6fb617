"""Benefits realised month by month: entered by hand, imported from a file (all or nothing,
every row's problems reported) or derived from the initiative's KPI; one figure per
initiative and month, with the method that made it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.benefits import queries as q
from tracker.benefits import rules
from tracker.benefits.service import as_date, editable, editable_plan
from tracker.benefits.tables import BenefitRealised
from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.registers.importing import Sheet
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Checks, Submitted

IMPORT_COLUMNS = {
    "month": ["month", "月份", "月"],
    "amount": ["amount", "realised", "金额", "实现收益"],
    "note": ["note", "备注"],
}
IMPORT_REQUIRED = {"month", "amount"}
MAX_AMOUNT = 1e12


async def months_of(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    rows = await scope.fetch_dicts(q.REALISED_MONTHS, initiative=initiative_id)
    for row in rows:
        row["month"] = as_date(row["month"])
    return rows


def ledger(plan: dict[str, Any], rows: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Each month from the plan's start (or the first realised month) to this month: planned,
    realised with its method, and both cumulative."""
    by_month = {row["month"]: row for row in rows}
    first = min([plan["start_month"], *by_month]) if by_month else plan["start_month"]
    last = max([rules.month_of(today), *by_month])
    lines = []
    planned_total = realised_total = 0.0
    for month in rules.months(first, last):
        planned = rules.planned_in_month(plan["annual_value"], plan["start_month"], month)
        row = by_month.get(month)
        realised = float(row["amount"]) if row else None
        planned_total += planned
        realised_total += realised or 0.0
        lines.append(
            {
                "month": month,
                "planned": planned,
                "realised": realised,
                "row": row,
                "cumulative_planned": planned_total,
                "cumulative_realised": realised_total,
            }
        )
    return lines


async def _put(
    scope: TenantScope,
    initiative_id: int,
    month: date,
    amount: float,
    method: str,
    note: str,
    person_id: int | None,
) -> None:
    """The month's figure, replacing the one there was."""
    await scope.delete(
        BenefitRealised, BenefitRealised.initiative == initiative_id, BenefitRealised.month == month
    )
    await scope.insert(
        BenefitRealised,
        {
            "initiative": initiative_id,
            "month": month,
            "amount": amount,
            "method": method,
            "note": note[:300],
            "recorded_by": person_id,
        },
    )


async def enter(ctx: OrgContext, initiative_id: int, submitted: Submitted) -> None:
    """A month's realised benefit entered by hand (its lead or an admin, once there is a
    plan), replacing the month's figure. Field errors: ``Invalid``."""
    await editable_plan(ctx, initiative_id)
    checks = Checks(submitted)
    month = rules.parse_month(checks.get("month"))
    if month is None:
        checks.error("month", _("Enter the month as YYYY-MM."))
    elif month > rules.month_of(date.today()):
        checks.error("month", _("A benefit is realised in this month or before."))
    amount = fields.number(checks, "amount", required=True)
    note = checks.limit("note", 300)
    checks.done()
    assert month is not None and amount is not None  # both required above
    async with write_transaction():
        await _put(
            ctx.scope, initiative_id, month, amount, rules.Method.ENTERED, note, ctx.person_id
        )


async def remove(ctx: OrgContext, initiative_id: int, realised_id: int) -> None:
    """Remove a realised month (its lead or an admin)."""
    await editable(ctx, initiative_id)
    await ctx.scope.delete(
        BenefitRealised,
        BenefitRealised.id == realised_id,
        BenefitRealised.initiative == initiative_id,
    )


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    rows: list[tuple[date, float, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def preview_import(sheet: Sheet, today: date) -> ImportPreview:
    """Every row checked: a month (YYYY-MM, not in the future, once in the file) and an
    amount; the problems by row and column."""
    preview = ImportPreview(errors=[(r, c, _(m)) for r, c, m in sheet.errors])
    if sheet.errors:
        return preview
    seen: set[date] = set()
    for number, row in enumerate(sheet.rows, start=2):
        month = rules.parse_month(row.get("month", ""))
        if month is None:
            preview.errors.append((number, "month", _("Enter the month as YYYY-MM.")))
        elif month > rules.month_of(today):
            preview.errors.append(
                (number, "month", _("A benefit is realised in this month or before."))
            )
        elif month in seen:
            preview.errors.append((number, "month", _("This month is already in the file.")))
        try:
            amount = float(row.get("amount", "").replace(",", ""))
            if not -MAX_AMOUNT <= amount <= MAX_AMOUNT:
                raise ValueError
        except ValueError:
            preview.errors.append((number, "amount", _("Enter a number.")))
            continue
        if month is None or month in seen or month > rules.month_of(today):
            continue
        seen.add(month)
        preview.rows.append((month, amount, row.get("note", "")[:300]))
    return preview


async def write_import(
    scope: TenantScope, initiative_id: int, preview: ImportPreview, person_id: int
) -> int:
    """All rows or none; a month already recorded is replaced."""
    async with write_transaction():
        for month, amount, note in preview.rows:
            await _put(scope, initiative_id, month, amount, rules.Method.IMPORTED, note, person_id)
    return len(preview.rows)


# --- derived from the KPI -----------------------------------------------------------------


async def derive(
    scope: TenantScope, initiative_id: int, plan: dict[str, Any], person_id: int, today: date
) -> tuple[int, int] | None:
    """Derive each month from the plan's start to this month from the KPI's measurements;
    months entered or imported by hand are kept. (derived, kept by hand); None without the
    settings."""
    if plan.get("kpi") is None or plan.get("value_per_unit") is None:
        return None
    if plan.get("kpi_baseline") is None:
        return None
    measurements = await scope.fetch(
        q.MEASUREMENTS_SINCE, kpi=plan["kpi"], since=plan["start_month"]
    )
    derived = rules.derive(
        ((as_date(m["measured_on"]), float(m["value"])) for m in measurements),
        float(plan["kpi_baseline"]),
        plan["kpi_direction"] or "lower",
        float(plan["units_per_month"] or 1),
        float(plan["value_per_unit"]),
        plan["start_month"],
        today,
    )
    by_hand = {
        as_date(r["month"])
        for r in await scope.fetch(
            q.MONTHS_NOT_BY, initiative=initiative_id, method=rules.Method.DERIVED.value
        )
    }
    written = 0
    async with write_transaction():
        for d in derived:
            if d.month in by_hand:
                continue
            note = rules.derivation_note(
                d,
                float(plan["kpi_baseline"]),
                plan["kpi_direction"] or "lower",
                float(plan["units_per_month"] or 1),
                float(plan["value_per_unit"]),
            )
            await _put(
                scope, initiative_id, d.month, d.amount, rules.Method.DERIVED, note, person_id
            )
            written += 1
    return written, len([d for d in derived if d.month in by_hand])
