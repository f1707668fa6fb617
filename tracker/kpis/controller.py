"""KPI pages: the KPIs and optimisation log of an initiative, one KPI with its trend chart,
measurements (form and file import) and alerts, and the organisation's open alerts."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from markupsafe import Markup

from tracker import program_labels, uploads
from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.fragments import CSRF_MARK, FragmentCache, RowsKey, Shown, rows_key, with_csrf
from tracker.i18n import gettext as _
from tracker.kpis import control, optimisation, rules, service, sustainment
from tracker.registers import importing
from tracker.registers.pages import can_write, initiative_header
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, csrf_input, read_form, redirect, render, render_part


async def _list_page(
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
        "kpis/list.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        kpis=await service.kpis(ctx.scope, initiative_id),
        alerts=await service.open_alerts(ctx.scope, initiative_id),
        log=await optimisation.optimisation_log(ctx.scope, initiative_id),
        checks=await sustainment.checks(ctx.scope, initiative_id),
        can_decide=sustainment.can_decide(ctx),
        forms=forms,
        empty_form=Form({}),
        form=forms.get("kpi", Form({"frequency": "weekly", "direction": "lower"})),
        log_form=forms.get("log", Form({"logged_on": today})),
        frequencies=rules.FREQUENCIES,
        can_write=can_write(ctx),
        tab="kpis",
    )


kpi_list_response = _list_page


@get("/initiatives/{initiative_id:int}/kpis", name="kpis")
async def kpis(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _list_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/kpis", opt=needs(Action.WRITE_REGISTER))
async def create_kpi(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        kpi_id = await service.create_kpi(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _list_page(request, ctx, initiative_id, {"kpi": form.absorb(error)}, 422)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}", _("KPI added."))


@post("/initiatives/{initiative_id:int}/optimisation-log", opt=needs(Action.WRITE_REGISTER))
async def add_log_entry(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await optimisation.add_log_entry(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _list_page(request, ctx, initiative_id, {"log": form.absorb(error)}, 422)
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}/kpis#log", _("Optimisation recorded.")
    )


# A KPI's trend chart and measurements table, rendered, by what they show (see
# tracker.fragments).
KPI_PARTS = FragmentCache(max_entries=500)


def _kpi_fields(kpi: dict[str, Any], *names: str) -> tuple[tuple[str, Any], ...]:
    """The fields of the KPI a part shows (its template receives these only)."""
    return tuple((name, kpi[name]) for name in names)


def stage_options() -> list[tuple[str, str]]:
    """The stage form's choices, in the language of the request."""
    return [(v, program_labels.stage_label(v)) for v in control.STAGE_LABELS]


def _chart_part(
    request: Request, kpi: dict[str, Any], measurements: list[dict], read: RowsKey
) -> Markup:
    """The trend chart, kept under the measurements as read (``read``: their key)."""
    fields = _kpi_fields(kpi, "name", "unit", "direction", "target", "threshold")
    shown = Shown.of("kpis/_chart.html", None, read, kpi=fields)

    def make() -> str:
        points = tuple((m["measured_on"], m["value"]) for m in measurements)
        shown_kpi = dict(fields)
        chart = rules.trend_chart(
            points, shown_kpi["target"], shown_kpi["threshold"], shown_kpi["direction"]
        )
        return render_part(request, shown.template, kpi=shown_kpi, chart=chart)

    return KPI_PARTS.render(shown, make)


def _measurements_part(
    request: Request, ctx: OrgContext, view: dict[str, Any], writable: bool, read: RowsKey
) -> Markup:
    """The measurements table (60 rows, each with its remove form): kept by what it shows,
    the visitor's CSRF input put in as it is shown."""
    measurements = view["measurements"]
    shown = Shown.of(
        "kpis/_measurements.html",
        ctx,
        read,
        total=view["total"],
        can_write=writable,
        csrf_input=CSRF_MARK,
    )
    part = KPI_PARTS.render(
        shown,
        lambda: render_part(request, shown.template, **shown.context(), measurements=measurements),
    )
    return with_csrf(part, csrf_input(request))


def _control_part(
    request: Request, kpi: dict[str, Any], view: dict[str, Any], read: RowsKey
) -> Markup:
    """The control chart, kept by everything it shows: the measurements, the stages with
    their kept limits, the rules applied and the initiative's phase dates."""
    fields = _kpi_fields(kpi, "name", "unit", "direction", "target", "threshold", "chart_kind")
    shown = Shown.of(
        "kpis/partials/_control_chart.html",
        None,
        (read, rows_key(view["stages"]), view["rules"], tuple(view["phases"])),
        kpi=fields,
    )

    def make() -> str:
        shown_kpi = dict(fields)
        cv = control.chart_view(
            shown_kpi, view["measurements"], view["stages"], view["rules"], view["phases"]
        )
        return render_part(request, shown.template, kpi=shown_kpi, cv=cv)

    return KPI_PARTS.render(shown, make)


def _stage_form() -> Form:
    """The form to add a stage, as first shown: from today, a pilot, limits from 20 points."""
    return Form({"starts_on": date.today().isoformat(), "label": "pilot", "limit_points": "20"})


def _stages_part(
    request: Request, ctx: OrgContext, kpi: dict[str, Any], stages: list[dict[str, Any]]
) -> Markup:
    """The stages and the form to add one, as first shown (a form that comes back with its
    errors is rendered in the page), kept by what they show; the visitor's CSRF input put in."""
    writable = can_write(ctx)
    shown = Shown.of(
        "kpis/partials/_stages.html",
        ctx,
        rows_key(stages),
        kpi_id=kpi["id"],
        can_write=writable,
        today=date.today(),
    )
    part = KPI_PARTS.render(
        shown,
        lambda: render_part(
            request,
            shown.template,
            **shown.context(),
            kpi={"id": kpi["id"]},
            stages=stages,
            stage_form=_stage_form(),
            stage_options=stage_options(),
            csrf_input=CSRF_MARK,
        ),
    )
    return with_csrf(part, csrf_input(request))


def _shown_form(values: dict[str, str]) -> Form:
    """A form showing a record's values as they are kept (untrimmed)."""
    form = Form({})
    form.values.update(values)
    return form


async def _kpi_page(
    request: Request,
    ctx: OrgContext,
    kpi_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
    conflict: bool = False,
) -> Template:
    view = await service.kpi_view(ctx.scope, kpi_id)
    forms = forms or {}
    kpi = view["kpi"]
    read = RowsKey(view["measurements"])  # one key for the three parts made of them
    return render(
        request,
        "kpis/detail.html",
        status_code=status_code,
        ctx=ctx,
        **view,
        initiative={
            "id": kpi["initiative"],
            "process_code": kpi["initiative.process_code"],
            "name": kpi["initiative.name"],
        },
        chart_html=_chart_part(request, kpi, view["measurements"], read),
        control_html=_control_part(request, kpi, view, read),
        stage_form=forms.get("stage") or _stage_form(),
        stage_options=stage_options(),
        stages_html=None if "stage" in forms else _stages_part(request, ctx, kpi, view["stages"]),
        measurements_html=_measurements_part(request, ctx, view, can_write(ctx), read),
        measurement_form=forms.get("measurement", Form({"measured_on": date.today().isoformat()})),
        edit_form=forms.get("edit") or _shown_form(service.kpi_values(kpi)),
        conflict=conflict,
        frequencies=rules.FREQUENCIES,
        can_write=can_write(ctx),
        tab="kpis",
    )


kpi_page_response = _kpi_page


@get("/kpis/{kpi_id:int}", name="kpi")
async def kpi_page(request: Request, ctx: OrgContext, kpi_id: int) -> Template:
    return await _kpi_page(request, ctx, kpi_id)


@post("/kpis/{kpi_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_kpi(request: Request, ctx: OrgContext, kpi_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        saved = await service.update_kpi(ctx.scope, kpi_id, form.submitted)
    except Invalid as error:
        return await _kpi_page(request, ctx, kpi_id, {"edit": form.absorb(error)}, 422)
    if not saved:  # someone saved it in between
        return await _kpi_page(request, ctx, kpi_id, {"edit": form}, 409, conflict=True)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}", _("KPI saved."))


@post("/kpis/{kpi_id:int}/measurements", opt=needs(Action.WRITE_REGISTER))
async def add_measurement(request: Request, ctx: OrgContext, kpi_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        done = await service.add_measurement(ctx.scope, kpi_id, form.submitted, ctx.person_id)
    except Invalid as error:
        return await _kpi_page(request, ctx, kpi_id, {"measurement": form.absorb(error)}, 422)
    message = (
        _("Measurement recorded. It is past the alert threshold: an alert was raised.")
        if done.alert
        else _("Measurement recorded.")
    )
    if done.signals:
        message += " " + _("The control chart shows a special cause: a signal alert was raised.")
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}", message)


def _import_page(
    request: Request,
    ctx: OrgContext,
    view: dict,
    preview: service.ImportPreview | None = None,
    payload: str = "",
    filename: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    kpi = view["kpi"]
    return render(
        request,
        "kpis/import.html",
        status_code=status_code,
        ctx=ctx,
        kpi=kpi,
        initiative={
            "id": kpi["initiative"],
            "process_code": kpi["initiative.process_code"],
            "name": kpi["initiative.name"],
        },
        preview=preview,
        payload=payload,
        filename=filename,
        error=error,
        columns=service.MEASUREMENT_COLUMNS,
        required=service.MEASUREMENT_REQUIRED,
    )


@get("/kpis/{kpi_id:int}/import", name="kpi_import", opt=needs(Action.WRITE_REGISTER))
async def import_page(request: Request, ctx: OrgContext, kpi_id: int) -> Template:
    return _import_page(request, ctx, await service.kpi_view(ctx.scope, kpi_id))


@post(
    "/kpis/{kpi_id:int}/import",
    request_max_body_size=8 * 1024 * 1024,
    opt=needs(Action.WRITE_REGISTER),
)
async def import_upload(request: Request, ctx: OrgContext, kpi_id: int) -> Template | Redirect:
    view = await service.kpi_view(ctx.scope, kpi_id)
    form = await request.form()
    filename, data = importing.uploaded(form)
    if not data:
        return _import_page(
            request, ctx, view, error=_("Choose a file to import."), status_code=422
        )
    try:
        await uploads.ensure_room(ctx.scope, len(data))
    except uploads.QuotaExceeded as full:
        return _import_page(request, ctx, view, error=full.message, status_code=422)
    sheet = await importing.read_upload(
        filename, data, service.MEASUREMENT_COLUMNS, service.MEASUREMENT_REQUIRED
    )
    preview = await service.preview_import(ctx.scope, kpi_id, sheet)
    if form.get("confirm") == "1" and preview.ok:
        count, alerts = await service.write_import(ctx.scope, kpi_id, preview, ctx.person_id)
        await uploads.keep(ctx.scope, "import", filename, data, ctx.person_id, checked=True)
        message = _("%(n)s measurements imported.", n=count)
        if alerts:
            message += " " + _("%(n)s alerts raised.", n=alerts)
        return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}", message)
    return _import_page(
        request,
        ctx,
        view,
        preview,
        base64.b64encode(data).decode(),
        filename,
        status_code=200 if preview.ok else 422,
    )


@post("/kpi-measurements/{measurement_id:int}/delete", opt=needs(Action.WRITE_REGISTER))
async def delete_measurement(request: Request, ctx: OrgContext, measurement_id: int) -> Redirect:
    kpi_id = await service.delete_measurement(ctx.scope, measurement_id)
    return redirect(f"/o/{ctx.slug}/kpis/{kpi_id}#measurements", _("Measurement removed."))


@post("/kpi-alerts/{alert_id:int}/acknowledge", opt=needs(Action.WRITE_REGISTER))
async def acknowledge(request: Request, ctx: OrgContext, alert_id: int) -> Redirect:
    kpi_id = await service.acknowledge(ctx.scope, alert_id, ctx.person_id)
    form = await read_form(request)
    target = form.get("next")
    if not target.startswith(f"/o/{ctx.slug}/") or "//" in target[1:]:
        target = f"/o/{ctx.slug}/kpis/{kpi_id}"
    return redirect(target, _("Alert acknowledged."))


@get("/kpis", name="kpi_alerts")
async def alerts_page(request: Request, ctx: OrgContext) -> Template:
    return render(
        request,
        "kpis/alerts.html",
        ctx=ctx,
        alerts=await service.open_alerts(ctx.scope),
        can_write=can_write(ctx),
    )


ROUTES = [
    kpis,
    create_kpi,
    add_log_entry,
    kpi_page,
    update_kpi,
    add_measurement,
    import_page,
    import_upload,
    delete_measurement,
    acknowledge,
    alerts_page,
]
