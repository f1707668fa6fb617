"""Rollout pages: the waves and training sessions of an initiative, one session with its
assessment scores, and the organisation's pass mark (Settings)."""

from __future__ import annotations

from datetime import date

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.registers.pages import can_write, initiative_header
from tracker.rollout import rules, service
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, read_form, redirect, render


async def _page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> Template:
    forms = forms or {}
    today = date.today().isoformat()
    return render(
        request,
        "rollout/rollout.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        **await service.rollout_view(ctx.scope, initiative_id),
        people=await fields.people(ctx.org_id),
        wave_form=forms.get("wave", Form({"start_date": today, "status": "planned"}, "w-")),
        session_form=forms.get("session", Form({"held_on": today}, "t-")),
        edit_forms=forms,
        edit_form_of=lambda wave: Form(service.wave_fields(wave), f"wave{wave['id']}-"),
        statuses=rules.WAVE_STATUSES,
        can_write=can_write(ctx),
        tab="rollout",
    )


@get("/initiatives/{initiative_id:int}/rollout", name="rollout")
async def rollout(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/rollout/waves", opt=needs(Action.WRITE_REGISTER))
async def add_wave(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    form.prefix = "w-"
    try:
        await service.add_wave(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _page(request, ctx, initiative_id, {"wave": form.absorb(error)}, 422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/rollout", _("Wave added."))


@post("/rollout-waves/{wave_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_wave(request: Request, ctx: OrgContext, wave_id: int) -> Template | Redirect:
    form = await read_form(request)
    form.prefix = f"wave{wave_id}-"
    try:
        initiative_id = await service.update_wave(ctx.scope, wave_id, form.submitted)
    except Invalid as error:
        initiative_id = await service.wave_initiative(ctx.scope, wave_id)
        forms = {f"wave-{wave_id}": form.absorb(error)}
        return await _page(request, ctx, initiative_id, forms, 422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/rollout", _("Wave updated."))


@post("/rollout-waves/{wave_id:int}/status", opt=needs(Action.WRITE_REGISTER))
async def wave_status(request: Request, ctx: OrgContext, wave_id: int) -> Redirect:
    form = await read_form(request)
    try:
        initiative_id = await service.set_wave_status(ctx.scope, wave_id, form.submitted)
        message = _("Wave updated.")
    except Invalid as error:
        initiative_id = await service.wave_initiative(ctx.scope, wave_id)
        message = error.fields.get("status", error.message)  # the choice's own message
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/rollout", message)


@post("/initiatives/{initiative_id:int}/rollout/sessions", opt=needs(Action.WRITE_REGISTER))
async def add_session(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    form.prefix = "t-"
    try:
        session_id = await service.add_session(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _page(request, ctx, initiative_id, {"session": form.absorb(error)}, 422)
    return redirect(
        f"/o/{ctx.slug}/training-sessions/{session_id}",
        _("Training session recorded: enter the assessment scores."),
    )


async def _session_page(
    request: Request,
    ctx: OrgContext,
    session_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    view = await service.session_view(ctx.scope, session_id)
    session = view["session"]
    if form is None:
        form = Form(
            {
                f"score_{r['id']}": "" if r["score"] is None else str(r["score"])
                for r in view["results"]
            }
        )
    return render(
        request,
        "rollout/session.html",
        status_code=status_code,
        ctx=ctx,
        **view,
        form=form,
        initiative={
            "id": session["initiative"],
            "process_code": session["initiative.process_code"],
            "name": session["initiative.name"],
        },
        can_write=can_write(ctx),
        tab="rollout",
    )


@get("/training-sessions/{session_id:int}", name="training_session")
async def session_page(request: Request, ctx: OrgContext, session_id: int) -> Template:
    return await _session_page(request, ctx, session_id)


@post("/training-sessions/{session_id:int}/scores", opt=needs(Action.WRITE_REGISTER))
async def save_scores(request: Request, ctx: OrgContext, session_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.save_scores(ctx.scope, session_id, form.submitted)
    except Invalid as error:
        return await _session_page(request, ctx, session_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/training-sessions/{session_id}", _("Scores saved."))


@get("/settings/training", name="training_settings", opt=needs(Action.MANAGE_ORG))
async def training_settings(request: Request, ctx: OrgContext) -> Template:
    mark = await service.pass_mark(ctx.org_id)
    return render(request, "rollout/settings.html", ctx=ctx, form=Form({"pass_mark": str(mark)}))


@post("/settings/training", opt=needs(Action.MANAGE_ORG))
async def save_training_settings(request: Request, ctx: OrgContext) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.save_pass_mark(ctx.org_id, form.submitted)
    except Invalid as error:
        form.absorb(error)
        return render(request, "rollout/settings.html", status_code=422, ctx=ctx, form=form)
    return redirect(f"/o/{ctx.slug}/settings/training", _("Pass mark saved."))


ROUTES = [
    rollout,
    add_wave,
    update_wave,
    wave_status,
    add_session,
    session_page,
    save_scores,
    training_settings,
    save_training_settings,
]
