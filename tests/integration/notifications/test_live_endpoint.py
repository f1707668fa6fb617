"""The live stream's door (both databases; the stream itself: tests/e2e/test_live_browser.py):
a session is needed, another organisation's stream or review is a missing page, and HEAD
answers the headers without holding the connection."""

from __future__ import annotations

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review


async def test_the_stream_needs_a_member_and_a_review_of_the_organisation(world):
    org = world.a
    review = await open_review(world, org, await make_initiative(org, phase=2))
    async with world.client() as anonymous:
        response = await anonymous.get("/o/alpha/live")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.head("/o/alpha/live")).status_code == 404
        assert (await outsider.head(f"/o/beta/live?review={review}")).status_code == 404
        assert (await outsider.head("/o/beta/live?review=99999999999")).status_code in (400, 404)
    async with world.client(org, "viewer") as member:
        response = await member.head(f"/o/alpha/live?review={review}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
