"""The portfolio analytics page, the rows behind each figure, and the workbook export.

Every member may read the page: it shows in aggregate what the board, the initiatives and
the reviews already show them. The reviewer calibration is the admins' alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from tracker.accounts.rules import Role
from tracker.analytics import charts, drill, export, service
from tracker.analytics.rules import OUTCOMES, Filter
from tracker.benefits import rollup
from tracker.benefits import rules as benefit_rules
from tracker.initiatives.board import BoardFilter
from tracker.spreadsheets import download_workbook
from tracker.tenancy import OrgContext
from tracker.web import is_fragment_request, render


async def _report(request: Request, ctx: OrgContext) -> service.Report:
    flt = Filter.from_query(request.query_params, date.today())
    return await service.report(ctx.org_id, flt, date.today(), ctx.role == Role.ADMIN)


async def _benefits(ctx: OrgContext, flt: Filter) -> Any:
    """The benefits roll-up for the same initiatives and period (two queries)."""
    board = BoardFilter(owner=flt.owner, department=flt.department, process_class=flt.process_class)
    first, last = benefit_rules.period_of(flt.since, flt.until, date.today())
    return await rollup.portfolio(ctx.scope, board, first, last)


@get("/analytics", name="analytics")
async def analytics_page(request: Request, ctx: OrgContext) -> Template:
    report = await _report(request, ctx)
    context: dict[str, Any] = dict(
        ctx=ctx,
        report=report,
        rollup=await _benefits(ctx, report.filter),
        flt=report.filter,
        outcomes=OUTCOMES,
        funnel_chart=charts.funnel(report.funnel),
        outcome_chart=charts.outcomes(report.by_gate),
        box_plot=charts.box_plot(report.lead_times) if report.lead_times else None,
    )
    if is_fragment_request(request):
        return render(request, "analytics/partials/report.html", **context)
    owners, departments = await service.filter_choices(ctx.org_id)
    return render(request, "analytics/page.html", owners=owners, departments=departments, **context)


@get("/analytics/drill", name="analytics_drill")
async def analytics_drill(request: Request, ctx: OrgContext) -> Template:
    try:
        keys = drill.Keys.from_query(request.query_params)
    except drill.BadDrill as error:
        raise NotFoundException() from error
    flt = Filter.from_query(request.query_params, date.today())
    found = await drill.drill(keys, ctx.org_id, flt, date.today(), ctx.role)
    return render(request, "analytics/drill.html", ctx=ctx, flt=flt, found=found, keys=keys)


@get("/analytics/export.xlsx", name="analytics_export")
async def analytics_export(request: Request, ctx: OrgContext) -> Response:
    report = await _report(request, ctx)
    name = f"analytics-{ctx.slug}-{report.filter.since}-{report.filter.until}"
    return download_workbook(export.tables(report), name)


ROUTES = [analytics_page, analytics_drill, analytics_export]
