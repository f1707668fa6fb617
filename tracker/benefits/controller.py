"""Benefits pages: an initiative's plan and realised months (its Benefits tab), the import of
realised months, and the portfolio roll-up. Who may change them (the initiative's lead and
the admins) is the service's to check (``service.editable``)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker import uploads
from tracker.benefits import realised, rollup, rules, service
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.initiatives import board
from tracker.initiatives import service as initiatives
from tracker.initiatives.rules import ProcessClass, Status
from tracker.registers import importing
from tracker.tenancy import OrgContext, by_record
from tracker.web import Form, is_fragment_request, read_form, redirect, render


async def _page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> Template:
    scope, today, forms = ctx.scope, date.today(), forms or {}
    initiative = await initiatives.get_initiative(scope, initiative_id)
    plan = await service.plan(scope, initiative_id)
    rows = await realised.months_of(scope, initiative_id) if plan else []
    return render(
        request,
        "benefits/initiative.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        plan=plan,
        frozen=await service.is_frozen(scope, initiative_id),
        rebaselines=await service.rebaselines(scope, initiative_id) if plan else [],
        ledger=realised.ledger(plan, rows, today) if plan else [],
        kpis=await service.kpi_choices(scope, initiative_id) if plan else [],
        can_edit=service.may_edit(ctx, initiative),
        plan_form=forms.get("plan") or Form(service.plan_fields(plan, today)),
        derive_form=forms.get("derive") or Form(service.derive_fields(plan, initiative)),
        month_form=forms.get("month") or Form({"month": today.strftime("%Y-%m")}),
        value_kinds=list(rules.ValueKind),
        this_month=today.strftime("%Y-%m"),
        tab="benefits",
    )


@get("/initiatives/{initiative_id:int}/benefits", name="initiative_benefits")
async def benefits_tab(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _page(request, ctx, initiative_id)


@post(
    "/initiatives/{initiative_id:int}/benefits/plan",
    opt=by_record("the initiative's lead or an admin"),
)
async def save_plan(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        outcome, _changes = await service.save_plan(ctx, initiative_id, form.submitted)
    except Invalid as error:
        return await _page(request, ctx, initiative_id, {"plan": form.absorb(error)}, 422)
    message = {
        "saved": _("Benefit plan saved."),
        "rebaselined": _("Benefit plan re-baselined; the change and its reason are recorded."),
        "unchanged": _("Nothing changed in the plan."),
    }[outcome]
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/benefits", message)


@post(
    "/initiatives/{initiative_id:int}/benefits/derivation",
    opt=by_record("the initiative's lead or an admin"),
)
async def save_derivation(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        plan = await service.save_derivation(ctx, initiative_id, form.submitted)
    except Invalid as error:
        return await _page(request, ctx, initiative_id, {"derive": form.absorb(error)}, 422)
    done = await realised.derive(ctx.scope, initiative_id, plan, ctx.person_id, date.today())
    written, kept = done or (0, 0)
    message = _("%(n)s months derived from the KPI.", n=written)
    if kept:
        message += " " + _("%(n)s months entered by hand were kept.", n=kept)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/benefits#realised", message)


@post(
    "/initiatives/{initiative_id:int}/benefits/realised",
    opt=by_record("the initiative's lead or an admin"),
)
async def enter_month(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await realised.enter(ctx, initiative_id, form.submitted)
    except Invalid as error:
        return await _page(request, ctx, initiative_id, {"month": form.absorb(error)}, 422)
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}/benefits#realised",
        _("Realised benefit recorded."),
    )


@post(
    "/initiatives/{initiative_id:int}/benefits/realised/{realised_id:int}/delete",
    opt=by_record("the initiative's lead or an admin"),
)
async def remove_month(
    request: Request, ctx: OrgContext, initiative_id: int, realised_id: int
) -> Redirect:
    await realised.remove(ctx, initiative_id, realised_id)
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}/benefits#realised", _("Month removed.")
    )


def _import_page(
    request: Request,
    ctx: OrgContext,
    initiative: dict[str, Any],
    preview: Any = None,
    payload: str = "",
    filename: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "benefits/import.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        preview=preview,
        payload=payload,
        filename=filename,
        error=error,
        columns=realised.IMPORT_COLUMNS,
        required=realised.IMPORT_REQUIRED,
    )


@get("/initiatives/{initiative_id:int}/benefits/import", name="benefits_import")
async def import_page(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative, _plan = await service.editable_plan(ctx, initiative_id)
    return _import_page(request, ctx, initiative)


@post(
    "/initiatives/{initiative_id:int}/benefits/import",
    opt=by_record("the initiative's lead or an admin"),
    request_max_body_size=8 * 1024 * 1024,
)
async def import_upload(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    initiative, _plan = await service.editable_plan(ctx, initiative_id)
    form = await request.form()
    filename, data = importing.uploaded(form)
    if not data:
        return _import_page(
            request, ctx, initiative, error=_("Choose a file to import."), status_code=422
        )
    try:
        await uploads.ensure_room(ctx.scope, len(data))
    except uploads.QuotaExceeded as full:
        return _import_page(request, ctx, initiative, error=full.message, status_code=422)
    sheet = await importing.read_upload(
        filename, data, realised.IMPORT_COLUMNS, realised.IMPORT_REQUIRED
    )
    preview = realised.preview_import(sheet, date.today())
    if form.get("confirm") == "1" and preview.ok:
        count = await realised.write_import(ctx.scope, initiative_id, preview, ctx.person_id)
        await uploads.keep(ctx.scope, "import", filename, data, ctx.person_id, checked=True)
        return redirect(
            f"/o/{ctx.slug}/initiatives/{initiative_id}/benefits#realised",
            _("%(n)s months imported.", n=count),
        )
    payload = base64.b64encode(data).decode()
    return _import_page(
        request, ctx, initiative, preview, payload, filename, None, 200 if preview.ok else 422
    )


@get("/benefits", name="benefits")
async def portfolio_page(
    request: Request, ctx: OrgContext, start: str = "", end: str = ""
) -> Template:
    flt = board.BoardFilter.from_query(request.query_params)
    first, last = rules.period_of(start, end, date.today())
    result = await rollup.portfolio(ctx.scope, flt, first, last)
    if is_fragment_request(request):
        return render(request, "benefits/_portfolio_part.html", ctx=ctx, rollup=result)
    return render(
        request,
        "benefits/portfolio.html",
        ctx=ctx,
        filter=flt,
        rollup=result,
        owners=await initiatives.owner_choices(ctx.org_id),
        departments=await board.departments(ctx.scope),
        statuses=list(Status),
        process_classes=list(ProcessClass),
        start=first.strftime("%Y-%m"),
        end=last.strftime("%Y-%m"),
    )


ROUTES = [
    benefits_tab,
    save_plan,
    save_derivation,
    enter_month,
    remove_month,
    import_page,
    import_upload,
    portfolio_page,
]
