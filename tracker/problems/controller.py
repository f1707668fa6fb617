"""Problem register, the impact–urgency matrix (per initiative and portfolio), top 5, measures."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import ClientException
from litestar.response import Redirect, Template
from markupsafe import Markup

from tracker import labels
from tracker.accounts.rules import Action
from tracker.errors import Conflict, Invalid, NotFound, TrackerError
from tracker.fragments import CSRF_MARK, FragmentCache, Shown, shown_slot, with_csrf
from tracker.i18n import gettext as _
from tracker.problems import forms, rules, service
from tracker.problems import matrix as matrix_data
from tracker.registers import fields
from tracker.registers.pages import can_write, initiative_header
from tracker.tenancy import MAX_ID, OrgContext, needs
from tracker.web import (
    Form,
    csrf_input,
    is_fragment_request,
    read_form,
    redirect,
    render,
    render_part,
)

GRID_TEMPLATE = "problems/partials/matrix.html"
MAX_PAGE = 1_000_000  # a page number beyond any register
# The matrix's grid rendered (a form of four buttons per problem for those who may re-score),
# kept by what it shows; the problems are still read on every request.
# One grid per slot (the initiative or the portfolio, who looks, the language): a grid kept
# under each new problem's revision filled a worker to 7 GB in a soak.
GRIDS = FragmentCache(max_entries=500, slot=shown_slot)


async def _list_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
    step_rows: int = forms.BLANK_STEPS,
    page: int = 1,
) -> Template:
    if form is None:
        form = Form({"impact": "3", "urgency": "3"})
        step_rows = forms.show_steps(form, [])
    initiative = await initiative_header(ctx, initiative_id)
    rows, total = await service.problem_page(ctx.scope, initiative_id, page)
    return render(
        request,
        "problems/list.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        problems=rows,
        total=total,
        page=page,
        page_size=service.LIST_PAGE,
        people=await fields.people(ctx.org_id),
        form=form,
        step_rows=step_rows,
        kind_options=_kind_options(),
        can_write=can_write(ctx),
        tab="problems",
    )


def _kind_options() -> list[tuple[str, str]]:
    return [(kind, labels.as_is_kind_label(kind)) for kind in rules.KINDS]


def _refused(form: Form, error: TrackerError) -> None:
    """The service's field errors beside the fields of the form shown again."""
    for field, message in error.fields.items():
        form.error(field, message)


@get("/initiatives/{initiative_id:int}/problems", name="problems")
async def problems(
    request: Request, ctx: OrgContext, initiative_id: int, page: int = 1
) -> Template:
    """The register's list, in priority order, a page of ``service.LIST_PAGE`` at a time."""
    if not 0 < page <= MAX_PAGE:
        raise NotFound()
    return await _list_page(request, ctx, initiative_id, page=page)


@post("/initiatives/{initiative_id:int}/problems", opt=needs(Action.WRITE_REGISTER))
async def create_problem(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    data = forms.ProblemInput.from_form(form)
    try:
        await service.create(ctx.scope, initiative_id, data)
    except Invalid as error:
        _refused(form, error)
        rows = forms.show_submitted(form, data)
        return await _list_page(request, ctx, initiative_id, form, 422, rows)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/problems", _("Problem registered."))


def _problem_form(problem: dict[str, Any]) -> Form:
    return Form(
        {k: "" if v is None else str(v) for k, v in problem.items() if not isinstance(v, dict)}
    )


async def _problem_page(
    request: Request,
    ctx: OrgContext,
    problem_id: int,
    form: Form | None = None,
    status_code: int = 200,
    conflict: bool = False,
    step_rows: int = 0,
) -> Template:
    problem = await service.get(ctx.scope, problem_id)
    steps = await service.steps(ctx.scope, problem_id)
    if form is None:
        form = _problem_form(problem)
        step_rows = forms.show_steps(form, steps)
    elif conflict:
        form.values["version"] = str(problem["version"])
    for step in steps:
        step["kind_list"] = rules.kinds_of(step["kinds"])
    return render(
        request,
        "problems/detail.html",
        status_code=status_code,
        ctx=ctx,
        problem=problem,
        steps=steps,
        step_rows=step_rows,
        kind_options=_kind_options(),
        history=await service.history(ctx.scope, problem_id),
        people=await fields.people(ctx.org_id),
        form=form,
        conflict=conflict,
        can_write=can_write(ctx),
        initiative={
            "id": problem["initiative"],
            "process_code": problem["initiative.process_code"],
            "name": problem["initiative.name"],
        },
        total_minutes=sum(s["minutes"] or 0 for s in steps),
    )


@get("/problems/{problem_id:int}", name="problem")
async def problem_page(request: Request, ctx: OrgContext, problem_id: int) -> Template:
    return await _problem_page(request, ctx, problem_id)


@post("/problems/{problem_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_problem(request: Request, ctx: OrgContext, problem_id: int) -> Template | Redirect:
    form = await read_form(request)
    data = forms.ProblemInput.from_form(form)
    try:
        await service.update(ctx.scope, problem_id, data, ctx.person_id)
    except (Invalid, Conflict) as error:
        _refused(form, error)
        conflict = isinstance(error, Conflict)
        rows = forms.show_submitted(form, data)
        return await _problem_page(
            request, ctx, problem_id, form, error.status_code, conflict, rows
        )
    return redirect(f"/o/{ctx.slug}/problems/{problem_id}", _("Changes saved."))


async def _matrix_context(ctx: OrgContext, initiative_id: int | None) -> dict[str, Any]:
    if initiative_id is None:
        shown = await matrix_data.portfolio(ctx.scope)
    else:
        shown = await matrix_data.of_initiative(ctx.scope, initiative_id)
    return {
        "ctx": ctx,
        "matrix": shown,
        "can_write": can_write(ctx),
        "initiative_id": initiative_id,
        "quadrant": rules.quadrant,
        "move_labeller": matrix_data.move_labeller,
        "cell_limit": matrix_data.CELL_LIMIT
        if initiative_id is None
        else matrix_data.INITIATIVE_CELL_LIMIT,
    }


def _grid(request: Request, context: dict[str, Any], in_initiative: bool) -> Markup:
    """The grid of a matrix page, kept under each cell's problems as shown (id, title, the
    initiative's code), the counts, who may re-score and the language; the visitor's CSRF
    input put in as shown."""
    shown_matrix: matrix_data.Matrix = context["matrix"]
    initiative_id = context["initiative_id"]
    shown = Shown.of(
        GRID_TEMPLATE,
        context["ctx"],
        matrix_data.shown_key(shown_matrix),
        can_write=context["can_write"],
        initiative_id=initiative_id,
        in_initiative=in_initiative,
    )
    part = GRIDS.render(
        shown,
        lambda: render_part(
            request,
            GRID_TEMPLATE,
            **shown.context(),
            matrix=shown_matrix,
            quadrant=rules.quadrant,
            move_labeller=matrix_data.move_labeller,
            initiative={"id": initiative_id} if in_initiative else None,
            csrf_input=CSRF_MARK,
        ),
    )
    return with_csrf(part, csrf_input(request))


@get("/initiatives/{initiative_id:int}/matrix", name="matrix")
async def matrix(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative = await initiative_header(ctx, initiative_id)
    context = await _matrix_context(ctx, initiative_id)
    if is_fragment_request(request):
        return render(request, GRID_TEMPLATE, initiative=initiative, **context)
    grid = _grid(request, context, in_initiative=True)
    return render(
        request, "problems/matrix.html", initiative=initiative, tab="matrix", grid=grid, **context
    )


@get("/matrix", name="portfolio_matrix")
async def portfolio_matrix(request: Request, ctx: OrgContext) -> Template:
    context = await _matrix_context(ctx, None)
    if is_fragment_request(request):
        return render(request, GRID_TEMPLATE, **context)
    grid = _grid(request, context, in_initiative=False)
    return render(request, "problems/matrix.html", initiative=None, grid=grid, **context)


@get("/matrix/{impact:int}/{urgency:int}", name="matrix_cell")
async def matrix_cell(
    request: Request,
    ctx: OrgContext,
    impact: int,
    urgency: int,
    after: int | None = None,
    shown: int = 0,
) -> Template:
    """One cell of the portfolio matrix, every problem in it, a page at a time (``shown``:
    how many the pages before showed, for "51–100 of 123")."""
    return await _cell_page(request, ctx, None, impact, urgency, after, shown)


@get("/initiatives/{initiative_id:int}/matrix/{impact:int}/{urgency:int}", name="initiative_cell")
async def initiative_cell(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    impact: int,
    urgency: int,
    after: int | None = None,
    shown: int = 0,
) -> Template:
    """One cell of an initiative's matrix, every problem in it, a page at a time."""
    return await _cell_page(request, ctx, initiative_id, impact, urgency, after, shown)


async def _cell_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int | None,
    impact: int,
    urgency: int,
    after: int | None,
    shown: int,
) -> Template:
    if not (1 <= impact <= 5 and 1 <= urgency <= 5) or (
        after is not None and not 0 < after <= MAX_ID
    ):
        raise NotFound()
    initiative = None if initiative_id is None else await initiative_header(ctx, initiative_id)
    page = await matrix_data.cell_page(ctx.scope, impact, urgency, after, initiative_id)
    return render(
        request,
        "problems/matrix_cell.html",
        ctx=ctx,
        initiative=initiative,
        tab="matrix",
        impact=impact,
        urgency=urgency,
        cell_quadrant=rules.quadrant(impact, urgency),
        page=page,
        after=after,
        shown=shown if after and 0 <= shown <= MAX_ID else 0,
    )


@post("/problems/{problem_id:int}/move", opt=needs(Action.WRITE_REGISTER))
async def move_problem(request: Request, ctx: OrgContext, problem_id: int) -> Template | Redirect:
    """Move a problem to another cell (re-score it); htmx gets the matrix back in place."""
    form = await read_form(request)
    problem = await service.get(ctx.scope, problem_id)
    if form.get("direction") in ("up", "down", "left", "right"):
        impact, urgency = rules.moved(problem["impact"], problem["urgency"], form.get("direction"))
    else:
        new_impact, new_urgency = fields.score(form, "impact"), fields.score(form, "urgency")
        if new_impact is None or new_urgency is None:
            raise ClientException(_("Score from 1 to 5."))
        impact, urgency = new_impact, new_urgency
    await service.move(ctx.scope, problem_id, impact, urgency, ctx.person_id)
    scope_id = None if form.get("portfolio") == "1" else problem["initiative"]
    if is_fragment_request(request):
        initiative = None if scope_id is None else {"id": scope_id}
        context = await _matrix_context(ctx, scope_id)
        return render(request, GRID_TEMPLATE, initiative=initiative, **context)
    target = (
        f"/o/{ctx.slug}/matrix"
        if scope_id is None
        else f"/o/{ctx.slug}/initiatives/{scope_id}/matrix"
    )
    return redirect(target, _("Problem moved."))


@get("/initiatives/{initiative_id:int}/problems/top5", name="top5")
async def top5(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative = await initiative_header(ctx, initiative_id)
    return render(
        request,
        "problems/top5.html",
        ctx=ctx,
        initiative=initiative,
        problems=await service.top(ctx.scope, initiative_id),
        tab="problems",
    )


async def _measures_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "problems/measures.html",
        status_code=status_code,
        ctx=ctx,
        initiative=await initiative_header(ctx, initiative_id),
        measures=await service.measures(ctx.scope, initiative_id),
        problems=await service.problems(ctx.scope, initiative_id),
        form=form or Form({}),
        can_write=can_write(ctx),
        tab="measures",
    )


@get("/initiatives/{initiative_id:int}/measures", name="measures")
async def measures(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _measures_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/measures", opt=needs(Action.WRITE_REGISTER))
async def create_measure(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await service.create_measure(ctx.scope, initiative_id, form.submitted)
    except Invalid as error:
        return await _measures_page(request, ctx, initiative_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}/measures", _("Measure added."))


ROUTES = [
    problems,
    create_problem,
    problem_page,
    update_problem,
    matrix,
    portfolio_matrix,
    matrix_cell,
    initiative_cell,
    move_problem,
    top5,
    measures,
    create_measure,
]
