"""Exports of every register (CSV, XLSX) and imports of problems and risks (preview, then an
all-or-nothing write)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker import labels, uploads
from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.pilots import service as pilots
from tracker.pilots.tables import PilotFeedback
from tracker.problems import service as problems
from tracker.registers import importing, imports
from tracker.registers.pages import initiative_header
from tracker.risks import service as risks
from tracker.spreadsheets import Table, download
from tracker.tenancy import OrgContext
from tracker.web import redirect, render

Column = tuple[str, Callable[[dict[str, Any]], Any]]


def _met(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _pct(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


async def _register(
    ctx: OrgContext, initiative_id: int, register: str
) -> tuple[str, list[Column], list[dict]]:
    scope = ctx.scope
    if register == "problems":
        columns: list[Column] = [
            (_("Problem"), lambda r: r["title"]),
            (_("Description"), lambda r: r["description"]),
            (_("Category"), lambda r: labels.problem_category_label(r["category"])),
            (_("Impact"), lambda r: r["impact"]),
            (_("Urgency"), lambda r: r["urgency"]),
            (_("Priority"), lambda r: labels.quadrant_label(r["quadrant"])),
            (_("Root cause category"), lambda r: labels.fishbone_label(r["fishbone"])),
            (_("5 whys"), lambda r: "; ".join(r["whys"].splitlines())),
            (_("Owner"), lambda r: r["owner.name"]),
            (_("Status"), lambda r: labels.problem_status_label(r["status"])),
        ]
        return _("Problems"), columns, await problems.problems(scope, initiative_id)
    if register == "measures":
        columns = [
            (_("Optimisation goal"), lambda r: r["goal"]),
            (_("Problem addressed"), lambda r: r["problem.title"]),
            (_("Measure"), lambda r: r["measure"]),
            (_("Responsible department"), lambda r: r["department"]),
            (_("Completion date"), lambda r: r["completion_date"]),
            (_("Expected effect (quantified)"), lambda r: r["expected_effect"]),
        ]
        return _("Measures"), columns, await problems.measures(scope, initiative_id)
    if register == "pilots":
        columns = [
            (_("Pilot process"), lambda r: r["pilot.process"]),
            (_("Pilot scope"), lambda r: r["pilot.scope"]),
            (_("Key metric"), lambda r: f"{r['name']} ({r['unit']})" if r["unit"] else r["name"]),
            (_("Before"), lambda r: r["baseline"]),
            (_("After"), lambda r: r["result"]),
            (_("Change %%"), lambda r: _pct(r["change"])),
            (_("Target"), lambda r: r["target"]),
            (_("Target met"), lambda r: _met(r["met"])),
            (_("Satisfaction (1–5)"), lambda r: r["satisfaction"]),
            (_("Unmet problems and cause"), lambda r: r["unmet"]),
        ]
        return _("Pilot evaluation"), columns, await pilots.evaluation_rows(scope, initiative_id)
    if register == "feedback":
        rows = (
            await scope.select(
                PilotFeedback,
                *PilotFeedback.all_columns(),
                PilotFeedback.author.name,
                PilotFeedback.pilot.process,
                PilotFeedback.problem.title,
            )
            .where(PilotFeedback.pilot.initiative == initiative_id)
            .order_by(PilotFeedback.created_at)
        )
        columns = [
            (_("Date"), lambda r: r["created_at"]),
            (_("Pilot process"), lambda r: r["pilot.process"]),
            (_("Author"), lambda r: r["author.name"]),
            (_("Category"), lambda r: labels.feedback_label(r["category"])),
            (_("Feedback"), lambda r: r["text"]),
            (_("Problem"), lambda r: r["problem.title"]),
        ]
        return _("Pilot feedback"), columns, rows
    if register == "risks":
        columns = [
            (_("Risk"), lambda r: r["description"]),
            (_("Category"), lambda r: labels.risk_category_label(r["category"])),
            (_("Likelihood"), lambda r: r["likelihood"]),
            (_("Impact"), lambda r: r["impact"]),
            (_("Risk score"), lambda r: r["score"]),
            (_("Mitigation"), lambda r: r["mitigation"]),
            (_("Owner"), lambda r: r["owner.name"]),
            (_("Status"), lambda r: labels.risk_status_label(r["status"])),
            (_("Review date"), lambda r: r["review_date"]),
            (_("Residual risk score"), lambda r: r["residual_score"]),
        ]
        return _("Risks"), columns, await risks.risks(scope, initiative_id)
    if register == "resistance":
        columns = [
            (_("Stakeholder group"), lambda r: r["stakeholder_group"]),
            (_("Resistance level"), lambda r: labels.resistance_level_label(r["level"])),
            (_("ADKAR barrier"), lambda r: labels.barrier_label(r["barrier"])),
            (_("Concern"), lambda r: r["concern"]),
            (_("Root cause"), lambda r: r["root_cause"]),
            (_("Engagement action"), lambda r: r["action"]),
            (_("Owner"), lambda r: r["owner.name"]),
            (_("Due date"), lambda r: r["due_date"]),
            (_("Status"), lambda r: labels.action_status_label(r["status"])),
            (_("Outcome"), lambda r: r["outcome"]),
        ]
        return _("Change resistance"), columns, await risks.resistance(scope, initiative_id)
    raise NotFoundException()


@get("/initiatives/{initiative_id:int}/export/{register:str}", name="export")
async def export(
    ctx: OrgContext, initiative_id: int, register: str, format: str = "csv"
) -> Response:
    initiative = await initiative_header(ctx, initiative_id)
    title, columns, rows = await _register(ctx, initiative_id, register)
    if format not in ("csv", "xlsx"):
        raise NotFoundException()
    table = Table(
        title=title,
        headers=[c[0] for c in columns],
        rows=[[getter(row) for _, getter in columns] for row in rows],
    )
    return download(table, format, f"{initiative['process_code']}-{register}")


IMPORTERS = {
    "problems": (imports.PROBLEM_COLUMNS, {"title", "category", "impact", "urgency"}),
    "risks": (imports.RISK_COLUMNS, {"description", "likelihood", "impact"}),
}


async def _preview(
    ctx: OrgContext, initiative_id: int, register: str, filename: str, data: bytes
) -> imports.Preview:
    columns, required = IMPORTERS[register]
    sheet = await importing.read_upload(filename, data, columns, required)
    if register == "problems":
        return await imports.preview_problems(ctx.scope, initiative_id, sheet)
    return await imports.preview_risks(ctx.scope, initiative_id, sheet)


def _import_page(
    request: Request,
    ctx: OrgContext,
    initiative: dict,
    register: str,
    preview: Any = None,
    payload: str = "",
    filename: str = "",
    status_code: int = 200,
    error: str | None = None,
) -> Template:
    columns, required = IMPORTERS[register]
    return render(
        request,
        "registers/import.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        register=register,
        preview=preview,
        payload=payload,
        filename=filename,
        error=error,
        columns=columns,
        required=required,
    )


@get("/initiatives/{initiative_id:int}/import/{register:str}", name="import")
async def import_page(
    request: Request, ctx: OrgContext, initiative_id: int, register: str
) -> Template:
    ctx.require(Action.WRITE_REGISTER)
    if register not in IMPORTERS:
        raise NotFoundException()
    return _import_page(request, ctx, await initiative_header(ctx, initiative_id), register)


@post(
    "/initiatives/{initiative_id:int}/import/{register:str}", request_max_body_size=8 * 1024 * 1024
)
async def import_upload(
    request: Request, ctx: OrgContext, initiative_id: int, register: str
) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    if register not in IMPORTERS:
        raise NotFoundException()
    initiative = await initiative_header(ctx, initiative_id)
    form = await request.form()
    filename, data = importing.uploaded(form)
    if not data:
        return _import_page(
            request, ctx, initiative, register, status_code=422, error=_("Choose a file to import.")
        )
    try:
        await uploads.ensure_room(ctx.scope, len(data))
    except uploads.QuotaExceeded as full:
        return _import_page(request, ctx, initiative, register, status_code=422, error=full.message)
    preview = await _preview(ctx, initiative_id, register, filename, data)
    if form.get("confirm") == "1" and preview.ok:
        if register == "problems":
            count = await imports.write_problems(ctx.scope, initiative_id, preview)
        else:
            count = await imports.write_risks(ctx.scope, initiative_id, preview, ctx.person_id)
        await uploads.keep(ctx.scope, "import", filename, data, ctx.person_id, checked=True)
        return redirect(
            f"/o/{ctx.slug}/initiatives/{initiative_id}/{register}",
            _("%(n)s rows imported.", n=count),
        )
    return _import_page(
        request,
        ctx,
        initiative,
        register,
        preview,
        base64.b64encode(data).decode(),
        filename,
        status_code=200 if preview.ok else 422,
    )


ROUTES = [export, import_page, import_upload]
