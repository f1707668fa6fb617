"""Settings › Uploaded files: what the organisation keeps, against its quota; admins remove
files to make room."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, needs
from tracker.uploads import storage
from tracker.web import redirect, render


@get("/settings/files", name="stored_files", opt=needs(Action.MANAGE_ORG))
async def files_page(request: Request, ctx: OrgContext) -> Template:
    used, quota = await storage.usage(ctx.scope), storage.quota_bytes()
    return render(
        request,
        "uploads/files.html",
        ctx=ctx,
        files=await storage.files(ctx.scope),
        used=storage.megabytes(used),
        quota=storage.megabytes(quota),
        percent=min(100, round(100 * used / quota)),
    )


@post("/settings/files/{file_id:int}/delete", opt=needs(Action.MANAGE_ORG))
async def delete_file(request: Request, ctx: OrgContext, file_id: int) -> Redirect:
    try:
        await storage.remove(ctx.scope, file_id)
    except storage.AttachedFile:
        return redirect(
            f"/o/{ctx.slug}/settings/files",
            _("This file is attached to a record; remove it there, where the rules allow it."),
        )
    return redirect(f"/o/{ctx.slug}/settings/files", _("File removed."))


ROUTES = [files_page, delete_file]
