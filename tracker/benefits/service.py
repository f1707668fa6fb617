"""An initiative's benefit plan: reading it, whether it is frozen, setting it (a change of a
frozen plan only as a re-baseline with its reason), and the derivation settings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from tracker.benefits import queries as q
from tracker.benefits import rules
from tracker.benefits.tables import BenefitPlan, BenefitRebaseline
from tracker.db import write_transaction
from tracker.gates.common import event
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.tenancy import OrgContext, TenantScope
from tracker.web import Form

MAX_MONEY = 1e12


class PlanRefused(Exception):
    """A change the service refuses (a frozen plan without a reason); ``message`` is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def may_edit(ctx: OrgContext, initiative: dict[str, Any]) -> bool:
    """The initiative's lead and the admins set its plan and record what it realised."""
    return ctx.role == "admin" or (ctx.role == "lead" and initiative["owner"] == ctx.person_id)


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


def parse_plan(form: Form, direction: str) -> dict[str, Any]:
    """The plan's values from the form (errors stay on the form, beside their field)."""
    values: dict[str, Any] = {
        "metric_change": fields.number(form, "metric_change"),
        "value_kind": fields.choice(form, "value_kind", list(rules.ValueKind), "savings"),
        "annual_value": fields.number(form, "annual_value", required=True),
        "one_off_cost": fields.number(form, "one_off_cost") or 0.0,
        "currency": (form.get("currency") or rules.DEFAULT_CURRENCY).upper(),
        "start_month": rules.parse_month(form.get("start_month")),
    }
    problem = rules.metric_change_problem(values["metric_change"], direction)
    if problem and "metric_change" not in form.errors:
        form.error("metric_change", _(problem))
    for name in ("annual_value", "one_off_cost"):
        value = values[name]
        if value is not None and not 0 <= value <= MAX_MONEY and name not in form.errors:
            form.error(name, _("Enter an amount of 0 or more."))
    if not rules.valid_currency(values["currency"]):
        form.error("currency", _("Enter a three-letter ISO currency code, such as CNY or USD."))
    if values["start_month"] is None:
        form.error("start_month", _("Enter the month benefits start, as YYYY-MM."))
    return values


def _json(values: dict[str, Any]) -> str:
    return json.dumps({k: values.get(k) for k in rules.PLAN_FIELDS}, default=str)


async def save_plan(
    ctx: OrgContext, initiative: dict[str, Any], form: Form
) -> tuple[str, dict[str, Any] | None]:
    """Set the plan: "saved", "rebaselined", "unchanged" or "invalid" (errors on the form).
    Once frozen, a change needs its reason and is kept as a re-baseline."""
    scope, initiative_id = ctx.scope, initiative["id"]
    values = parse_plan(form, initiative["goal_direction"])
    current = await plan(scope, initiative_id)
    frozen = await is_frozen(scope, initiative_id)
    reason = form.limit("reason", 2000)
    if frozen and current is not None and not reason and form.ok:
        form.error(
            "reason",
            _("The plan is frozen since the rollout gate passed: say why it is re-baselined."),
        )
    if not form.ok:
        return "invalid", None
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
    here whatever the caller did (``PlanRefused``)."""
    scope = ctx.scope
    changes = rules.plan_changes(current, values)
    if not changes:
        return "unchanged", None
    frozen = await is_frozen(scope, initiative_id)
    if frozen and not (reason or "").strip():
        raise PlanRefused(
            _("The plan is frozen since the rollout gate passed: say why it is re-baselined.")
        )
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


async def save_derivation(scope: TenantScope, initiative_id: int, form: Form) -> bool:
    """How realised benefits are derived from a KPI: which KPI, its baseline, units per
    month, value per unit. Not frozen: they say how benefits are measured."""
    choices = {k["id"]: k for k in await kpi_choices(scope, initiative_id)}
    kpi = form.get("kpi")
    if not kpi.isdigit() or int(kpi) not in choices:
        form.error("kpi", _("Choose a KPI of this initiative."))
    baseline = fields.number(form, "kpi_baseline", required=True)
    units = fields.number(form, "units_per_month", required=True)
    per_unit = fields.number(form, "value_per_unit", required=True)
    if units is not None and units <= 0 and "units_per_month" not in form.errors:
        form.error("units_per_month", _("Enter a number above 0."))
    if not form.ok:
        return False
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
    return True


def plan_form(current: dict[str, Any] | None, today: date) -> Form:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return str(value)

    if current is None:
        return Form(
            {
                "currency": rules.DEFAULT_CURRENCY,
                "value_kind": "savings",
                "start_month": rules.add_months(rules.month_of(today), 1).strftime("%Y-%m"),
                "one_off_cost": "0",
                "units_per_month": "1",
            }
        )
    return Form({key: text(value) for key, value in current.items()})


def derive_form(current: dict[str, Any] | None, initiative: dict[str, Any]) -> Form:
    """The derivation settings; the baseline is the goal's until one is set."""
    form = plan_form(current, date.today())
    if not form.get("kpi_baseline") and initiative.get("goal_baseline") is not None:
        form.values["kpi_baseline"] = f"{initiative['goal_baseline']:g}"
    return form
