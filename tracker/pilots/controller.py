"""Pilot records: list and create per initiative; the pilot page with metrics, satisfaction,
unmet problems and the feedback log; the printable summary with before/after charts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.pilots import service
from tracker.registers.pages import can_write, initiative_header
from tracker.tenancy import OrgContext, needs
from tracker.values import Submitted
from tracker.web import Form, read_form, redirect, render


async def _list_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "pilots/list.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        pilots=await service.pilots(ctx.scope, initiative_id),
        form=form or Form({"start_date": date.today().isoformat()}),
        can_write=can_write(ctx),
        tab="pilots",
    )


@get("/initiatives/{initiative_id:int}/pilots", name="pilots")
async def pilots(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _list_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/pilots", opt=needs(Action.WRITE_REGISTER))
async def create_pilot(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        pilot_id = await service.create(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _list_page(request, ctx, initiative_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/pilots/{pilot_id}", _("Pilot created."))


async def _pilot_page(
    request: Request,
    ctx: OrgContext,
    pilot_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
    template: str = "pilots/detail.html",
) -> Template:
    view = await service.pilot_view(ctx.scope, pilot_id, ctx.person_id)
    forms = forms or {}
    return render(
        request,
        template,
        status_code=status_code,
        ctx=ctx,
        **view,
        initiative={
            "id": view["pilot"]["initiative"],
            "process_code": view["pilot"]["initiative.process_code"],
            "name": view["pilot"]["initiative.name"],
        },
        metric_form=forms.get("metric", Form({"direction": "lower"})),
        rating_form=forms.get("rating", Form({})),
        unmet_form=forms.get("unmet", Form({})),
        feedback_form=forms.get("feedback", Form({"category": "process"})),
        summary_form=forms.get("summary", Form({"summary": view["pilot"]["summary"]})),
        result_form=forms.get("result", Form({})),
        can_write=can_write(ctx),
        can_log=ctx.can(Action.LOG_FEEDBACK),
        categories=service.FEEDBACK_CATEGORIES,
    )


@get("/pilots/{pilot_id:int}", name="pilot")
async def pilot_page(request: Request, ctx: OrgContext, pilot_id: int) -> Template:
    return await _pilot_page(request, ctx, pilot_id)


@get("/pilots/{pilot_id:int}/summary", name="pilot_summary")
async def pilot_summary(request: Request, ctx: OrgContext, pilot_id: int) -> Template:
    return await _pilot_page(request, ctx, pilot_id, template="pilots/summary.html")


async def _act(
    request: Request,
    ctx: OrgContext,
    pilot_id: int,
    key: str,
    handler: Callable[[Submitted], Awaitable[None]],
    message: str,
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await handler(form.submitted)
    except Invalid as error:
        return await _pilot_page(request, ctx, pilot_id, {key: form.absorb(error)}, 422)
    return redirect(f"/o/{ctx.slug}/pilots/{pilot_id}#{key}", message)


@post("/pilots/{pilot_id:int}/metrics", opt=needs(Action.WRITE_REGISTER))
async def add_metric(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _act(
        request,
        ctx,
        pilot_id,
        "metric",
        lambda f: service.add_metric(ctx.scope, pilot_id, f),
        _("Metric added."),
    )


@post("/pilot-metrics/{metric_id:int}", opt=needs(Action.WRITE_REGISTER))
async def record_result(request: Request, ctx: OrgContext, metric_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        pilot_id = await service.update_metric(ctx.scope, metric_id, form.submitted)
    except Invalid as error:
        pilot_id = await service.metric_pilot(ctx.scope, metric_id)
        return await _pilot_page(request, ctx, pilot_id, {"result": form.absorb(error)}, 422)
    return redirect(f"/o/{ctx.slug}/pilots/{pilot_id}#metric", _("Result recorded."))


@post("/pilots/{pilot_id:int}/ratings", opt=needs(Action.LOG_FEEDBACK))
async def add_rating(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _act(
        request,
        ctx,
        pilot_id,
        "rating",
        lambda f: service.add_rating(ctx.scope, pilot_id, f, ctx.person_id),
        _("Rating recorded."),
    )


@post("/pilots/{pilot_id:int}/unmet", opt=needs(Action.WRITE_REGISTER))
async def add_unmet(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _act(
        request,
        ctx,
        pilot_id,
        "unmet",
        lambda f: service.add_unmet(ctx.scope, pilot_id, f),
        _("Problem recorded."),
    )


@post("/pilots/{pilot_id:int}/feedback", opt=needs(Action.LOG_FEEDBACK))
async def add_feedback(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _act(
        request,
        ctx,
        pilot_id,
        "feedback",
        lambda f: service.add_feedback(ctx.scope, pilot_id, f, ctx.person_id),
        _("Feedback logged."),
    )


@post("/pilots/{pilot_id:int}/summary", opt=needs(Action.WRITE_REGISTER))
async def save_summary(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _act(
        request,
        ctx,
        pilot_id,
        "summary",
        lambda f: service.save_summary(ctx.scope, pilot_id, f),
        _("Summary saved."),
    )


ROUTES = [
    pilots,
    create_pilot,
    pilot_page,
    pilot_summary,
    add_metric,
    record_result,
    add_rating,
    add_unmet,
    add_feedback,
    save_summary,
]
