"""What other parts of the app hear about comments: a registration hook, so the comments area
imports nobody who listens (notifications register at start-up; see README, "Comments").

``publish`` is awaited inside the transaction that wrote the comment: a handler that writes
(a notification row) commits or rolls back with it. A handler must not call out to the
network; it should write rows or enqueue a job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# who a comment's notice may go to is decided by the listener; the event carries the facts


@dataclass(frozen=True)
class CommentPosted:
    org_id: int
    comment_id: int
    author_id: int
    subject_kind: str  # initiative | review | problem | risk | pilot | sop_version
    subject_id: int
    url: str  # the subject's page, with the comment's anchor (/o/<org>/problems/7#comment-12)
    owner_ids: tuple[int, ...]  # the subject's owner or requester, the initiative's lead
    follower_ids: tuple[int, ...]  # earlier writers in the thread; a review's reviewers
    mentioned_ids: tuple[int, ...]  # members named with @, the author left out
    # a sealed gate-review comment: reviewers who may not read it until they vote
    hidden_from: tuple[int, ...] = ()
    edited: bool = False  # an edit: mentioned_ids holds only the members newly named
    title: str = ""  # the subject's title, as the organisation wrote it


Handler = Callable[[CommentPosted], Awaitable[None]]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Callable[[], None]:
    """Call ``handler`` with every comment posted (or edited); returns the way to stop."""
    _handlers.append(handler)

    def unsubscribe() -> None:
        if handler in _handlers:
            _handlers.remove(handler)

    return unsubscribe


async def publish(event: CommentPosted) -> None:
    for handler in list(_handlers):
        await handler(event)
