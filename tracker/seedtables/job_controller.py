"""The page of a background import: its progress bar (htmx reads it again every second while
the job runs), its outcome and a Cancel button."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.seedtables import import_controller, importers, jobs
from tracker.tenancy import OrgContext, needs
from tracker.web import is_fragment_request, redirect, render


async def _job(request: Request, ctx: OrgContext, job_id: str) -> dict[str, Any]:
    state = await jobs.store_of(request.app.state).get(job_id) if job_id.isalnum() else None
    if state is None or state.get("org") != ctx.org_id:  # another organisation's: missing
        raise NotFoundException()
    return state


@get("/import-jobs/{job_id:str}", name="seed_import_job", opt=needs(Action.WRITE_REGISTER))
async def job_page(request: Request, ctx: OrgContext, job_id: str) -> Template:
    state = await _job(request, ctx, job_id)
    key = state["key"]
    template = "seedtables/partials/job.html" if is_fragment_request(request) else None
    return render(
        request,
        template or "seedtables/job.html",
        ctx=ctx,
        job=state,
        layout=importers.SPECS[key].layout(),
        back=f"/o/{ctx.slug}/initiatives/{state['initiative']}/{import_controller.PAGES[key]}",
        running=state["status"] in ("queued", "running"),
    )


@post("/import-jobs/{job_id:str}/cancel", opt=needs(Action.WRITE_REGISTER))
async def cancel(request: Request, ctx: OrgContext, job_id: str) -> Redirect:
    state = await _job(request, ctx, job_id)
    if state["status"] in ("queued", "running"):
        await jobs.store_of(request.app.state).change(job_id, cancel=True)
    return redirect(f"/o/{ctx.slug}/import-jobs/{job_id}", _("Cancelling the import…"))


ROUTES = [job_page, cancel]
