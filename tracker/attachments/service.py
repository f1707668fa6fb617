"""Attaching, listing and removing files on a subject; the checks and the quota are those of
every upload (``tracker.uploads``), the bytes go to the storage back-end the settings choose."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException

from tracker import uploads
from tracker.attachments import rules
from tracker.attachments.subjects import Subject, resolve
from tracker.attachments.tables import Attachment
from tracker.db import joined_transaction
from tracker.errors import Conflict, Forbidden, Invalid, NotFound
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, TenantScope
from tracker.uploads import sniff, storage
from tracker.uploads.receive import Received


class Refused(Invalid):
    """An attachment refused, with the field it concerns and a message for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})
        self.field = field


class Permanent(Conflict):
    """The subject's files can no longer change (``message`` says why)."""


COLUMNS = (
    Attachment.id,
    Attachment.item,
    Attachment.created_at,
    Attachment.created_by,
    Attachment.created_by.name,
    Attachment.file.filename,
    Attachment.file.size,
    Attachment.file.media_type,
)


async def listing(scope: TenantScope, subject: Subject) -> list[dict[str, Any]]:
    """The subject's files, newest first, with who attached them (one query)."""
    return (
        await scope.select(Attachment, *COLUMNS)
        .where(  # type: ignore[no-any-return]
            Attachment.subject_kind == subject.kind, Attachment.subject_id == subject.id
        )
        .order_by(Attachment.created_at, ascending=False)
        .order_by(Attachment.id, ascending=False)
    )


async def for_subjects(
    scope: TenantScope, kind: str, subject_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """The files of many subjects of one kind in one query (e.g. every comment of a thread),
    oldest first, by subject id."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in subject_ids}
    if not subject_ids:
        return found
    rows = (
        await scope.select(Attachment, *COLUMNS, Attachment.subject_id)
        .where(Attachment.subject_kind == kind, Attachment.subject_id.is_in(subject_ids))
        .order_by(Attachment.id)
    )
    for row in rows:
        found[row["subject_id"]].append(row)
    return found


def _item(subject: Subject, raw: str) -> int | None:
    if not subject.items:
        return None
    ids = {item_id for item_id, _text in subject.items}
    if raw.isdigit() and int(raw) in ids:
        return int(raw)
    raise Refused("item", _("Choose the criterion this file is evidence for."))


async def attach(ctx: OrgContext, subject: Subject, received: Received) -> int:
    """Check the received file (type by content, size, quota) and keep it on the subject."""
    if not rules.can_attach(ctx.role):
        raise Forbidden(_("Your role in this organisation does not allow this."))
    if subject.permanent:
        raise Permanent(subject.permanent_reason)
    item = _item(subject, received.fields.get("item", ""))
    if received.file is None or not received.filename.strip():
        raise Refused("file", _("Choose a file to attach."))
    try:
        kind = await uploads.in_worker(sniff.identify, received.filename, received.file)
        await storage.ensure_room(ctx.scope, received.size)
    except uploads.UploadRefused as refused:
        raise Refused("file", _(refused.message, **refused.params)) from None
    except uploads.QuotaExceeded as full:
        raise Refused("file", full.message) from None
    async with joined_transaction():
        file_id = await storage.keep_stream(
            ctx.scope,
            "attachment",
            received.filename,
            received.file,
            received.size,
            received.sha256,
            kind.media_type,
            ctx.person_id,
        )
        rows = await ctx.scope.insert(
            Attachment,
            {
                "subject_kind": subject.kind,
                "subject_id": subject.id,
                "item": item,
                "file": file_id,
                "created_by": ctx.person_id,
            },
        )
    return int(rows[0]["id"])


async def attachment(scope: TenantScope, attachment_id: int) -> dict[str, Any]:
    """One attachment with its kept file's details, or 404."""
    return await scope.get(
        Attachment,
        attachment_id,
        *COLUMNS,
        Attachment.subject_kind,
        Attachment.subject_id,
        Attachment.file,
        Attachment.file.storage,
        Attachment.file.sha256,
    )


async def remove(ctx: OrgContext, attachment_id: int) -> Subject:
    """Remove the attachment and its bytes (who may, while the subject is not permanent)."""
    row = await attachment(ctx.scope, attachment_id)
    subject = await resolve(ctx, row["subject_kind"], row["subject_id"])
    if subject.permanent:
        raise Permanent(subject.permanent_reason)
    if not rules.can_remove(ctx.role, ctx.person_id, row["created_by"], subject.permanent):
        raise Forbidden(_("Your role in this organisation does not allow this."))
    async with joined_transaction():
        await ctx.scope.delete(Attachment, Attachment.id == attachment_id)
        try:
            await storage.remove(ctx.scope, row["file"], attachment=True)
        except (NotFound, NotFoundException):  # the scope's 404, either family
            pass  # removed meanwhile
    return subject


def kind_of(row: dict[str, Any]) -> sniff.Kind | None:
    """The kind of an attached file, from the media type its content was found to be."""
    media = row["file.media_type"].split(";")[0]
    return next((k for k in sniff.KINDS.values() if k.media_type.split(";")[0] == media), None)


def _messages() -> list[str]:
    """Never called: the message ids of the upload checks attachments pass, for extraction."""
    return [
        _("The file is larger than %(mb)s MB."),
        _(
            "This kind of file cannot be attached. Attach a PDF, an image (PNG, JPEG, GIF, "
            "WebP), an Office file (XLSX, DOCX, PPTX) or a CSV or text file."
        ),
        _(
            "The file is named “%(name)s” but its content is a web page (HTML or other "
            "markup), which cannot be attached. Save it as PDF and attach that."
        ),
        _(
            "The file is named “%(name)s” but its content is %(kind)s. Give it the right "
            "name, or attach the file you meant."
        ),
        _("The file is neither UTF-8 nor GBK text, or it holds binary bytes such as NUL."),
        _("The file is not a readable %(kind)s file."),
        _("The file expands to more than 100 MB when unpacked; it cannot be attached."),
        _("The file is empty."),
    ]
