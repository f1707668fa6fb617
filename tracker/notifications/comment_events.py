"""Comments tell people (tracker.comments.events): the members named in a comment are told
they were mentioned, the subject's owners and the thread's followers that there is a new
comment, each once (the key names the comment), as they chose."""

from __future__ import annotations

from typing import Protocol

from tracker.notifications import rules
from tracker.notifications.rules import Kind
from tracker.notifications.service import notify


class CommentPosted(Protocol):
    """What a posted comment tells (tracker.comments.events.CommentPosted, which this area
    does not import: the comments import areas that tell people)."""

    @property
    def org_id(self) -> int: ...
    @property
    def comment_id(self) -> int: ...
    @property
    def author_id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def edited(self) -> bool: ...
    @property
    def owner_ids(self) -> tuple[int, ...]: ...
    @property
    def follower_ids(self) -> tuple[int, ...]: ...
    @property
    def mentioned_ids(self) -> tuple[int, ...]: ...
    @property
    def hidden_from(self) -> tuple[int, ...]: ...


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
