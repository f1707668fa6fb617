"""Attachments: the files of a subject (a panel its page loads, or a page of its own), the
streamed upload, the download (sandboxed, never sniffed) and removal."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from litestar.response.streaming import ASGIStreamingResponse
from litestar.types import Receive, Send

from tracker.attachments import rules, service
from tracker.attachments.subjects import Subject, resolve
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, by_record, needs
from tracker.uploads import UploadRefused, storage
from tracker.uploads.receive import STREAMED, drain, receive
from tracker.uploads.sniff import KINDS, MAX_ATTACHMENT
from tracker.web import is_fragment_request, redirect, render

DRAIN_LIMIT = 64 * 1024 * 1024  # a refused body is read and dropped up to this size
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "object-src 'self'; frame-ancestors 'none'"
)
ACCEPT = ",".join(f".{ext}" for kind in KINDS.values() for ext in kind.extensions)


class FileStream(ASGIStreamingResponse):
    """The chunks of a file as they are read, ended by the last one (Litestar's streaming
    response also waits for the client to disconnect, which never comes while the tenant wall
    holds the response: see ``IdentityMiddleware``, which lets a ``STREAMED`` route's answer
    through as it is made)."""

    async def send_body(self, send: Send, receive: Receive) -> None:
        await self._stream(send)


async def _panel(
    request: Request,
    ctx: OrgContext,
    subject: Subject,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    rows = await service.listing(ctx.scope, subject)
    for row in rows:
        kind = service.kind_of(row)
        row["inline"] = bool(kind and kind.inline)
        row["removable"] = rules.can_remove(
            ctx.role, ctx.person_id, row["created_by"], subject.permanent
        )
        row["size_label"] = rules.size_label(row["file.size"])
    fragment = is_fragment_request(request) and status == 200
    return render(
        request,
        "attachments/panel.html" if fragment else "attachments/page.html",
        status_code=status,
        ctx=ctx,
        subject=subject,
        rows=rows,
        items=dict(subject.items),
        can_attach=rules.can_attach(ctx.role) and not subject.permanent,
        errors=errors or {},
        values=values or {},
        accept=ACCEPT,
        max_mb=MAX_ATTACHMENT // (1024 * 1024),
    )


@get("/attachments/on/{kind:str}/{subject_id:int}", name="attachments")
async def attachments_page(
    request: Request, ctx: OrgContext, kind: str, subject_id: int
) -> Template:
    return await _panel(request, ctx, await resolve(ctx, kind, subject_id))


@post(
    "/attachments/on/{kind:str}/{subject_id:int}",
    opt={STREAMED: True, **needs(rules.ATTACH)},
    exclude_from_csrf=True,  # checked while streaming: see tracker/uploads/receive.py
    request_max_body_size=None,  # refused at 20 MiB by receive(), with a message
)
async def upload(
    request: Request, ctx: OrgContext, kind: str, subject_id: int
) -> Template | Redirect:
    subject = await resolve(ctx, kind, subject_id)
    received = None
    try:
        if subject.permanent:
            raise service.Permanent(subject.permanent_reason)
        received = await receive(request, "file", MAX_ATTACHMENT)
        await service.attach(ctx, subject, received)
    except (UploadRefused, service.Refused, service.Permanent) as refused:
        await drain(request, DRAIN_LIMIT)  # what is left of a refused body, so it is read
        field, message, status = _refusal(refused)
        values = received.fields if received else None
        return await _panel(request, ctx, subject, {field: message}, values, status)
    finally:
        if received is not None:
            received.close()
    return redirect(
        f"/o/{ctx.slug}{subject.url}#attachments",
        _("File attached: %(name)s", name=storage.clean_name(received.filename)),
    )


def _refusal(error: Exception) -> tuple[str, str, int]:
    """The field, message and status of a refused upload."""
    if isinstance(error, UploadRefused):  # too large: its Content-Length, or while streaming
        return "file", _(error.message, **error.params), 413
    if isinstance(error, service.Permanent):
        return "file", error.message, 409
    assert isinstance(error, service.Refused)
    return error.field, error.message, error.status_code


@get("/attachments/{attachment_id:int}", name="attachment", opt={STREAMED: True})
async def download(
    request: Request, ctx: OrgContext, attachment_id: int, view: str = ""
) -> ASGIStreamingResponse:
    row = await service.attachment(ctx.scope, attachment_id)
    await resolve(ctx, row["subject_kind"], row["subject_id"])  # seen with its subject, or 404
    kind = service.kind_of(row)
    inline = view == "inline" and kind is not None and kind.inline
    file = {"id": row["file"], "storage": row["file.storage"], "sha256": row["file.sha256"]}
    return FileStream(
        iterator=storage.read(ctx.scope, file),
        headers={
            "Content-Type": row["file.media_type"] if kind else "application/octet-stream",
            "Content-Disposition": rules.content_disposition(row["file.filename"], inline),
            "Content-Length": str(row["file.size"]),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX,
            "Cache-Control": "private, no-store",
        },
    )


@post(
    "/attachments/{attachment_id:int}/delete",
    opt=by_record("the uploader, or the initiative's editors"),
)
async def delete(request: Request, ctx: OrgContext, attachment_id: int) -> Response | Redirect:
    try:
        subject = await service.remove(ctx, attachment_id)
    except service.Permanent as permanent:
        row = await service.attachment(ctx.scope, attachment_id)
        subject = await resolve(ctx, row["subject_kind"], row["subject_id"])
        return await _panel(request, ctx, subject, {"file": permanent.message}, None, 409)
    return redirect(f"/o/{ctx.slug}{subject.url}#attachments", _("File removed."))


ROUTES = [attachments_page, upload, download, delete]
