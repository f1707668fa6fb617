"""Risk register, heat maps (initiative and portfolio), starter risks, change-resistance log."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Conflict, Invalid
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.registers.pages import can_write, initiative_header
from tracker.risks import rules, service
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, is_fragment_request, read_form, redirect, render


async def _list_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "risks/list.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        risks=await service.risks(ctx.scope, initiative_id),
        people=await fields.people(ctx.org_id),
        form=form or Form({"likelihood": "3", "impact": "3", "category": "other"}),
        can_write=can_write(ctx),
        tab="risks",
    )


@get("/initiatives/{initiative_id:int}/risks", name="risks")
async def risks(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _list_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/risks", opt=needs(Action.WRITE_REGISTER))
async def create_risk(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.create(ctx.scope, initiative_id, form.submitted, ctx.person_id)
    except Invalid as error:
        return await _list_page(request, ctx, initiative_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/risks", _("Risk registered."))


@post("/initiatives/{initiative_id:int}/risks/starters", opt=needs(Action.WRITE_REGISTER))
async def add_starters(ctx: OrgContext, initiative_id: int) -> Redirect:
    added = await service.add_starters(ctx.scope, initiative_id, ctx.person_id)
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}/risks",
        _("%(n)s starter risks added.", n=added)
        if added
        else _("The starter risks are already there."),
    )


async def _risk_page(
    request: Request,
    ctx: OrgContext,
    risk_id: int,
    form: Form | None = None,
    status_code: int = 200,
    conflict: bool = False,
) -> Template:
    risk = await service.get(ctx.scope, risk_id)
    if form is None:
        form = Form({k: "" if v is None else str(v) for k, v in risk.items()})
    elif conflict:
        form.values["version"] = str(risk["version"])
    return render(
        request,
        "risks/detail.html",
        status_code=status_code,
        ctx=ctx,
        risk=risk,
        form=form,
        conflict=conflict,
        history=await service.history(ctx.scope, risk_id),
        people=await fields.people(ctx.org_id),
        can_write=can_write(ctx),
        initiative={
            "id": risk["initiative"],
            "process_code": risk["initiative.process_code"],
            "name": risk["initiative.name"],
        },
    )


@get("/risks/{risk_id:int}", name="risk")
async def risk_page(request: Request, ctx: OrgContext, risk_id: int) -> Template:
    return await _risk_page(request, ctx, risk_id)


@post("/risks/{risk_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_risk(request: Request, ctx: OrgContext, risk_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.update(ctx.scope, risk_id, form.submitted, ctx.person_id)
    except Invalid as error:
        return await _risk_page(request, ctx, risk_id, form.absorb(error), 422)
    except Conflict:  # the page says so, and keeps the input
        return await _risk_page(request, ctx, risk_id, form, 409, conflict=True)
    return redirect(f"/o/{ctx.slug}/risks/{risk_id}", _("Changes saved."))


async def _heat_context(
    ctx: OrgContext, initiative_id: int | None, likelihood: int | None, impact: int | None
) -> dict[str, Any]:
    selected = None
    if likelihood and impact and 1 <= likelihood <= 5 and 1 <= impact <= 5:
        selected = await service.risks(ctx.scope, initiative_id, likelihood, impact)
    return {
        "ctx": ctx,
        "cells": await service.heat_cells(ctx.scope, initiative_id),
        "band": rules.band,
        "selected": selected,
        "cell": (likelihood, impact),
        "initiative_id": initiative_id,
    }


@get("/initiatives/{initiative_id:int}/heatmap", name="heatmap")
async def heatmap(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    likelihood: int | None = None,
    impact: int | None = None,
) -> Template:
    initiative = await initiative_header(ctx, initiative_id)
    context = await _heat_context(ctx, initiative_id, likelihood, impact)
    if is_fragment_request(request):
        return render(request, "risks/partials/heatmap.html", **context)
    return render(request, "risks/heatmap.html", initiative=initiative, tab="heatmap", **context)


@get("/heatmap", name="portfolio_heatmap")
async def portfolio_heatmap(
    request: Request, ctx: OrgContext, likelihood: int | None = None, impact: int | None = None
) -> Template:
    context = await _heat_context(ctx, None, likelihood, impact)
    if is_fragment_request(request):
        return render(request, "risks/partials/heatmap.html", **context)
    return render(request, "risks/heatmap.html", initiative=None, **context)


async def _resistance_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
    edit_id: int | None = None,
) -> Template:
    return render(
        request,
        "risks/resistance.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        entries=await service.resistance(ctx.scope, initiative_id),
        people=await fields.people(ctx.org_id),
        form=form or Form({"level": "medium", "barrier": "awareness", "status": "open"}),
        edit_id=edit_id,
        can_write=can_write(ctx),
        tab="resistance",
        levels=list(rules.ResistanceLevel),
        empty_form=Form({"level": "medium", "barrier": "awareness", "status": "open"}),
        entry_form=lambda e: Form(
            {k: "" if v is None else str(v) for k, v in e.items()}, f"e{e['id']}-"
        ),
        barriers=list(rules.Barrier),
        statuses=list(rules.ActionStatus),
    )


@get("/initiatives/{initiative_id:int}/resistance", name="resistance")
async def resistance(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _resistance_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/resistance", opt=needs(Action.WRITE_REGISTER))
async def create_resistance(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.create_resistance(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _resistance_page(request, ctx, initiative_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/resistance", _("Entry added."))


@post("/resistance/{entry_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_resistance(
    request: Request, ctx: OrgContext, entry_id: int
) -> Template | Redirect:
    initiative_id = await service.resistance_initiative(ctx.scope, entry_id)
    form = await read_form(request)
    form.prefix = f"e{entry_id}-"
    try:
        await service.update_resistance(ctx.scope, entry_id, form.submitted)
    except Invalid as error:
        return await _resistance_page(
            request, ctx, initiative_id, form.absorb(error), 422, edit_id=entry_id
        )
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/resistance", _("Changes saved."))


ROUTES = [
    risks,
    create_risk,
    add_starters,
    risk_page,
    update_risk,
    heatmap,
    portfolio_heatmap,
    resistance,
    create_resistance,
    update_resistance,
]
