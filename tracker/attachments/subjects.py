"""What a file can be attached to: a subject named by kind and id, found behind the tenant
wall (another organisation's is a missing one: 404), with the page it belongs to, its
initiative, the items of a subject whose files go to one of its parts (a review's criteria:
gate evidence per criterion) and whether it is permanent (no file added or removed).

Another area adds a kind of subject with ``register(kind, resolver)`` (the comments, at merge:
``register("comment", …)`` from ``tracker/comments``), so this area imports none of theirs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from litestar.exceptions import NotFoundException

from tracker.gates.tables import GateReview, ReviewCriterion
from tracker.i18n import gettext as _
from tracker.labels import phase_label
from tracker.pilots.tables import Pilot
from tracker.problems.tables import Problem
from tracker.sops.tables import SopVersion
from tracker.tenancy import OrgContext


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    title: str  # shown in the breadcrumbs and headings, as the organisation wrote it
    kind_label: str
    url: str  # its page, within the organisation (after /o/<slug>)
    initiative_id: int | None
    permanent: bool = False
    permanent_reason: str = ""
    items: list[tuple[int, str]] = field(default_factory=list)  # e.g. a review's criteria


# (the person's context in the organisation, the subject's id) → the subject, or 404 when it
# does not exist or the person may not see it (a subject's files are seen with it)
Resolver = Callable[[OrgContext, int], Awaitable[Subject]]
RESOLVERS: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    RESOLVERS[kind] = resolver


async def resolve(ctx: OrgContext, kind: str, subject_id: int) -> Subject:
    """The subject, or 404 (an unknown kind, another organisation's row, a missing row, one
    the person may not see)."""
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        raise NotFoundException()
    return await resolver(ctx, subject_id)


async def _review(ctx: OrgContext, review_id: int) -> Subject:
    scope = ctx.scope
    row = await scope.get(
        GateReview,
        review_id,
        GateReview.gate,
        GateReview.status,
        GateReview.initiative,
        GateReview.initiative.name,
    )
    criteria = (
        await scope.select(ReviewCriterion, ReviewCriterion.id, ReviewCriterion.text)
        .where(ReviewCriterion.review == review_id)
        .order_by(ReviewCriterion.position)
    )
    decided = row["status"] == "decided"
    return Subject(
        kind="review",
        id=review_id,
        title=_(
            "%(initiative)s · gate %(gate)s (%(phase)s)",
            initiative=row["initiative.name"],
            gate=row["gate"],
            phase=phase_label(row["gate"]),
        ),
        kind_label=_("Gate review"),
        url=f"/reviews/{review_id}",
        initiative_id=row["initiative"],
        permanent=decided,
        permanent_reason=_(
            "The review is decided: its gate record, with these files, is permanent."
        )
        if decided
        else "",
        items=[(c["id"], c["text"]) for c in criteria],
    )


async def _problem(ctx: OrgContext, problem_id: int) -> Subject:
    scope = ctx.scope
    row = await scope.get(Problem, problem_id, Problem.title, Problem.initiative)
    return Subject(
        kind="problem",
        id=problem_id,
        title=row["title"],
        kind_label=_("Problem"),
        url=f"/problems/{problem_id}",
        initiative_id=row["initiative"],
    )


async def _pilot(ctx: OrgContext, pilot_id: int) -> Subject:
    scope = ctx.scope
    row = await scope.get(Pilot, pilot_id, Pilot.process, Pilot.scope, Pilot.initiative)
    return Subject(
        kind="pilot",
        id=pilot_id,
        title=f"{row['process']} · {row['scope']}",
        kind_label=_("Pilot"),
        url=f"/pilots/{pilot_id}",
        initiative_id=row["initiative"],
    )


async def _sop_version(ctx: OrgContext, version_id: int) -> Subject:
    scope = ctx.scope
    row = await scope.get(
        SopVersion,
        version_id,
        SopVersion.major,
        SopVersion.minor,
        SopVersion.status,
        SopVersion.document.process_name,
        SopVersion.document.number,
        SopVersion.document.initiative,
    )
    published = row["status"] == "published"
    return Subject(
        kind="sop_version",
        id=version_id,
        title=f"{row['document.number']} {row['document.process_name']} "
        f"V{row['major']}.{row['minor']}",
        kind_label=_("SOP version"),
        url=f"/sop-versions/{version_id}",
        initiative_id=row["document.initiative"],
        permanent=published,
        permanent_reason=_("The version is published: it never changes, nor do its files.")
        if published
        else "",
    )


register("review", _review)
register("problem", _problem)
register("pilot", _pilot)
register("sop_version", _sop_version)
