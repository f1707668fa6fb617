"""Calendar feeds (issue 20): each person's secret ICS address with the reviews waiting for
their vote, the conditions they own and the planned phase ends of the initiatives they lead;
an organisation feed for admins; stable UIDs; a reset address makes the old one 404; nothing
of another organisation ever appears."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review
from tracker.calendar.tables import CalendarFeed
from tracker.gates.tables import Condition, GateReview, ReviewAssignment, Vote
from tracker.initiatives.tables import Initiative, Phase

ROLES = ("admin", "lead", "committee", "member", "viewer")
URL = re.compile(r'<code id="feed-url">[^<]*(/calendar/cal_[A-Za-z0-9_-]+\.ics)</code>')


async def new_feed(world, org, role, kind="person") -> str:
    """Make (or reset) the feed; the path of its address, shown once."""
    async with world.client(org, role) as client:
        response = await client.post(
            f"/o/{org.slug}/calendar{'' if kind == 'person' else '/org'}/reset"
        )
    assert response.status_code == 200, response.text[:2000]
    return URL.search(response.text).group(1)


async def fetch_feed(world, path):
    async with world.client() as anonymous:  # no session: the token is the credential
        return await anonymous.get(path)


async def events_of(world, path) -> dict[str, object]:
    response = await fetch_feed(world, path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def ids(events, kind) -> set[int]:
    return {int(uid.split("@")[0].split("-")[1]) for uid in events if uid.startswith(kind + "-")}


async def test_a_persons_feed_holds_what_concerns_them_only(world):
    org = world.a
    due = date.today() + timedelta(days=9)
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative, due_date=due.isoformat())
    # a decided review with a condition owned by the committee member
    other = await make_initiative(org, phase=3)
    decided = await open_review(world, org, other)
    condition_due = date.today() + timedelta(days=12)
    await cast(world, org, "committee", decided, "go")
    await cast(
        world,
        org,
        "admin",
        decided,
        "go_conditions",
        condition_0="Sign the pilot budget",
        condition_owner_0=str(org.people["committee"]),
        condition_due_0=condition_due.isoformat(),
    )
    condition = await Condition.select(Condition.id).where(Condition.initiative == other).first()

    committee = await events_of(world, await new_feed(world, org, "committee"))
    uid = next(u for u in committee if u.startswith(f"review-{review}@"))
    event = committee[uid]
    assert event.decoded("DTSTART") == due and event.decoded("DTEND") == due + timedelta(days=1)
    assert event["DTSTART"].params.get("VALUE") == "DATE"  # an all-day event
    assert "Initiative" in str(event["SUMMARY"]) and f"/o/alpha/reviews/{review}" in event["URL"]
    assert f"condition-{condition['id']}@" in " ".join(committee)
    assert committee[next(u for u in committee if u.startswith("condition-"))].decoded(
        "DTSTART"
    ) in {condition_due} | {
        r["due_date"]
        for r in await Condition.select(Condition.due_date).where(
            Condition.owner == org.people["committee"]
        )
    }
    # only what concerns the committee member: reviews awaiting their vote, their conditions
    me = org.people["committee"]
    for review_id in ids(committee, "review"):
        assert await ReviewAssignment.exists().where(
            ReviewAssignment.review == review_id, ReviewAssignment.reviewer == me
        )
        assert not await Vote.exists().where(Vote.review == review_id, Vote.reviewer == me)
        row = await GateReview.select(GateReview.status).where(GateReview.id == review_id).first()
        assert row["status"] == "open"
    for condition_id in ids(committee, "condition"):
        row = await Condition.select(Condition.owner).where(Condition.id == condition_id).first()
        assert row["owner"] == me
    assert not ids(committee, "phase")  # the committee member leads no initiative

    lead = await events_of(world, await new_feed(world, org, "lead"))
    assert not ids(lead, "review")  # never a reviewer
    phase_ids = ids(lead, "phase")
    assert phase_ids
    for phase_id in phase_ids:
        row = (
            await Phase.select(Phase.initiative.owner, Phase.actual_end)
            .where(Phase.id == phase_id)
            .first()
        )
        assert row["initiative.owner"] == org.people["lead"] and row["actual_end"] is None
    current = (
        await Initiative.select(Initiative.current_phase).where(Initiative.id == initiative).first()
    )
    assert current["current_phase"] in phase_ids

    # once the committee member votes, the review leaves their feed
    await cast(world, org, "committee", review, "go")
    committee = await events_of(world, await new_feed(world, org, "committee"))
    assert review not in ids(committee, "review")


async def test_a_second_fetch_has_the_same_uids_and_answers_304_when_unchanged(world):
    initiative = await make_initiative(world.a, phase=2)
    await open_review(world, world.a, initiative)
    path = await new_feed(world, world.a, "committee")
    first = await fetch_feed(world, path)
    second = await fetch_feed(world, path)
    one = Calendar.from_ical(first.content)
    two = Calendar.from_ical(second.content)
    assert [str(e["UID"]) for e in one.walk("VEVENT")] == [
        str(e["UID"]) for e in two.walk("VEVENT")
    ]
    assert first.content == second.content  # DTSTAMP is the last change, not the fetch time
    for event in one.walk("VEVENT"):
        assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED")
        assert "SEQUENCE" in event
    assert one["VERSION"] == "2.0" and one["PRODID"]
    async with world.client() as anonymous:
        again = await anonymous.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_a_reset_address_makes_the_old_one_404(world):
    old = await new_feed(world, world.a, "member")
    assert (await fetch_feed(world, old)).status_code == 200
    new = await new_feed(world, world.a, "member")
    assert new != old
    assert (await fetch_feed(world, old)).status_code == 404
    assert (await fetch_feed(world, new)).status_code == 200
    async with world.client(world.a, "member") as client:
        stopped = await client.post("/o/alpha/calendar/stop")
    assert stopped.status_code == 303
    assert (await fetch_feed(world, new)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/nothing",
        "/calendar/cal_" + "A" * 43 + ".ics",
        "/calendar/cal_short.ics",
        "/calendar/cal_" + "%27" * 20 + ".ics",
    ],
)
async def test_unknown_addresses_answer_404(world, path):
    assert (await fetch_feed(world, path)).status_code == 404


async def test_another_organisations_events_never_appear(world):
    secret = await make_initiative(world.b, phase=2, name="Beta secret initiative")
    beta_review = await open_review(world, world.b, secret)
    alpha_initiative = await make_initiative(world.a, phase=2)
    alpha_review = await open_review(world, world.a, alpha_initiative)
    beta_phases = {r["id"] for r in await Phase.select(Phase.id).where(Phase.org == world.b.id)}
    beta_conditions = {
        r["id"] for r in await Condition.select(Condition.id).where(Condition.org == world.b.id)
    }
    for role, kind in (("admin", "org"), ("admin", "person"), ("committee", "person")):
        path = await new_feed(world, world.a, role, kind)
        response = await fetch_feed(world, path)
        assert "Beta secret" not in response.text and "/o/beta/" not in response.text
        events = await events_of(world, path)
        assert beta_review not in ids(events, "review")
        assert not ids(events, "phase") & beta_phases
        assert not ids(events, "condition") & beta_conditions
    org_feed = await events_of(world, await new_feed(world, world.a, "admin", "org"))
    assert alpha_review in ids(org_feed, "review")
    assert ids(org_feed, "phase")  # every active initiative's planned phase ends
    beta_feed = await events_of(world, await new_feed(world, world.b, "admin", "org"))
    assert beta_review in ids(beta_feed, "review") and alpha_review not in ids(beta_feed, "review")


@pytest.mark.parametrize("role", ROLES)
async def test_roles(world, role):
    """Every role has its own feed; only admins have the organisation's."""
    path = await new_feed(world, world.a, role)
    assert (await fetch_feed(world, path)).status_code == 200
    async with world.client(world.a, role) as client:
        page = await client.get("/o/alpha/calendar")
        org_reset = await client.post("/o/alpha/calendar/org/reset")
    assert page.status_code == 200 and "/o/alpha/calendar/reset" in page.text
    if role == "admin":
        assert org_reset.status_code == 200 and "/o/alpha/calendar/org/reset" in page.text
    else:
        assert org_reset.status_code == 403
        assert "/o/alpha/calendar/org/reset" not in page.text


async def test_an_org_feed_stops_when_its_admin_is_no_longer_one(world):
    path = await new_feed(world, world.a, "admin", "org")
    assert (await fetch_feed(world, path)).status_code == 200
    from tracker.accounts.tables import Membership

    await Membership.update({Membership.role: "committee"}).where(
        Membership.org == world.a.id, Membership.person == world.a.people["admin"]
    )
    try:
        assert (await fetch_feed(world, path)).status_code == 404
    finally:
        await Membership.update({Membership.role: "admin"}).where(
            Membership.org == world.a.id, Membership.person == world.a.people["admin"]
        )


async def test_outsiders_get_404(world):
    async with world.client(world.b, "admin") as client:
        assert (await client.get("/o/alpha/calendar")).status_code == 404
        assert (await client.post("/o/alpha/calendar/reset")).status_code == 404
        assert (await client.post("/o/alpha/calendar/org/reset")).status_code == 404
    assert not await CalendarFeed.exists().where(
        CalendarFeed.org == world.a.id, CalendarFeed.person == world.b.people["admin"]
    )


async def test_the_account_page_resets_a_feed(world):
    async with world.client(world.a, "viewer") as client:
        page = await client.get("/account")
    assert "/o/alpha/calendar/reset" in page.text


async def test_a_feed_makes_a_fixed_number_of_queries(world):
    from tracker.db import count_queries

    path = await new_feed(world, world.a, "admin", "org")

    async def queries() -> int:
        with count_queries() as counter:
            response = await fetch_feed(world, path)
        assert response.status_code == 200
        return counter.count

    await queries()  # the first fetch records its time (once an hour)
    before = await queries()
    for _ in range(6):
        await open_review(world, world.a, await make_initiative(world.a, phase=2))
    after = await queries()
    assert before == after, (before, after)
    print(f"\nfeed queries ({world.backend}): {before}")


async def test_a_double_clicked_reset_leaves_one_working_address(world):
    import asyncio

    async def reset():
        async with world.client(world.a, "lead") as client:
            return await client.post("/o/alpha/calendar/reset")

    responses = await asyncio.gather(*(reset() for _ in range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    assert (
        await CalendarFeed.count().where(
            CalendarFeed.org == world.a.id,
            CalendarFeed.person == world.a.people["lead"],
            CalendarFeed.kind == "person",
        )
        == 1
    )
    working = [
        path
        for r in responses
        if (await fetch_feed(world, path := URL.search(r.text).group(1))).status_code == 200
    ]
    assert len(working) == 1
