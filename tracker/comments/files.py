"""Files on comments: a comment is a subject the attachments area can hold files for (the
thread lists each comment's files, see ``service.thread``). Its
files are seen with it (a sealed review comment hides them too) and are permanent once the
thread is closed (a decided review) or the comment deleted."""

from __future__ import annotations

from tracker.attachments import subjects
from tracker.comments import rules, service
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext


async def resolve(ctx: OrgContext, comment_id: int) -> subjects.Subject:
    row, subject = await service.comment_and_subject(ctx, comment_id)
    deleted = row["deleted_at"] is not None
    closed = not subject.is_open
    return subjects.Subject(
        kind="comment",
        id=comment_id,
        title=_("Comment %(n)s", n=comment_id),
        kind_label=_("Comment"),
        url=f"/{rules.subject_path(subject.kind, subject.id)}#comment-{comment_id}",
        initiative_id=subject.row.get("initiative"),
        permanent=closed or deleted,
        permanent_reason=_("The discussion is closed: its files are part of the record.")
        if closed
        else _("The comment was deleted."),
    )


subjects.register("comment", resolve)
