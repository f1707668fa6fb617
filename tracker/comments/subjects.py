"""The things a thread hangs on: an initiative, a gate review, a problem, a risk, a pilot or an
SOP version of the organisation, each read in one query (404 when it is not the
organisation's), with what the thread needs to know about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.comments import rules
from tracker.comments.queries import SUBJECTS
from tracker.tenancy import MAX_ID, OrgContext


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    slug: str
    row: dict[str, Any]

    @property
    def url(self) -> str:
        """The subject's page; its thread is at ``url + "/comments"``."""
        return f"/o/{self.slug}/{rules.subject_path(self.kind, self.id)}"

    @property
    def thread_url(self) -> str:
        return f"{self.url}/comments"

    @property
    def is_open(self) -> bool:
        return rules.thread_open(self.kind, self.row["status"])

    @property
    def owner_ids(self) -> tuple[int, ...]:
        """The subject's owner (problem, risk), author (SOP version) or requester (review),
        and the initiative's lead."""
        ids = (self.row["owner"], self.row["lead"])
        return tuple(dict.fromkeys(i for i in ids if i))

    def reader(self, ctx: OrgContext) -> rules.Reader:
        return rules.Reader(
            person_id=ctx.person_id,
            role=ctx.role,
            is_open=self.is_open,
            is_reviewer=bool(self.row.get("is_reviewer")),
            has_voted=bool(self.row.get("has_voted")),
        )


async def load(ctx: OrgContext, kind: str, subject_id: int) -> Subject:
    """The subject of the organisation, or 404."""
    if kind not in SUBJECTS or not 0 < subject_id <= MAX_ID:
        raise NotFoundException()
    values = {"person": ctx.person_id} if kind == "review" else {}
    rows = await ctx.scope.fetch(SUBJECTS[kind], id=subject_id, **values)
    if not rows:
        raise NotFoundException()
    return Subject(kind, subject_id, ctx.slug, dict(rows[0]))
