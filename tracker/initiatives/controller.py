"""The portfolio board and the initiative pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from markupsafe import Markup

from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.fragments import (
    CSRF_MARK,
    FragmentCache,
    Kept,
    KeptReads,
    Shown,
    first_slot,
    rows_key,
    shown_slot,
    with_csrf,
)
from tracker.i18n import gettext as _
from tracker.initiatives import board as board_data
from tracker.initiatives import hooks, rules, service
from tracker.initiatives.queries import PHASE_NUMBERS
from tracker.initiatives.rules import Direction, ProcessClass, Status
from tracker.onboarding import service as onboarding
from tracker.tenancy import OrgContext, needs
from tracker.web import (
    Form,
    csrf_input,
    is_fragment_request,
    read_form,
    redirect,
    render,
    render_part,
)

# The board's columns and filter form, rendered, by what they show (see tracker.fragments):
# busy boards are read far more often than they change, and they are most of the page's work.
BOARD_PARTS = FragmentCache(max_entries=200, slot=shown_slot)
# Each column rendered, with its count, by what it shows: under its own revision where it is
# known (a change in one phase re-renders that column only), else under its rows as read.
COLUMN_PARTS: Kept[Shown, tuple[Markup, int]] = Kept(max_entries=1200, slot=shown_slot)
COLUMN_TEMPLATE = "initiatives/partials/board_column.html"
BOARD_TEMPLATE = "initiatives/partials/board_columns.html"
GETTING_STARTED_TEMPLATE = "initiatives/_getting_started.html"
PHASES = tuple(PHASE_NUMBERS)
STATUSES = tuple(Status)  # the filter form's choices
PROCESS_CLASSES = tuple(ProcessClass)
# The open KPI alerts above the board, by organisation and board revision.
BOARD_ALERTS: KeptReads[list[dict[str, Any]]] = KeptReads(max_entries=200, slot=first_slot)
ALERTS_TEMPLATE = "kpis/_alerts.html"
ALERT_ROW_TEMPLATE = "kpis/_alert_row.html"
# Each alert's row rendered, by its values and what else it shows: a new alert renders one row,
# not the list again.
ALERT_ROWS: Kept[tuple[Any, ...], Markup] = Kept(max_entries=5000)


def _revision(request: Request, ctx: OrgContext) -> int | None:
    """The board's revision read with the person, where it tells what the board shows: in a
    request that writes nothing (a write moves it only at commit)."""
    return ctx.board_revision if request.method == "GET" else None


def _part_revisions(request: Request, ctx: OrgContext) -> tuple[int | None, ...]:
    """The revisions of the board's parts (0: the filter form, 1–6: the columns), each None
    where it is not known (SQLite, a part never counted, a request that writes)."""
    if request.method == "GET" and ctx.board_parts:
        return ctx.board_parts
    return (None,) * 7


async def _board_part(
    request: Request, ctx: OrgContext, flt: board_data.BoardFilter, today: date
) -> Markup:
    """The columns, each kept under its own revision where it is known (then no query for
    it), else under its rows as just read; the columns not kept are read in one query. The
    six together are kept under the six revisions (a board seen again: one look-up)."""
    revisions = _part_revisions(request, ctx)
    values = {"filter": flt, "today": today, "column_limit": board_data.COLUMN_LIMIT}
    whole = Shown.of(BOARD_TEMPLATE, ctx, revisions[1:], **values)
    known = None not in revisions[1:]
    if known and (kept_board := BOARD_PARTS.get(whole)) is not None:
        return kept_board
    shown = {n: Shown.of(COLUMN_TEMPLATE, ctx, revisions[n], **values, phase=n) for n in PHASES}
    parts: dict[int, tuple[Markup, int]] = {}
    for n, key in shown.items():
        if revisions[n] is not None and (kept := COLUMN_PARTS.get(key)) is not None:
            parts[n] = kept
    missing = [n for n in PHASES if n not in parts]
    if missing:
        rows = board_data.rows_by_phase(await board_data.board_rows(ctx.scope, flt, today, missing))
        texts = board_data.CardTexts()
        for n in missing:
            parts[n] = _column_part(request, shown[n], rows[n], texts, today)
    html = Markup(
        render_part(
            request,
            BOARD_TEMPLATE,
            **whole.context(),
            total=sum(total for _, total in parts.values()),
            columns=[parts[n][0] for n in PHASES],
        )
    )
    return BOARD_PARTS.keep(whole, html) if known else html


def _column_part(
    request: Request, shown: Shown, rows: list[Any], texts: board_data.CardTexts, today: date
) -> tuple[Markup, int]:
    """A column rendered (or kept under its rows where no revision is known), with its count."""
    if shown.read is None:
        shown = shown._replace(read=rows_key(rows))
        if (kept := COLUMN_PARTS.get(shown)) is not None:
            return kept
    context = shown.context()
    column = board_data.board_column(context["phase"], rows, today, texts)
    html = render_part(request, shown.template, **context, column=column)
    return COLUMN_PARTS.keep(shown, (Markup(html), column.total))


async def _filters_part(request: Request, ctx: OrgContext, flt: board_data.BoardFilter) -> Markup:
    """The filter form, whose choices are the owners and the departments: kept under its own
    revision (part 0 of the board) as the columns are."""
    revision = _part_revisions(request, ctx)[0]
    shown = Shown.of(
        "initiatives/partials/board_filters.html",
        ctx,
        revision,
        filter=flt,
        statuses=STATUSES,
        process_classes=PROCESS_CLASSES,
    )
    if revision is not None and (kept := BOARD_PARTS.get(shown)) is not None:
        return kept
    owners, departments = await board_data.filter_choices(ctx.scope)
    if revision is None:
        shown = shown._replace(read=(rows_key(owners), tuple(departments)))
    return BOARD_PARTS.render(
        shown,
        lambda: render_part(
            request, shown.template, **shown.context(), owners=owners, departments=departments
        ),
    )


async def _open_alerts(request: Request, ctx: OrgContext) -> list[dict[str, Any]]:
    revision = _revision(request, ctx)
    if revision is None:
        return await hooks.OPEN_ALERTS.call(ctx.scope)
    return await BOARD_ALERTS.read(
        (ctx.org_id, revision), lambda: hooks.OPEN_ALERTS.call(ctx.scope)
    )


async def _alerts_part(request: Request, ctx: OrgContext) -> Markup:
    """The open KPI alerts above the board (up to 200 rows, each with its Acknowledge form),
    rendered once per board revision and kept (else under their rows, as read), with the
    visitor's own CSRF token put in: an organisation whose KPIs raise alert after alert
    renders them once per change, not once per visit."""
    revision = _revision(request, ctx)
    shown = Shown.of(
        ALERTS_TEMPLATE,
        ctx,
        revision,
        show_initiative=True,
        can_write=ctx.can(Action.WRITE_REGISTER),
        request_path=request.url.path,
    )
    kept = BOARD_PARTS.get(shown) if revision is not None else None
    if kept is None:
        alerts = await _open_alerts(request, ctx)
        if revision is None:
            shown = shown._replace(read=rows_key(alerts))
        context = {**shown.context(), "csrf_input": CSRF_MARK}
        kept = BOARD_PARTS.render(
            shown,
            lambda: render_part(
                request,
                ALERTS_TEMPLATE,
                **context,
                alerts=alerts,
                rows_html=_alert_rows(request, shown, context, alerts),
            ),
        )
    return with_csrf(kept, csrf_input(request))


def _alert_rows(
    request: Request, shown: Shown, context: dict[str, Any], alerts: list[dict[str, Any]]
) -> Markup:
    """The alerts' rows, each kept rendered by its values and the part's (its language, who
    looks, the page): after a change, only a new alert's row is rendered."""
    rows, macro = [], None
    for alert in alerts:
        key = (shown.language, shown.ctx, shown.values, tuple(alert.values()))
        row = ALERT_ROWS.get(key)
        if row is None:
            if macro is None:
                engine = request.app.template_engine
                assert engine is not None
                module = engine.get_template(ALERT_ROW_TEMPLATE).make_module(context)
                macro = module.alert_row  # type: ignore[attr-defined]
            row = ALERT_ROWS.keep(key, Markup(macro(alert)))
        rows.append(row)
    return Markup("".join(rows))


async def _getting_started(request: Request, ctx: OrgContext) -> Markup | None:
    """The admins' checklist while steps are left, kept by what it shows."""
    if ctx.role != "admin":
        return None
    checklist = await onboarding.checklist(ctx.org_id, _revision(request, ctx))
    if checklist is None:
        return None
    shown = Shown.of(GETTING_STARTED_TEMPLATE, ctx, getting_started=checklist)
    return BOARD_PARTS.render(
        shown, lambda: render_part(request, shown.template, **shown.context())
    )


@get("/", name="board")
async def board(request: Request, ctx: OrgContext) -> Template:
    flt = board_data.BoardFilter.from_query(request.query_params)
    today = date.today()
    board_html = await _board_part(request, ctx, flt, today)
    if is_fragment_request(request):
        return render(request, "initiatives/partials/board_part.html", board_html=board_html)
    return render(
        request,
        "initiatives/board.html",
        ctx=ctx,
        filter=flt,
        board_html=board_html,
        filters_html=await _filters_part(request, ctx, flt),
        alerts_html=await _alerts_part(request, ctx),
        getting_started=await _getting_started(request, ctx),
    )


async def _form_page(
    request: Request,
    ctx: OrgContext,
    form: Form,
    initiative: dict | None = None,
    status_code: int = 200,
    conflict: dict | None = None,
) -> Template:
    return render(
        request,
        "initiatives/form.html",
        status_code=status_code,
        ctx=ctx,
        form=form,
        initiative=initiative,
        conflict=conflict,
        owners=await service.owner_choices(ctx.org_id),
        process_classes=list(ProcessClass),
        directions=list(Direction),
        statuses=list(Status),
        editable_statuses=service.EDITABLE_STATUSES,
    )


@get("/initiatives/new", name="new_initiative", opt=needs(Action.CREATE_INITIATIVE))
async def new_initiative(request: Request, ctx: OrgContext) -> Template:
    form = Form(
        {
            "start_date": date.today().isoformat(),
            "goal_direction": Direction.LOWER,
            "process_class": ProcessClass.CORE,
            "owner": str(ctx.person_id),
        }
    )
    return await _form_page(request, ctx, form)


@post("/initiatives", opt=needs(Action.CREATE_INITIATIVE))
async def create_initiative(request: Request, ctx: OrgContext) -> Template | Redirect:
    form = await read_form(request)
    try:
        initiative_id = await service.create_initiative(ctx, form.submitted)
    except Invalid as error:
        return await _form_page(request, ctx, form.absorb(error), status_code=422)
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}",
        _("Initiative created; it starts in Scoping."),
    )


@get("/initiatives/suggest-code", name="suggest_code", opt=needs(Action.CREATE_INITIATIVE))
async def suggest_code(
    request: Request,
    ctx: OrgContext,
    code_dept: str = "",
    code_business: str = "",
    start_date: str = "",
) -> Template:
    try:
        year = date.fromisoformat(start_date).year
    except ValueError:
        year = date.today().year
    code = await service.suggest_code(ctx.scope, code_dept[:10], code_business[:10], year)
    form = Form({"process_code": code})
    return render(request, "initiatives/partials/code_field.html", form=form)


@get("/initiatives/{initiative_id:int}", name="initiative")
async def initiative_page(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative = await service.get_initiative(ctx.scope, initiative_id)
    phases = await service.phases(ctx.scope, initiative_id)
    today = date.today()
    bars, first, last = rules.timeline(phases, today, initiative["current_phase.number"])
    gates = await hooks.GATE_HISTORY.call(ctx.scope, initiative_id)
    return render(
        request,
        "initiatives/detail.html",
        ctx=ctx,
        initiative=initiative,
        phases=phases,
        today=today,
        rules=rules,
        bars=bars,
        timeline_first=first,
        timeline_last=last,
        change=rules.goal_change_percent(initiative["goal_baseline"], initiative["goal_target"]),
        departments=rules.split_departments(initiative["departments"]),
        gates=gates,
        may_request=hooks.MAY_REQUEST_GATE.call(ctx, initiative),
        # the lead reassigns or re-dates an open condition: any member may own one
        condition_owners=await hooks.CONDITION_OWNERS.call(ctx.org_id)
        if (ctx.role == "admin" or ctx.person_id == initiative["owner"])
        and any(c["closed_at"] is None for c in gates["conditions"])
        else [],
    )


@get(
    "/initiatives/{initiative_id:int}/edit",
    name="edit_initiative",
    opt=needs(Action.EDIT_INITIATIVE),
)
async def edit_initiative(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative = await service.get_initiative(ctx.scope, initiative_id)
    return await _form_page(request, ctx, Form(service.form_values(initiative)), initiative)


@post("/initiatives/{initiative_id:int}/edit", opt=needs(Action.EDIT_INITIATIVE))
async def update_initiative(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.update_initiative(ctx, initiative_id, form.submitted)
    except service.Outdated as outdated:
        current = outdated.current
        # Keep the person's input; the next save knowingly replaces the newer version.
        form.absorb(outdated).values["version"] = str(current["version"])
        return await _form_page(request, ctx, form, current, status_code=409, conflict=current)
    except Invalid as error:
        current = await service.get_initiative(ctx.scope, initiative_id)
        return await _form_page(request, ctx, form.absorb(error), current, status_code=422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}", _("Changes saved."))


ROUTES = [
    board,
    new_initiative,
    create_initiative,
    suggest_code,
    initiative_page,
    edit_initiative,
    update_initiative,
]
