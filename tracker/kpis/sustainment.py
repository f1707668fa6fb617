"""Sustainment checks: 30, 90 and 180 days (the organisation's setting) after an initiative
passes the rollout gate, each of its KPIs is judged held, drifting or lost
(rules.sustainment_outcome). A drifting or lost check raises a KPI alert of kind
"sustainment" (so it shows with the KPI alerts, on the board, in the e-mails and digests)
and proposes to the committee to recycle the initiative to Design, which the committee
accepts or dismisses with a reason; both are recorded in the initiative's history."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.accounts.rules import Role
from tracker.accounts.tables import Organisation
from tracker.db import tenant_transaction, write_transaction
from tracker.errors import Forbidden, Invalid
from tracker.i18n import gettext as _
from tracker.initiatives import queries as initiative_queries
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative, Phase
from tracker.kpis import control, judging, rules, spc
from tracker.kpis import queries as q
from tracker.kpis.tables import KpiAlert, SustainmentCheck
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Checks, Submitted

DESIGN = 3
DEFAULT_DAYS = (30, 90, 180)


async def check_days(scope: TenantScope) -> tuple[int, ...]:
    rows = await scope.fetch(q.SUSTAINMENT_DAYS)
    try:
        return rules.parse_days(rows[0]["sustainment_days"]) if rows else DEFAULT_DAYS
    except ValueError:
        return DEFAULT_DAYS


async def run_checks(today: date | None = None) -> int:
    """Every check that has come due, in every organisation (a job; once per KPI and day
    count: the key). Returns the number of checks made."""
    today = today or date.today()
    made = 0
    for org in await Organisation.select(Organisation.id):
        async with tenant_transaction(org["id"]):
            made += await check_org(TenantScope(org["id"]), today)
    return made


async def check_org(scope: TenantScope, today: date) -> int:
    days = await check_days(scope)
    kpis = await scope.fetch(q.KPIS_IN_MONITORING)
    done = {(r["kpi"], r["days"]) for r in await scope.fetch(q.CHECKS_DONE)}
    made = 0
    for kpi in kpis:
        previous = 0
        for n in days:
            due = kpi["gate"] + timedelta(days=n)
            if due <= today and (kpi["id"], n) not in done:
                made += await check_kpi(scope, dict(kpi), n, previous, due)
            previous = n
    return made


def _noise(stage_rows: list[dict[str, Any]], window: list[int]) -> float:
    """What the baseline's own variation explains of a mean of the window's points: three
    standard errors, sigma = mR̄ / d2 of the baseline stage (0 when it has no limits)."""
    mr_bar = next((r["mr_bar"] for r in stage_rows if r["label"] == "baseline"), None)
    return 3 * (mr_bar or 0.0) / spc.D2 / math.sqrt(len(window)) if window else 0.0


async def check_kpi(
    scope: TenantScope, kpi: dict[str, Any], n: int, previous: int, due: date
) -> int:
    """Judge the KPI's points since the last check day (up to `due`) against the pilot's
    after-value (the centre of its pilot stage), the baseline (the centre of its baseline
    stage) and the target. 0 when it has no point in that time (tried again next run)."""
    points = await scope.fetch(q.POINTS_UNTIL, kpi=kpi["id"], until=due)
    points.reverse()
    since = kpi["gate"] + timedelta(days=previous)
    window = [i for i, p in enumerate(points) if p["measured_on"] > since]
    if not window:
        return 0
    stage_rows = await control.stage_rows(scope, kpi["id"])
    centres = {r["label"]: r["centre"] for r in reversed(stage_rows) if r["centre"] is not None}
    after, baseline = centres.get("pilot"), centres.get("baseline")
    values = [p["value"] for p in points]
    bad_side = 1 if kpi["direction"] == "lower" else -1
    if after is not None and baseline is not None and baseline != after:
        bad_side = 1 if baseline > after else -1
    toward = False
    for part in spc.segments(
        [p["measured_on"] for p in points],
        values,
        judging.as_stages(stage_rows),
        await control.applied_rules(scope),
    ):
        centre = part.stage.limits.centre if part.stage.limits else 0.0
        for s in part.signals:
            if s.index >= window[0] and (values[s.index] - centre) * bad_side > 0:
                toward = True
    mean = sum(values[i] for i in window) / len(window)
    outcome = rules.sustainment_outcome(
        kpi["direction"], kpi["target"], mean, after, baseline, toward, _noise(stage_rows, window)
    )
    async with write_transaction():
        made = await scope.fetch(
            q.INSERT_CHECK,
            kpi=kpi["id"],
            initiative=kpi["initiative"],
            days=n,
            due=due,
            outcome=outcome,
            mean=mean,
            after=after,
            baseline=baseline,
            now=datetime.now(UTC),
        )
        if made and outcome != "held":
            await scope.fetch(
                q.INSERT_SUSTAINMENT_ALERT,
                kpi=kpi["id"],
                due=due,
                mean=mean,
                line=after if after is not None else kpi["target"],
                now=datetime.now(UTC),
                outcome=outcome,
            )
    return len(made)


async def checks(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    """The initiative's checks, newest first (one query)."""
    return await scope.fetch(q.CHECKS, initiative=initiative_id)


def can_decide(ctx: OrgContext) -> bool:
    return ctx.role in (Role.ADMIN, Role.COMMITTEE)


async def decide(ctx: OrgContext, check_id: int, submitted: Submitted) -> int:
    """The committee accepts (the initiative returns to Design, planned again from today) or
    dismisses a proposal, with a reason; once. Returns the initiative id; ``Forbidden`` for
    anyone but the committee (and admins), ``Invalid`` with the field errors (a proposal
    decided already too)."""
    scope = ctx.scope
    check = await scope.get(
        SustainmentCheck,
        check_id,
        SustainmentCheck.initiative,
        SustainmentCheck.kpi,
        SustainmentCheck.days,
        SustainmentCheck.outcome,
        SustainmentCheck.decision,
        SustainmentCheck.due_on,
    )
    if not can_decide(ctx):
        raise Forbidden(_("Only the steering committee decides on a recycle."))
    checks = Checks(submitted)
    decision = checks.get("decision")
    reason = checks.require("reason", _("Give the reason for the decision."), 2000)
    if decision not in ("accepted", "dismissed"):
        checks.error("decision", _("Accept or dismiss the proposal."))
    if check["outcome"] == "held":
        checks.error("decision", _("A held check proposes nothing."))
    checks.done()
    async with write_transaction():
        updated = await scope.update(
            SustainmentCheck,
            {
                SustainmentCheck.decision: decision,
                SustainmentCheck.reason: reason,
                SustainmentCheck.decided_by: ctx.person_id,
                SustainmentCheck.decided_at: datetime.now(UTC),
            },
            SustainmentCheck.id == check_id,
            SustainmentCheck.decision == "",
        ).returning(SustainmentCheck.id)
        if not updated:
            decided = _("This proposal has been decided already.")
            raise Invalid(_("Please correct the marked fields."), {"decision": decided})
        if decision == "accepted":
            await _recycle_to_design(scope, int(check["initiative"]))
        await scope.update(  # the proposal's alert is answered
            KpiAlert,
            {KpiAlert.acknowledged_at: datetime.now(UTC), KpiAlert.acknowledged_by: ctx.person_id},
            KpiAlert.kpi == check["kpi"],
            KpiAlert.kind == "sustainment",
            KpiAlert.measured_on == check["due_on"],
            KpiAlert.acknowledged_at.is_null(),
        )
        detail = {"kpi": check["kpi"], "days": check["days"], "outcome": check["outcome"]}
        await scope.fetch(  # the initiative's history, as the gates write it
            initiative_queries.INSERT_EVENT,
            initiative=check["initiative"],
            at=datetime.now(UTC),
            actor=ctx.person_id,
            kind=f"sustainment_{decision}",
            detail=json.dumps({**detail, "reason": reason}),
        )
    return int(check["initiative"])


async def _recycle_to_design(scope: TenantScope, initiative_id: int) -> None:
    """Return to Design and plan the phases again from today, as a Recycle decision does."""
    today = date.today()
    phases = {
        p["number"]: p
        for p in await scope.select(Phase, Phase.id, Phase.number).where(
            Phase.initiative == initiative_id
        )
    }
    for planned in initiative_rules.plan_phases(today, first=DESIGN):
        number = int(planned.number)
        await scope.update(
            Phase,
            {
                Phase.planned_start: planned.planned_start,
                Phase.planned_end: planned.planned_end,
                Phase.actual_start: today if number == DESIGN else None,
                Phase.actual_end: None,
            },
            Phase.id == phases[number]["id"],
        )
    await scope.update(
        Initiative,
        {
            Initiative.current_phase: phases[DESIGN]["id"],
            Initiative.version: Initiative.version + 1,
            Initiative.updated_at: datetime.now(UTC),
        },
        Initiative.id == initiative_id,
    )
