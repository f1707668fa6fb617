"""Seed tables back in: upload a file in a seed's layout, see every row's problems by row and
column, then import all rows or none. A re-import updates rather than duplicates."""

from __future__ import annotations

import base64
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker import uploads
from tracker.accounts.rules import Action
from tracker.i18n import get_language
from tracker.i18n import gettext as _
from tracker.registers.importing import uploaded
from tracker.registers.pages import initiative_header
from tracker.seedtables import importers, jobs, reading, sop_import
from tracker.sops import versions
from tracker.sops.common import SopConflict
from tracker.tenancy import OrgContext, needs
from tracker.web import redirect, render

# where each table lives, to go back to after an import
PAGES = {
    "as-is-survey": "problems",
    "matrix": "matrix",
    "risks": "risks",
    "design": "measures",
    "kpi-monitoring": "kpis",
    "optimisation-log": "kpis",
}


def _page(
    request: Request, ctx: OrgContext, initiative: dict, key: str, status_code: int = 200,
    **extra: Any,
) -> Template:  # fmt: skip
    spec = importers.SPECS.get(key) or sop_import.SPECS[key]
    base = f"/o/{ctx.slug}/initiatives/{initiative['id']}"
    return render(
        request,
        "seedtables/import.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        key=key,
        layout=spec.layout(),
        back=extra.pop("back", None) or f"{base}/{PAGES.get(key, '')}",
        table_href=extra.pop("table_href", None) or f"{base}/tables/{key}",
        keys=spec.keys,
        **{"preview": None, "payload": "", "filename": "", "error": None, **extra},
    )


def _spec(ctx: OrgContext, key: str) -> importers.Spec:
    if key not in importers.SPECS:
        raise NotFoundException()
    return importers.SPECS[key]


@get(
    "/initiatives/{initiative_id:int}/tables/{key:str}/import",
    name="seed_import",
    opt=needs(Action.WRITE_REGISTER),
)
async def import_page(request: Request, ctx: OrgContext, initiative_id: int, key: str) -> Template:
    _spec(ctx, key)
    return _page(request, ctx, await initiative_header(ctx, initiative_id), key)


@post(
    "/initiatives/{initiative_id:int}/tables/{key:str}/import",
    opt=needs(Action.WRITE_REGISTER),
    request_max_body_size=8 * 1024 * 1024,
)
async def import_upload(
    request: Request, ctx: OrgContext, initiative_id: int, key: str
) -> Template | Redirect:
    spec = _spec(ctx, key)
    initiative = await initiative_header(ctx, initiative_id)
    form = await request.form()
    filename, data = uploaded(form)
    if not data:
        return _page(request, ctx, initiative, key, 422, error=_("Choose a file to import."))
    try:
        await uploads.ensure_room(ctx.scope, len(data))
    except uploads.QuotaExceeded as full:
        return _page(request, ctx, initiative, key, 422, error=full.message)
    parsed = await uploads.in_worker(reading.read, filename, data, spec.layout, spec.keys)
    preview = await importers.preview(ctx.scope, key, initiative_id, parsed)
    if form.get("confirm") == "1" and preview.ok:
        kept = await uploads.keep(ctx.scope, "import", filename, data, ctx.person_id, checked=True)
        if len(preview.rows) > jobs.JOB_ROWS:  # a background job: no request waits on it
            state = {"org": ctx.org_id, "key": key, "initiative": initiative_id, "file": kept,
                     "filename": filename, "person": ctx.person_id, "total": len(preview.rows),
                     "language": get_language()}  # fmt: skip
            job_id = await jobs.start(request.app.state, state)
            return Redirect(f"/o/{ctx.slug}/import-jobs/{job_id}")
        count = await importers.write(ctx.scope, key, initiative_id, preview, ctx.person_id)
        return redirect(
            f"/o/{ctx.slug}/initiatives/{initiative_id}/{PAGES[key]}",
            _("%(n)s rows imported.", n=count),
        )
    return _page(
        request, ctx, initiative, key, 200 if preview.ok else 422, preview=preview,
        payload=base64.b64encode(data).decode(), filename=filename,
    )  # fmt: skip


# --- onto a draft SOP version -----------------------------------------------------------------


async def _version(ctx: OrgContext, version_id: int, key: str) -> tuple[dict, dict, dict]:
    if key not in sop_import.SPECS:
        raise NotFoundException()
    view = await versions.version_view(ctx, version_id)
    v = view["version"]
    initiative = {
        "id": v["document.initiative"],
        "process_code": v["document.initiative.process_code"],
        "name": v["document.initiative.name"],
    }
    href = f"/o/{ctx.slug}/sop-versions/{version_id}"
    return view, initiative, {"back": href, "table_href": f"{href}/tables/{key}"}


@get(
    "/sop-versions/{version_id:int}/tables/{table:str}/import",
    name="sop_seed_import",
    opt=needs(Action.WRITE_REGISTER),
)
async def sop_import_page(
    request: Request, ctx: OrgContext, version_id: int, table: str
) -> Template:
    key = table  # an SOP version's seed table (the route probe names it "table")
    _view, initiative, links = await _version(ctx, version_id, key)
    return _page(request, ctx, initiative, key, **links)


@post(
    "/sop-versions/{version_id:int}/tables/{table:str}/import",
    opt=needs(Action.WRITE_REGISTER),
    request_max_body_size=8 * 1024 * 1024,
)
async def sop_import_upload(
    request: Request, ctx: OrgContext, version_id: int, table: str
) -> Template | Redirect:
    key = table
    view, initiative, links = await _version(ctx, version_id, key)
    spec = sop_import.SPECS[key]
    form = await request.form()
    filename, data = uploaded(form)
    if not data:
        message = _("Choose a file to import.")
        return _page(request, ctx, initiative, key, 422, error=message, **links)
    parsed = await uploads.in_worker(reading.read, filename, data, spec.layout, spec.keys)
    try:
        preview = await sop_import.preview(ctx, version_id, view, parsed)
        if form.get("confirm") == "1" and preview.ok:
            count = await sop_import.write(ctx, version_id, preview)
            return redirect(links["back"] + "#steps", _("%(n)s rows imported.", n=count))
    except SopConflict as error:
        return _page(request, ctx, initiative, key, 409, error=str(error), **links)
    return _page(
        request, ctx, initiative, key, 200 if preview.ok else 422, preview=preview,
        payload=base64.b64encode(data).decode(), filename=filename, **links,
    )  # fmt: skip


ROUTES = [import_page, import_upload, sop_import_page, sop_import_upload]
