"""Calendar feeds: make, reset and stop a feed; find the feed of a token; gather its events.

A feed is read without a session: its token is the credential. Behind the tenant wall the
feed's own row is found by the hash of its token (a policy of its own, as the API tokens);
then the wall is set to that feed's organisation and person, so nothing of another
organisation can be read. The person must still be a member (an organisation feed: still an
admin), else the feed answers as if it did not exist.

Events, in a fixed number of queries whatever their number:
- a person's feed: the open reviews waiting for their vote (on the review's due date), the
  open conditions they own (on their due date), the planned ends of the phases not yet ended of
  the active initiatives they own;
- an organisation's feed: every review not yet decided, every open condition, every such
  phase end of every active initiative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.accounts.rules import Role
from tracker.calendar import queries as q
from tracker.calendar import rules
from tracker.calendar.rules import EventSpec
from tracker.calendar.tables import CalendarFeed
from tracker.db import set_local, tenant_wall
from tracker.i18n import gettext as _
from tracker.labels import phase_label
from tracker.sql import fetch_unscoped
from tracker.tenancy import OrgContext, TenantScope

USED_GRANULARITY = timedelta(hours=1)  # last fetch time: written at most once an hour


@dataclass(frozen=True)
class Feed:
    id: int
    org_id: int
    slug: str
    org_name: str
    person_id: int
    kind: str
    language: str | None
    zone: str


async def feeds_of(ctx: OrgContext) -> dict[str, dict[str, Any]]:
    rows = await ctx.scope.select(
        CalendarFeed, CalendarFeed.kind, CalendarFeed.created_at, CalendarFeed.last_used_at
    ).where(CalendarFeed.person == ctx.person_id)
    return {r["kind"]: r for r in rows}


async def reset(ctx: OrgContext, kind: str) -> str:
    """A new secret address for the person's feed of ``kind``; the old one stops at once.
    Returns the token (shown once, never stored)."""
    token = rules.new_token()
    # one statement, so two resets at once (a double click) leave one row, the later one's
    await ctx.scope.fetch(
        q.RESET,
        person=ctx.person_id,
        kind=kind,
        hash=rules.token_hash(token),
        at=datetime.now(UTC),
    )
    return token


async def stop(ctx: OrgContext, kind: str) -> None:
    await ctx.scope.delete(
        CalendarFeed, CalendarFeed.person == ctx.person_id, CalendarFeed.kind == kind
    )


async def feed_for_token(token: str) -> Feed | None:
    digest = rules.token_hash(token)
    await set_local("app.calendar_token", digest)  # the wall lets this one row through
    rows = await fetch_unscoped(q.FEED_OF_TOKEN, hash=digest)
    if not rows:
        return None
    row = rows[0]
    if tenant_wall():  # from here on, the feed's organisation and person only
        await fetch_unscoped(
            q.WALL_OF_FEED, org_text=str(row["org"]), person_text=str(row["person"])
        )
    scope = TenantScope(row["org"])
    members = await scope.fetch(q.READER, person=row["person"])
    if not members or (row["kind"] == "org" and members[0]["role"] != Role.ADMIN):
        return None
    member = members[0]
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] > USED_GRANULARITY:
        await scope.fetch(q.USED, at=now, feed=row["id"])
    return Feed(
        id=row["id"],
        org_id=row["org"],
        slug=member["slug"],
        org_name=member["org_name"],
        person_id=row["person"],
        kind=row["kind"],
        language=member["language"],
        zone=member["my_zone"] or member["org_zone"] or "UTC",
    )


def _label(row: dict[str, Any]) -> str:
    return f"{row['process_code']} {row['name']}"


async def _reviews(feed: Feed, base: str) -> list[EventSpec]:
    mine = feed.kind == "person"
    rows = await TenantScope(feed.org_id).fetch(q.REVIEWS, person=feed.person_id if mine else None)
    return [
        EventSpec(
            kind="review",
            row_id=r["id"],
            day=r["due_date"],
            summary=_(
                "Your vote is due: gate %(n)s review of %(initiative)s",
                n=r["gate"],
                initiative=_label(r),
            )
            if mine
            else _("Gate %(n)s decision due: %(initiative)s", n=r["gate"], initiative=_label(r)),
            description=_("Gate review: end of %(phase)s", phase=phase_label(r["gate"])),
            url=f"{base}/o/{feed.slug}/reviews/{r['id']}",
            modified=rules.latest(r["requested_at"]),
            categories=(_("Gate review"),),
        )
        for r in rows
    ]


async def _conditions(feed: Feed, base: str) -> list[EventSpec]:
    mine = feed.kind == "person"
    rows = await TenantScope(feed.org_id).fetch(
        q.CONDITIONS, person=feed.person_id if mine else None
    )
    return [
        EventSpec(
            kind="condition",
            row_id=r["id"],
            day=r["due_date"],
            summary=_("Condition due: %(text)s", text=r["text"][:120]),
            description=_label(r) + "\n" + r["text"],
            url=f"{base}/o/{feed.slug}/initiatives/{r['initiative']}#conditions-h",
            modified=rules.latest(r["decided_at"], r["replanned_at"]),
            sequence=int(r["replans"] or 0),
            categories=(_("Condition"),),
        )
        for r in rows
    ]


async def _phase_ends(feed: Feed, base: str) -> list[EventSpec]:
    mine = feed.kind == "person"
    rows = await TenantScope(feed.org_id).fetch(
        q.PHASE_ENDS, person=feed.person_id if mine else None
    )
    return [
        EventSpec(
            kind="phase",
            row_id=r["id"],
            day=r["planned_end"],
            summary=_(
                "Planned end of %(phase)s: %(initiative)s",
                phase=phase_label(r["number"]),
                initiative=_label(r),
            ),
            description=_(
                "Gate %(n)s: end of %(phase)s", n=r["number"], phase=phase_label(r["number"])
            ),
            url=f"{base}/o/{feed.slug}/initiatives/{r['initiative']}",
            modified=rules.latest(r["created_at"], r["decided_at"]),
            sequence=int(r["decisions"] or 0),
            categories=(_("Phase"),),
        )
        for r in rows
    ]


async def events(feed: Feed, base: str) -> list[EventSpec]:
    return [
        *await _reviews(feed, base),
        *await _conditions(feed, base),
        *await _phase_ends(feed, base),
    ]
