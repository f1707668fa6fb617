"""Exports of every register (CSV, XLSX) and imports of problems and risks (preview, then an
all-or-nothing write). Each area declares its own (``exports.py``, ``imports.py``);
tracker/wiring.py lists them in ``EXPORTS`` and ``IMPORTERS``."""

from __future__ import annotations

import base64
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker import uploads
from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.registers import importing, imports
from tracker.registers.exports import EXPORTS
from tracker.registers.imports import IMPORTERS
from tracker.registers.pages import initiative_header
from tracker.spreadsheets import Table, download
from tracker.tenancy import OrgContext, needs
from tracker.web import redirect, render


@get("/initiatives/{initiative_id:int}/export/{register:str}", name="export")
async def export(
    ctx: OrgContext, initiative_id: int, register: str, format: str = "csv"
) -> Response:
    initiative = await initiative_header(ctx, initiative_id)
    if register not in EXPORTS:
        raise NotFoundException()
    title, columns, rows = await EXPORTS[register](ctx.scope, initiative_id)
    if format not in ("csv", "xlsx"):
        raise NotFoundException()
    table = Table(
        title=title,
        headers=[c[0] for c in columns],
        rows=[[getter(row) for _, getter in columns] for row in rows],
    )
    return download(table, format, f"{initiative['process_code']}-{register}")


async def _preview(
    ctx: OrgContext, initiative_id: int, register: str, filename: str, data: bytes
) -> imports.Preview:
    importer = IMPORTERS[register]
    sheet = await importing.read_upload(filename, data, importer.columns, importer.required)
    return await importer.preview(ctx.scope, initiative_id, sheet)


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
    importer = IMPORTERS[register]
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
        columns=importer.columns,
        required=importer.required,
    )


@get(
    "/initiatives/{initiative_id:int}/import/{register:str}",
    name="import",
    opt=needs(Action.WRITE_REGISTER),
)
async def import_page(
    request: Request, ctx: OrgContext, initiative_id: int, register: str
) -> Template:
    if register not in IMPORTERS:
        raise NotFoundException()
    return _import_page(request, ctx, await initiative_header(ctx, initiative_id), register)


@post(
    "/initiatives/{initiative_id:int}/import/{register:str}",
    request_max_body_size=8 * 1024 * 1024,
    opt=needs(Action.WRITE_REGISTER),
)
async def import_upload(
    request: Request, ctx: OrgContext, initiative_id: int, register: str
) -> Template | Redirect:
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
        count = await IMPORTERS[register].write(ctx.scope, initiative_id, preview, ctx.person_id)
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
