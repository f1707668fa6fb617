"""Pure rules of discussion threads: who writes, who edits or deletes what and until when,
which comments a gate reviewer may read yet, and where a ``@name`` mentions a member."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.accounts.rules import Role

EDIT_WINDOW = timedelta(minutes=15)
MAX_BODY = 10_000  # characters of Markdown
WRITERS = frozenset({Role.ADMIN, Role.LEAD, Role.COMMITTEE, Role.MEMBER})
OPEN_REVIEW_STATES = ("open", "awaiting_chair", "approving")

# subject kind → the path of its page under /o/<org>/ (the thread is that path + /comments)
SUBJECT_PATHS = {
    "initiative": "initiatives",
    "review": "reviews",
    "problem": "problems",
    "risk": "risks",
    "pilot": "pilots",
    "sop_version": "sop-versions",
}


def subject_path(kind: str, subject_id: int) -> str:
    return f"{SUBJECT_PATHS[kind]}/{subject_id}"


def may_write(role: str) -> bool:
    """Viewers read threads; team members and above write."""
    return role in WRITERS


def thread_open(kind: str, review_status: str | None) -> bool:
    """A gate review's thread closes with the review (decided, or withdrawn): from then on it
    is part of the gate record. Every other thread stays open."""
    return kind != "review" or review_status in OPEN_REVIEW_STATES


@dataclass(frozen=True)
class Reader:
    """Who reads a thread, and where they stand in it."""

    person_id: int
    role: str
    is_open: bool  # the thread takes comments (see thread_open)
    is_reviewer: bool = False  # assigned to the gate review whose thread this is
    has_voted: bool = False

    @property
    def writes(self) -> bool:
        return self.is_open and may_write(self.role)

    def may_edit(
        self, author: int | None, created_at: datetime, deleted: bool, now: datetime
    ) -> bool:
        """Your own comment, for 15 minutes after you wrote it."""
        return (
            self.writes
            and not deleted
            and author == self.person_id
            and now - created_at <= EDIT_WINDOW
        )

    def may_delete(self, author: int | None, deleted: bool) -> bool:
        """Your own comment, any time the thread is open; an admin any comment."""
        return self.writes and not deleted and (author == self.person_id or self.role == Role.ADMIN)

    def reads(self, author: int | None, sealed: bool) -> bool:
        """The gate review page's rule for scores, applied to comments: a reviewer who has not
        voted yet reads no other reviewer's comment (made while the review was open) until
        they vote; everyone else — the lead, viewers, reviewers who voted — reads them all,
        and everyone once the review is decided."""
        if not sealed or author == self.person_id or not self.is_open:
            return True
        return not self.is_reviewer or self.has_voted


def sealed_when_written(kind: str, author_is_reviewer: bool, is_open: bool) -> bool:
    """A reviewer's comment on an open review is sealed from the reviewers who have not voted.

    Stricter than "comments made before the author voted": a comment after one's own vote
    would otherwise tell the others how one voted, which the review page keeps from them
    until they vote."""
    return kind == "review" and author_is_reviewer and is_open


# --- mentions -------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9_]")


@dataclass(frozen=True)
class Mention:
    start: int  # index of the "@"
    end: int  # index after the name
    person_ids: tuple[int, ...]


def _boundary_before(text: str, at: int) -> bool:
    return at == 0 or not (_WORD.match(text[at - 1]) or text[at - 1] in ".-+")


def _boundary_after(text: str, end: int) -> bool:
    return end >= len(text) or not _WORD.match(text[end])


def name_index(members: Iterable[tuple[int, str]]) -> dict[str, tuple[int, ...]]:
    """Members' names (lower case) → their ids; a name two members share mentions both."""
    index: dict[str, list[int]] = {}
    for person_id, name in members:
        key = name.strip().lower()
        if key:
            index.setdefault(key, []).append(person_id)
    return {name: tuple(ids) for name, ids in index.items()}


def find_mentions(text: str, names: Mapping[str, tuple[int, ...]]) -> list[Mention]:
    """Each ``@name`` in ``text`` naming a member: the longest member name that follows the
    "@" and ends at a word boundary ("@Ann" is not Anne; "@王伟 你好" is 王伟). An "@" inside a
    word (an e-mail address) mentions nobody, nor does a name of no member."""
    if "@" not in text or not names:
        return []
    by_length = sorted(names, key=len, reverse=True)
    found: list[Mention] = []
    at = text.find("@")
    while at != -1:
        hit = None
        if _boundary_before(text, at):
            for name in by_length:
                end = at + 1 + len(name)
                if text[at + 1 : end].lower() == name and _boundary_after(text, end):
                    hit = Mention(at, end, names[name])
                    break
        at = text.find("@", hit.end if hit else at + 1)
        if hit:
            found.append(hit)
    return found


def member_matches(
    members: Iterable[tuple[int, str]], query: str, limit: int = 8
) -> list[tuple[int, str]]:
    """Members whose name starts with ``query`` first, then those with a word starting with it,
    then those containing it; case-insensitive; by name."""
    q = query.strip().casefold()
    ranked = []
    for person_id, name in members:
        folded = name.casefold()
        if folded.startswith(q):
            rank = 0
        elif any(part.startswith(q) for part in folded.split()):
            rank = 1
        elif q in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, folded, person_id, name))
    ranked.sort()
    return [(person_id, name) for _, _, person_id, name in ranked[:limit]]
