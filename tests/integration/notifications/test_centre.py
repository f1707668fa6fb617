"""The centre under the bell, the bell's count, marking read, and the preferences page."""

from __future__ import annotations

import itertools

from tests.integration.notifications.helpers import told
from tracker.db import count_queries
from tracker.notifications import Kind, notify
from tracker.notifications.tables import Notification, NotificationPreference

_n = itertools.count(1)


async def tell(world, org, role="member", kind=Kind.MENTIONED, title="Order handling") -> int:
    n = next(_n)
    await notify(
        org.id,
        kind=kind,
        recipients=[org.people[role]],
        actor_id=org.people["lead"] if role != "lead" else org.people["admin"],
        subject_kind="review",
        subject_id=1000 + n,
        url=f"/o/{org.slug}/reviews/{1000 + n}",
        key=f"centre-test:{world.backend}:{n}",
        title=title,
    )
    rows = await told(org.people[role], kind, 1000 + n)
    return int(rows[0]["id"])


async def unread(org, role) -> int:
    return await Notification.count().where(
        Notification.org == org.id,
        Notification.person == org.people[role],
        Notification.read_at.is_null(),
    )


async def test_the_bell_counts_unread_and_the_centre_lists_them_by_day(world):
    org = world.a
    first = await tell(world, org, title="Complaint handling <b>v2</b>")
    await tell(world, org, title="Order handling")
    count = await unread(org, "member")
    async with world.client(org, "member") as client:
        board = await client.get("/o/alpha/")
        centre = await client.get("/o/alpha/notifications")
        bell = await client.get("/o/alpha/notifications/bell")
    assert f'<span class="bell-count" aria-hidden="true">{count}</span>' in board.text
    assert f"{count} unread notifications" in board.text
    assert centre.status_code == 200
    assert "You were mentioned: Complaint handling &lt;b&gt;v2&lt;/b&gt;" in centre.text
    assert f"/o/alpha/notifications/{first}/open" in centre.text
    assert '<h2 class="day">' in centre.text and "Lead of alpha" in centre.text
    assert bell.status_code == 200 and f">{count}</span>" in bell.text
    assert 'hx-trigger="sse:notifications, livepoll"' in bell.text


async def test_opening_marks_read_and_goes_straight_to_the_thing(world):
    org = world.a
    one = await tell(world, org)
    before = await unread(org, "member")
    async with world.client(org, "member") as client:
        opened = await client.get(f"/o/alpha/notifications/{one}/open")
        assert opened.status_code == 303
        assert opened.headers["location"].startswith("/o/alpha/reviews/")
        assert await unread(org, "member") == before - 1
        again = await client.get(f"/o/alpha/notifications/{one}/open")
        assert again.status_code == 303  # still links to the thing, already read
        other = await tell(world, org)
        marked = await client.post(f"/o/alpha/notifications/{other}/read")
        assert marked.status_code == 303
        assert await unread(org, "member") == before - 1
        await tell(world, org)
        done = await client.post("/o/alpha/notifications/read-all")
        assert done.status_code == 303
        assert await unread(org, "member") == 0
        page = await client.get("/o/alpha/notifications")
    assert "Mark all as read" not in page.text


async def test_a_person_sees_only_their_own_in_their_organisation(world):
    org = world.a
    mine = await tell(world, org, role="committee")
    async with world.client(org, "viewer") as viewer:  # another person of the organisation
        for response in (
            await viewer.get(f"/o/alpha/notifications/{mine}/open"),
            await viewer.post(f"/o/alpha/notifications/{mine}/read"),
        ):
            assert response.status_code == 404
        own = await viewer.get("/o/alpha/notifications")
        assert own.status_code == 200 and f"/notifications/{mine}/" not in own.text
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get("/o/alpha/notifications")).status_code == 404
        assert (await outsider.get("/o/alpha/notifications/bell")).status_code == 404
        assert (await outsider.get(f"/o/beta/notifications/{mine}/open")).status_code == 404
        assert (await outsider.post(f"/o/beta/notifications/{mine}/read")).status_code == 404
    async with world.client() as anonymous:
        response = await anonymous.get("/o/alpha/notifications")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert (await told(org.people["committee"], Kind.MENTIONED))[-1]["read_at"] is None


async def test_every_role_reads_and_marks_its_own(world):
    org = world.a
    for role in ("admin", "lead", "committee", "member", "viewer"):
        one = await tell(world, org, role=role)
        async with world.client(org, role) as client:
            assert (await client.get("/o/alpha/notifications")).status_code == 200
            assert (await client.post(f"/o/alpha/notifications/{one}/read")).status_code == 303


async def test_the_bell_costs_no_query_of_its_own(world):
    org = world.a
    await tell(world, org, role="lead")
    async with world.client(org, "lead") as client:
        await client.get("/o/alpha/notifications/bell")  # warm
        with count_queries() as counted:
            bell = await client.get("/o/alpha/notifications/bell")
        # the person and their memberships (with the count): 1 behind the wall, 2 without
        assert counted.count == (1 if world.backend == "postgres" else 2), counted.statements
        assert bell.status_code == 200 and 'class="bell unread"' in bell.text


async def test_preferences_per_kind_are_saved_and_bad_values_come_back(world):
    org = world.a
    async with world.client(org, "viewer") as client:
        page = await client.get("/account/notifications")
        assert page.status_code == 200
        assert "A review asks for your vote" in page.text and "Org alpha" in page.text
        assert 'name="vote_requested" value="immediate"' in page.text
        saved = await client.post(
            "/account/notifications",
            data={"org": str(org.id), "comment": "off", "vote_requested": "digest"},
        )
        assert saved.status_code == 303
        rows = await NotificationPreference.select().where(
            NotificationPreference.person == org.people["viewer"]
        )
        assert {(r["kind"], r["channel"]) for r in rows} == {
            ("comment", "off"),
            ("vote_requested", "digest"),
        }
        bad = await client.post(
            "/account/notifications", data={"org": str(org.id), "comment": "sometimes"}
        )
        assert bad.status_code == 422 and "Choose one of the offered ways." in bad.text
        assert 'aria-invalid="true"' in bad.text
        elsewhere = await client.post(
            "/account/notifications", data={"org": str(world.b.id), "comment": "off"}
        )
        assert elsewhere.status_code == 404  # not a member of that organisation
        account = await client.get("/account")
        assert 'href="/account/notifications"' in account.text
    await NotificationPreference.delete().where(
        NotificationPreference.person == org.people["viewer"]
    )
