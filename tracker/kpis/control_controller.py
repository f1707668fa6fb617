"""Control-chart actions of a KPI (add or remove a stage, recompute the limits on purpose)
and the organisation's special-cause rule setting."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.kpis import control, spc
from tracker.kpis.controller import kpi_page_response
from tracker.tenancy import OrgContext
from tracker.web import read_form, redirect, render


@post("/kpis/{kpi_id:int}/stages")
async def add_stage(request: Request, ctx: OrgContext, kpi_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    if not await control.add_stage(ctx.scope, kpi_id, form):
        return await kpi_page_response(request, ctx, kpi_id, {"stage": form}, 422)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Stage added; its limits computed."))


@post("/kpi-stages/{stage_id:int}/delete")
async def delete_stage(request: Request, ctx: OrgContext, stage_id: int) -> Redirect:
    ctx.require(Action.WRITE_REGISTER)
    kpi_id = await control.delete_stage(ctx.scope, stage_id)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Stage removed."))


@post("/kpis/{kpi_id:int}/recompute-limits")
async def recompute_limits(request: Request, ctx: OrgContext, kpi_id: int) -> Redirect:
    ctx.require(Action.WRITE_REGISTER)
    await control.recompute(ctx.scope, kpi_id)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#control", _("Limits recomputed."))


@get("/settings/control-charts", name="control_chart_settings")
async def rule_settings(request: Request, ctx: OrgContext) -> Template:
    ctx.require(Action.MANAGE_ORG)
    chosen = await control.applied_rules(ctx.scope)
    return render(request, "kpis/settings.html", ctx=ctx, rules=spc.RULES, chosen=chosen)


@post("/settings/control-charts")
async def save_rule_settings(request: Request, ctx: OrgContext) -> Redirect:
    ctx.require(Action.MANAGE_ORG)
    form = await read_form(request)
    await control.save_rules(ctx.scope, form.all("rules"))
    return redirect(f"/o/{ctx.slug}/settings/control-charts", _("Special-cause rules saved."))


ROUTES = [add_stage, delete_stage, recompute_limits, rule_settings, save_rule_settings]
