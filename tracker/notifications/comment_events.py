"""Comments tell people (tracker.comments.events): the members named in a comment are told
they were mentioned, the subject's owners and the thread's followers that there is a new
comment, each once (the key names the comment), as they chose."""

from __future__ import annotations

from tracker.comments.events import CommentPosted
from tracker.notifications import rules
from tracker.notifications.rules import Kind
from tracker.notifications.service import notify


async def comment_posted(event: CommentPosted) -> None:
    named, others = rules.comment_recipients(
        event.owner_ids, event.follower_ids, event.mentioned_ids, event.hidden_from
    )
    common = dict(
        actor_id=event.author_id,
        subject_kind="comment",
        subject_id=event.comment_id,
        url=event.url,
        title=event.title,
    )
    await notify(
        event.org_id,
        kind=Kind.MENTIONED,
        recipients=named,
        key=f"mentioned:comment:{event.comment_id}",
        **common,  # type: ignore[arg-type]
    )
    if not event.edited:  # an edit tells only the members it newly names
        await notify(
            event.org_id,
            kind=Kind.COMMENT,
            recipients=others,
            key=f"comment:comment:{event.comment_id}",
            **common,  # type: ignore[arg-type]
        )
