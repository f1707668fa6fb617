"""Control-chart actions of a KPI (add or remove a stage, recompute the limits on purpose)
and the organisation's special-cause rule setting."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.kpis import control, spc, sustainment
from tracker.kpis.controller import kpi_list_response, kpi_page_response
from tracker.kpis.tables import SustainmentCheck
from tracker.tenancy import OrgContext, by_record, needs
from tracker.web import Form, read_form, redirect, render


@post("/kpis/{kpi_id:int}/stages", opt=needs(Action.WRITE_REGISTER))
async def add_stage(request: Request, ctx: OrgContext, kpi_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await control.add_stage(ctx.scope, kpi_id, form.submitted)
    except Invalid as error:
        return await kpi_page_response(request, ctx, kpi_id, {"stage": form.absorb(error)}, 422)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Stage added; its limits computed."))


@post("/kpi-stages/{stage_id:int}/delete", opt=needs(Action.WRITE_REGISTER))
async def delete_stage(request: Request, ctx: OrgContext, stage_id: int) -> Redirect:
    kpi_id = await control.delete_stage(ctx.scope, stage_id)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Stage removed."))


@post("/kpis/{kpi_id:int}/recompute-limits", opt=needs(Action.WRITE_REGISTER))
async def recompute_limits(request: Request, ctx: OrgContext, kpi_id: int) -> Redirect:
    await control.recompute(ctx.scope, kpi_id)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Limits recomputed."))


@get("/settings/control-charts", name="control_chart_settings", opt=needs(Action.MANAGE_ORG))
async def rule_settings(request: Request, ctx: OrgContext) -> Template:
    return await _settings_page(request, ctx)


async def _settings_page(
    request: Request, ctx: OrgContext, form: Form | None = None, status_code: int = 200
) -> Template:
    chosen = await control.applied_rules(ctx.scope)
    days = await sustainment.check_days(ctx.scope)
    form = form or Form({"sustainment_days": ", ".join(str(d) for d in days)})
    return render(
        request,
        "kpis/settings.html",
        status_code=status_code,
        ctx=ctx,
        rules=spc.RULES,
        chosen=form.all("rules") if form.errors else chosen,
        form=form,
    )


@post("/settings/control-charts", opt=needs(Action.MANAGE_ORG))
async def save_rule_settings(request: Request, ctx: OrgContext) -> Template | Redirect:
    form = await read_form(request)
    try:
        await control.save_settings(ctx.scope, form.submitted)
    except Invalid as error:
        return await _settings_page(request, ctx, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/settings/control-charts", _("Special-cause rules saved."))


@post(
    "/sustainment-checks/{check_id:int}/decide",
    opt=by_record("the steering committee decides on a recycle"),
)
async def decide_sustainment(
    request: Request, ctx: OrgContext, check_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        initiative_id = await sustainment.decide(ctx, check_id, form.submitted)
    except Invalid as error:
        check = await ctx.scope.get(SustainmentCheck, check_id, SustainmentCheck.initiative)
        shown = {f"sustainment-{check_id}": form.absorb(error)}
        return await kpi_list_response(request, ctx, int(check["initiative"]), shown, 422)
    message = (
        _("Accepted: the initiative returns to Design.")
        if form.get("decision") == "accepted"
        else _("Dismissed; the reason is recorded.")
    )
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/kpis#sustainment", message)


ROUTES = [
    add_stage,
    delete_stage,
    recompute_limits,
    rule_settings,
    save_rule_settings,
    decide_sustainment,
]
