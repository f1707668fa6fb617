"""The things a thread hangs on: an initiative, a gate review, a problem, a risk, a pilot or an
SOP version of the organisation, each read in one query (404 when it is not the
organisation's), with what the thread needs to know about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.comments import rules
from tracker.db import fetch
from tracker.tenancy import MAX_ID, OrgContext

_INITIATIVE = 'i.id AS "initiative", i.process_code AS "code", i.owner AS "lead"'
SQL = {
    "initiative": f"SELECT i.name AS title, NULL AS owner, NULL AS status, {_INITIATIVE} "
    "FROM initiative i WHERE i.org = {} AND i.id = {}",
    "problem": f"SELECT s.title, s.owner, NULL AS status, {_INITIATIVE} FROM problem s "
    "JOIN initiative i ON i.id = s.initiative WHERE s.org = {} AND s.id = {}",
    "risk": f"SELECT s.description AS title, s.owner, NULL AS status, {_INITIATIVE} FROM risk s "
    "JOIN initiative i ON i.id = s.initiative WHERE s.org = {} AND s.id = {}",
    "pilot": f"SELECT s.process AS title, NULL AS owner, NULL AS status, {_INITIATIVE} "
    "FROM pilot s JOIN initiative i ON i.id = s.initiative WHERE s.org = {} AND s.id = {}",
    "sop_version": f"SELECT d.process_name AS title, s.major, s.minor, s.author AS owner, "
    f"NULL AS status, {_INITIATIVE} FROM sop_version s "
    "JOIN sop_document d ON d.id = s.document JOIN initiative i ON i.id = d.initiative "
    "WHERE s.org = {} AND s.id = {}",
    "review": f"SELECT s.gate, s.requested_by AS owner, s.status, {_INITIATIVE}, "
    "(SELECT COUNT(*) FROM review_assignment a WHERE a.org = s.org AND a.review = s.id "
    "AND a.reviewer = {}) AS is_reviewer, "
    "(SELECT COUNT(*) FROM gate_vote v WHERE v.org = s.org AND v.review = s.id "
    "AND v.reviewer = {}) AS has_voted "
    "FROM gate_review s JOIN initiative i ON i.id = s.initiative WHERE s.org = {} AND s.id = {}",
}


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
    if kind not in SQL or not 0 < subject_id <= MAX_ID:
        raise NotFoundException()
    values: tuple[int, ...] = (ctx.org_id, subject_id)
    if kind == "review":
        values = (ctx.person_id, ctx.person_id, *values)
    rows = await fetch(SQL[kind], *values)
    if not rows:
        raise NotFoundException()
    return Subject(kind, subject_id, ctx.slug, dict(rows[0]))
