"""Reading and writing threads. The thread is one query whatever its length (authors joined);
a comment's Markdown is rendered once, when written, and its mentions are rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracker.attachments import service as attachments
from tracker.comments import events, markdown, rules
from tracker.comments import queries as q
from tracker.comments.subjects import Subject
from tracker.comments.subjects import load as load_subject
from tracker.db import write_transaction
from tracker.errors import Conflict, Forbidden, NotFound
from tracker.i18n import gettext as _
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.values import Checks, Submitted


class Closed(Conflict):
    """The thread takes no more changes: its gate review is decided (409)."""


def _check_writer(reader: rules.Reader) -> None:
    if not rules.may_write(reader.role):
        raise Forbidden(_("Viewers read the discussion; they do not write in it."))
    if not reader.is_open:
        raise Closed(_("This review is decided: its discussion is closed."))


def now() -> datetime:
    """The clock every rule of this area reads (tests put another in its place)."""
    return datetime.now(UTC)


@dataclass
class Thread:
    subject: Subject
    reader: rules.Reader
    comments: list[dict[str, Any]]
    hidden: int = 0  # sealed comments of other reviewers, until the reader votes


async def thread(ctx: OrgContext, subject: Subject, at: datetime | None = None) -> Thread:
    reader = subject.reader(ctx)
    moment = at or now()
    shown = []
    hidden = 0
    for row in await ctx.scope.fetch_dicts(q.THREAD, kind=subject.kind, id=subject.id):
        if not reader.reads(row["author"], bool(row["sealed"])):
            hidden += 1
            continue
        deleted = row["deleted_at"] is not None
        row["may_edit"] = reader.may_edit(row["author"], row["created_at"], deleted, moment)
        row["may_delete"] = reader.may_delete(row["author"], deleted)
        row["by_admin"] = deleted and row["deleted_by"] != row["author"]
        shown.append(row)
    found = await attachments.for_subjects(ctx.scope, "comment", [c["id"] for c in shown])
    for row in shown:  # each comment's files: one query for the whole thread
        row["files"] = found.get(row["id"], [])
    return Thread(subject, reader, shown, hidden)


async def members(org_id: int) -> list[tuple[int, str]]:
    rows = await TenantScope(org_id).fetch(q.MEMBERS)
    return [(r["id"], r["name"]) for r in rows]


def _read_body(values: Submitted) -> str:
    """The comment's text (``Invalid`` when empty or too long)."""
    checks = Checks(values)
    body = checks.get("body")
    if not body:
        checks.error("body", _("Write something first."))
    elif len(body) > rules.MAX_BODY:
        checks.error("body", _("Use at most %(n)s characters.", n=rules.MAX_BODY))
    checks.done()
    return body


async def _mention(ctx: OrgContext, comment_id: int, person_ids: set[int]) -> None:
    if not person_ids:
        return
    rows = [{"person": p} for p in sorted(person_ids)]
    await ctx.scope.insert_rows(q.INSERT_MENTIONS, rows, comment=comment_id)


async def _reviewers(ctx: OrgContext, subject: Subject) -> list[dict[str, Any]]:
    if subject.kind != "review":
        return []
    return await ctx.scope.fetch_dicts(q.REVIEWERS, review=subject.id)


async def post(ctx: OrgContext, subject: Subject, values: Submitted) -> int:
    """Write a comment (``Invalid`` when its text is refused), record its mentions and tell
    the listeners, all in one transaction."""
    reader = subject.reader(ctx)
    _check_writer(reader)
    body = _read_body(values)
    html, mentioned = markdown.render(body, rules.name_index(await members(ctx.org_id)))
    sealed = rules.sealed_when_written(subject.kind, reader.is_reviewer, reader.is_open)
    async with write_transaction():
        rows = await ctx.scope.fetch(
            q.INSERT_COMMENT,
            kind=subject.kind,
            id=subject.id,
            author=ctx.person_id,
            body=body,
            html=html,
            sealed=sealed,
            at=now(),
        )
        comment_id = rows[0]["id"]
        await _mention(ctx, comment_id, mentioned)
        await _tell(ctx, subject, comment_id, mentioned, sealed, edited=False)
    return int(comment_id)


async def _tell(
    ctx: OrgContext,
    subject: Subject,
    comment_id: int,
    mentioned: set[int],
    sealed: bool,
    edited: bool,
) -> None:
    reviewers = await _reviewers(ctx, subject)
    writers = await ctx.scope.fetch(q.WRITERS, kind=subject.kind, id=subject.id, comment=comment_id)
    me = ctx.person_id
    followers = [r["author"] for r in writers] + [r["reviewer"] for r in reviewers]
    hidden = [r["reviewer"] for r in reviewers if sealed and not r["voted"] and r["reviewer"] != me]
    await events.publish(
        events.CommentPosted(
            org_id=ctx.org_id,
            comment_id=comment_id,
            author_id=me,
            subject_kind=subject.kind,
            subject_id=subject.id,
            url=f"{subject.url}#comment-{comment_id}",
            owner_ids=tuple(i for i in subject.owner_ids if i != me),
            follower_ids=tuple(sorted({i for i in followers if i != me})),
            mentioned_ids=tuple(sorted(mentioned - {me})),
            hidden_from=tuple(sorted(set(hidden))),
            edited=edited,
            title=str(subject.row.get("title") or ""),
        )
    )


async def comment_row(ctx: OrgContext, comment_id: int) -> dict[str, Any]:
    """A comment of the organisation, or 404."""
    if not 0 < comment_id <= MAX_ID:
        raise NotFound()
    rows = await ctx.scope.fetch_dicts(q.COMMENT, comment=comment_id)
    if not rows:
        raise NotFound()
    return rows[0]


async def comment_and_subject(ctx: OrgContext, comment_id: int) -> tuple[dict[str, Any], Subject]:
    """The comment and its subject; a comment the reader may not read yet is a missing one."""
    row = await comment_row(ctx, comment_id)
    subject = await load_subject(ctx, row["subject_kind"], row["subject_id"])
    if not subject.reader(ctx).reads(row["author"], bool(row["sealed"])):
        raise NotFound()
    return row, subject


def editable(ctx: OrgContext, row: dict[str, Any], subject: Subject) -> bool:
    reader = subject.reader(ctx)
    return reader.may_edit(row["author"], row["created_at"], row["deleted_at"] is not None, now())


async def edit(ctx: OrgContext, row: dict[str, Any], subject: Subject, values: Submitted) -> None:
    """Change your own comment within its window (``Invalid`` when its text is refused)."""
    _check_writer(subject.reader(ctx))
    if not editable(ctx, row, subject):
        raise Forbidden(
            _("A comment can be changed by its author for 15 minutes after it was written.")
        )
    body = _read_body(values)
    html, mentioned = markdown.render(body, rules.name_index(await members(ctx.org_id)))
    async with write_transaction():
        before = await ctx.scope.fetch(q.MENTIONED, comment=row["id"])
        await ctx.scope.fetch(q.EDIT, body=body, html=html, at=now(), comment=row["id"])
        known = {r["person"] for r in before}
        await ctx.scope.fetch(q.DELETE_MENTIONS, comment=row["id"])
        await _mention(ctx, row["id"], mentioned)
        if mentioned - known:  # an edit is news only to whom it newly names
            await _tell(ctx, subject, row["id"], mentioned - known, bool(row["sealed"]), True)


async def delete(ctx: OrgContext, row: dict[str, Any], subject: Subject) -> None:
    """Your own comment, or any as an admin: its text goes, the row stays ("deleted").
    Deleting it again (a double click) changes nothing."""
    reader = subject.reader(ctx)
    _check_writer(reader)
    if not reader.may_delete(row["author"], deleted=False):
        raise Forbidden(_("You can delete only your own comments."))
    if row["deleted_at"] is not None:
        return
    async with write_transaction():
        await ctx.scope.fetch(q.DELETE, at=now(), person=ctx.person_id, comment=row["id"])
        await ctx.scope.fetch(q.DELETE_MENTIONS, comment=row["id"])
