"""Downloads of the seeds' tables, each from the page where its table lives, and the
programme file: one workbook per initiative with a sheet per seed table that has data."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from tracker.i18n import get_language, pgettext
from tracker.initiatives.tables import Initiative
from tracker.seedtables import inventory, layouts, rows, sop_document, sop_pdf
from tracker.sops import documents, versions
from tracker.spreadsheets import Table, download, download_workbook
from tracker.tenancy import OrgContext, TenantScope
from tracker.web import render, render_part

FORMATS = ("csv", "xlsx")


def _table(layout: layouts.Layout, body: list[list[Any]], preface: list[list[Any]]) -> Table:
    return Table(title=layout.title, headers=layout.headers, rows=body, preface=preface)


async def _initiative(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    return await scope.get(
        Initiative,
        initiative_id,
        Initiative.id,
        Initiative.name,
        Initiative.process_code,
        Initiative.departments,
    )


async def initiative_table(scope: TenantScope, initiative: dict[str, Any], key: str) -> Table:
    layout = layouts.INITIATIVE[key]()
    body = await rows.INITIATIVE[key](scope, initiative)
    return _table(layout, body, [[layout.title], [initiative["process_code"], initiative["name"]]])


def sop_table(view: dict[str, Any], key: str, document: dict[str, Any] | None = None) -> Table:
    layout = layouts.SOP_VERSION[key]()
    version = view["version"]
    title = [[layout.title], [version["document.number"], version["document.process_name"]]]
    if key == "version-log":
        assert document is not None
        return _table(layout, rows.version_log(document), title)
    if key == "sop-basic":  # seed 001: a labelled block above the steps
        pairs = zip(layouts.sop_basic_block(), rows.sop_basic_block(view), strict=True)
        block: list[list[Any]] = [[label, value] for label, value in pairs]
        return _table(layout, rows.sop_basic(view), [[layout.title], *block, []])
    builders = {
        "sop-steps": rows.sop_steps,
        "standardisation": rows.standardisation,
        "task-assignment": rows.task_assignment,
    }
    return _table(layout, builders[key](view), title)


def _format(format: str) -> str:
    if format not in FORMATS:
        raise NotFoundException()
    return format


@get("/initiatives/{initiative_id:int}/tables/{key:str}", name="seed_table")
async def initiative_download(
    ctx: OrgContext, initiative_id: int, key: str, format: str = "xlsx"
) -> Response:
    if key not in layouts.INITIATIVE:
        raise NotFoundException()
    initiative = await _initiative(ctx.scope, initiative_id)
    table = await initiative_table(ctx.scope, initiative, key)
    return download(table, _format(format), f"{initiative['process_code']}-{key}")


@get("/sop-versions/{version_id:int}/tables/{table:str}", name="sop_seed_table")
async def sop_download(
    ctx: OrgContext, version_id: int, table: str, format: str = "xlsx"
) -> Response:
    key = table
    if key not in layouts.SOP_VERSION:
        raise NotFoundException()
    view = await versions.version_view(ctx, version_id)
    document = None
    if key == "version-log":
        document = await documents.document_view(ctx.scope, view["version"]["document"])
    name = f"{view['version']['document.number']}-{view['version']['label']}-{key}"
    return download(sop_table(view, key, document), _format(format), name)


@get("/processes", name="process_inventory")
async def inventory_page(request: Request, ctx: OrgContext) -> Template:
    return render(
        request,
        "seedtables/processes.html",
        ctx=ctx,
        entries=await inventory.inventory(ctx.scope),
        columns=layouts.process_inventory().columns,
    )


def inventory_table(entries: list[dict[str, Any]]) -> Table:
    layout = layouts.process_inventory()
    extra = pgettext("seed table", "SOP number")
    return Table(
        title=layout.title,
        headers=[*layout.columns, extra],
        rows=inventory.rows(entries),
        preface=[[layout.title]],
    )


@get("/tables/process-inventory", name="process_inventory_table")
async def inventory_download(ctx: OrgContext, format: str = "xlsx") -> Response:
    table = inventory_table(await inventory.inventory(ctx.scope))
    return download(table, _format(format), "process-inventory")


async def programme_tables(ctx: OrgContext, initiative: dict[str, Any]) -> list[Table]:
    """Every seed table of the initiative that has data: its registers, then each SOP
    document's current version (else its latest). With no data at all, every register table
    with its header only: blank forms to fill in, as the seeds are used."""
    tables = [await initiative_table(ctx.scope, initiative, key) for key in layouts.INITIATIVE]
    for doc in await documents.documents(ctx.scope, initiative["id"]):
        shown = doc["current"] or doc["latest"]
        if shown is None:
            continue
        view = await versions.version_view(ctx, shown["id"])
        document = await documents.document_view(ctx.scope, doc["id"])
        for key in layouts.SOP_VERSION:
            table = sop_table(view, key, document)
            table.title = f"{table.title} {doc['number']}"
            tables.append(table)
        raci = versions.raci_table(view)
        raci.title = f"{raci.title} {doc['number']}"
        tables.append(raci)
    filled = [t for t in tables if list(t.rows)]
    processes = [
        e
        for e in await inventory.inventory(ctx.scope)
        if e["document"]["initiative"] == initiative["id"]
    ]
    if processes:  # the initiative's own rows of the organisation's process inventory
        filled.append(inventory_table(processes))
    return filled or tables


@get("/initiatives/{initiative_id:int}/programme.xlsx", name="programme_file")
async def programme_file(ctx: OrgContext, initiative_id: int) -> Response:
    initiative = await _initiative(ctx.scope, initiative_id)
    tables = await programme_tables(ctx, initiative)
    return download_workbook(tables, f"{initiative['process_code']}-programme")


DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@get("/sop-versions/{version_id:int}/document.docx", name="sop_docx")
async def sop_word(ctx: OrgContext, version_id: int) -> Response:
    view = await versions.version_view(ctx, version_id)
    document = await documents.document_view(ctx.scope, view["version"]["document"])
    name = f"{view['version']['document.number']}-{view['version']['label']}"
    safe = re.sub(r"[^\w.\- ]+", "_", name, flags=re.ASCII).strip() or "sop"
    return Response(
        sop_document.sop_docx(view, document),
        media_type=DOCX_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{safe}.docx"'},
    )


@get("/sop-versions/{version_id:int}/document.pdf", name="sop_pdf")
async def sop_pdf_download(request: Request, ctx: OrgContext, version_id: int) -> Response:
    view = await versions.version_view(ctx, version_id)
    html = render_part(
        request, "sops/print.html", ctx=ctx, **view, language=get_language(), pdf=True
    )
    name = f"{view['version']['document.number']}-{view['version']['label']}"
    safe = re.sub(r"[^\w.\- ]+", "_", name, flags=re.ASCII).strip() or "sop"
    return Response(
        await sop_pdf.to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{safe}.pdf"'},
    )


ROUTES = [
    sop_pdf_download,
    inventory_page,
    initiative_download,
    sop_download,
    inventory_download,
    programme_file,
    sop_word,
]
