"""An initiative's benefit plan: reading it, whether it is frozen, setting it (a change of a
frozen plan only as a re-baseline with its reason), and the derivation settings. Who may
change an initiative's benefits is checked here (``editable``): its lead and the admins."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from tracker.benefits import queries as q
from tracker.benefits import rules
from tracker.benefits.tables import BenefitPlan, BenefitRebaseline
from tracker.db import write_transaction
from tracker.errors import Forbidden, Invalid, NotFound
from tracker.gates.common import event
from tracker.i18n import gettext as _
from tracker.initiatives.service import get_initiative
from tracker.registers import fields
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Checks, Submitted

MAX_MONEY = 1e12


def may_edit(ctx: OrgContext, initiative: dict[str, Any]) -> bool:
    """The initiative's lead and the admins set its plan and record what it realised."""
    return ctx.role == "admin" or (ctx.role == "lead" and initiative["owner"] == ctx.person_id)


async def editable(
    ctx: OrgContext, initiative_id: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The initiative and its plan (None without one), for a change by its lead or an admin:
    ``NotFound`` for another organisation's, ``Forbidden`` for anyone else."""
    initiative = await get_initiative(ctx.scope, initiative_id)
    if not may_edit(ctx, initiative):
        raise Forbidden(_("Only the initiative's lead or an admin changes its benefits."))
    return initiative, await plan(ctx.scope, initiative_id)


async def editable_plan(
    ctx: OrgContext, initiative_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``editable``, for what needs a plan (its currency, its start): ``NotFound`` without."""
    initiative, current = await editable(ctx, initiative_id)
    if current is None:
        raise NotFound()
    return initiative, current


async def plan(scope: TenantScope, initiative_id: int) -> dict[str, Any] | None:
    rows = await scope.fetch_dicts(q.PLAN, initiative=initiative_id)
    if not rows:
        return None
    rows[0]["start_month"] = as_date(rows[0]["start_month"])
    return rows[0]


def as_date(value: Any) -> Any:
    """A date read by hand-written SQL (SQLite gives the text)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def is_frozen(scope: TenantScope, initiative_id: int) -> bool:
    """Frozen once the rollout gate has passed: read from the gate decisions themselves, so
    the gates know nothing of benefits."""
    rows = await scope.fetch(q.DECISIONS_AT_GATE, initiative=initiative_id, gate=rules.ROLLOUT_GATE)
    return rules.frozen((r["gate"], r["outcome"]) for r in rows)


async def rebaselines(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    rows = await scope.fetch_dicts(q.REBASELINES, initiative=initiative_id)
    for row in rows:
        if isinstance(row["changed_at"], str):
            row["changed_at"] = datetime.fromisoformat(row["changed_at"])
        old, new = json.loads(row["old_plan"]), json.loads(row["new_plan"])
        row["changes"] = [(name, old.get(name), new.get(name)) for name in rules.PLAN_FIELDS]
        row["changes"] = [c for c in row["changes"] if c[1] != c[2]]
    return rows


def parse_plan(checks: Checks, direction: str) -> dict[str, Any]:
    """The plan's values (errors go on the checks, beside their field)."""
    values: dict[str, Any] = {
        "metric_change": fields.number(checks, "metric_change"),
        "value_kind": fields.choice(checks, "value_kind", list(rules.ValueKind), "savings"),
        "annual_value": fields.number(checks, "annual_value", required=True),
        "one_off_cost": fields.number(checks, "one_off_cost") or 0.0,
        "currency": (checks.get("currency") or rules.DEFAULT_CURRENCY).upper(),
        "start_month": rules.parse_month(checks.get("start_month")),
    }
    problem = rules.metric_change_problem(values["metric_change"], direction)
    if problem and "metric_change" not in checks.errors:
        checks.error("metric_change", _(problem))
    for name in ("annual_value", "one_off_cost"):
        value = values[name]
        if value is not None and not 0 <= value <= MAX_MONEY and name not in checks.errors:
            checks.error(name, _("Enter an amount of 0 or more."))
    if not rules.valid_currency(values["currency"]):
        checks.error("currency", _("Enter a three-letter ISO currency code, such as CNY or USD."))
    if values["start_month"] is None:
        checks.error("start_month", _("Enter the month benefits start, as YYYY-MM."))
    return values


def frozen_without_reason() -> str:
    return _("The plan is frozen since the rollout gate passed: say why it is re-baselined.")


def _json(values: dict[str, Any]) -> str:
    return json.dumps({k: values.get(k) for k in rules.PLAN_FIELDS}, default=str)


async def save_plan(
    ctx: OrgContext, initiative_id: int, submitted: Submitted
) -> tuple[str, dict[str, Any] | None]:
    """Set the plan (its lead or an admin): "saved", "rebaselined" or "unchanged", and the
    changes. Once frozen, a change needs its reason and is kept as a re-baseline. Field
    errors: ``Invalid``."""
    initiative, current = await editable(ctx, initiative_id)
    scope, checks = ctx.scope, Checks(submitted)
    values = parse_plan(checks, initiative["goal_direction"])
    frozen = await is_frozen(scope, initiative_id)
    reason = checks.limit("reason", 2000)
    if frozen and current is not None and not reason and checks.ok:
        checks.error("reason", frozen_without_reason())
    checks.done()
    if current is None:
        await scope.insert(
            BenefitPlan,
            {**values, "initiative": initiative_id, "updated_by": ctx.person_id},
        )
        return "saved", None
    return await change_plan(ctx, initiative_id, current, values, reason if frozen else None)


async def change_plan(
    ctx: OrgContext,
    initiative_id: int,
    current: dict[str, Any],
    values: dict[str, Any],
    reason: str | None,
) -> tuple[str, dict[str, Any] | None]:
    """Change an existing plan. A frozen plan (``is_frozen``) changes only with a reason,
    kept as a re-baseline row (who, when, before, after, why) and in the history; refused
    here whatever the caller did (``Invalid``, beside the reason)."""
    scope = ctx.scope
    changes = rules.plan_changes(current, values)
    if not changes:
        return "unchanged", None
    frozen = await is_frozen(scope, initiative_id)
    if frozen and not (reason or "").strip():
        raise Invalid(frozen_without_reason(), {"reason": frozen_without_reason()})
    async with write_transaction():
        await scope.update(
            BenefitPlan,
            {
                **{getattr(BenefitPlan, k): values[k] for k in rules.PLAN_FIELDS if k in values},
                BenefitPlan.updated_by: ctx.person_id,
                BenefitPlan.updated_at: datetime.now(UTC),
                BenefitPlan.version: current["version"] + 1,
            },
            BenefitPlan.initiative == initiative_id,
        )
        if frozen:
            await scope.insert(
                BenefitRebaseline,
                {
                    "initiative": initiative_id,
                    "changed_by": ctx.person_id,
                    "old_plan": _json(current),
                    "new_plan": _json(values),
                    "reason": (reason or "").strip(),
                },
            )
            await event(
                scope,
                initiative_id,
                ctx.person_id,
                "benefits_rebaselined",
                reason=(reason or "").strip(),
                changes={k: [str(a), str(b)] for k, (a, b) in changes.items()},
            )
    return ("rebaselined" if frozen else "saved"), changes


async def kpi_choices(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return await scope.fetch(q.KPI_CHOICES, initiative=initiative_id)


async def save_derivation(
    ctx: OrgContext, initiative_id: int, submitted: Submitted
) -> dict[str, Any]:
    """How realised benefits are derived from a KPI (its lead or an admin, once there is a
    plan): which KPI, its baseline, units per month, value per unit; returns the plan with
    them. Not frozen: they say how benefits are measured. Field errors: ``Invalid``."""
    await editable_plan(ctx, initiative_id)
    scope, checks = ctx.scope, Checks(submitted)
    choices = {k["id"]: k for k in await kpi_choices(scope, initiative_id)}
    kpi = checks.get("kpi")
    if not kpi.isdigit() or int(kpi) not in choices:
        checks.error("kpi", _("Choose a KPI of this initiative."))
    baseline = fields.number(checks, "kpi_baseline", required=True)
    units = fields.number(checks, "units_per_month", required=True)
    per_unit = fields.number(checks, "value_per_unit", required=True)
    if units is not None and units <= 0 and "units_per_month" not in checks.errors:
        checks.error("units_per_month", _("Enter a number above 0."))
    checks.done()
    await scope.update(
        BenefitPlan,
        {
            BenefitPlan.kpi: int(kpi),
            BenefitPlan.kpi_baseline: baseline,
            BenefitPlan.units_per_month: units,
            BenefitPlan.value_per_unit: per_unit,
        },
        BenefitPlan.initiative == initiative_id,
    )
    saved = await plan(scope, initiative_id)
    assert saved is not None  # editable_plan found it
    return saved


def plan_fields(current: dict[str, Any] | None, today: date) -> dict[str, str]:
    """The plan's values as its form shows them (a new plan's suggestions without one)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return str(value)

    if current is None:
        return {
            "currency": rules.DEFAULT_CURRENCY,
            "value_kind": "savings",
            "start_month": rules.add_months(rules.month_of(today), 1).strftime("%Y-%m"),
            "one_off_cost": "0",
            "units_per_month": "1",
        }
    return {key: text(value) for key, value in current.items()}


def derive_fields(current: dict[str, Any] | None, initiative: dict[str, Any]) -> dict[str, str]:
    """The derivation settings as their form shows them; the baseline is the goal's until
    one is set."""
    values = plan_fields(current, date.today())
    if not values.get("kpi_baseline") and initiative.get("goal_baseline") is not None:
        values["kpi_baseline"] = f"{initiative['goal_baseline']:g}"
    return values
