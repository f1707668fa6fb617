"""Live updates end to end: the stream (server-sent events) answers only a signed-in person
and only with their own channels; in two Chromium browsers, A votes and B's bell and B's open
review page show it within two seconds, without a reload, under the strict CSP."""

from __future__ import annotations

import re
import sqlite3
import time

import httpx
import pytest
from playwright.async_api import expect

from tests.conftest import run_cli
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_browser import shot
from tests.e2e.test_gate_browser import PASSWORD, score_and_vote


@pytest.fixture
def demo_server(tmp_path):
    """A server of its own (its demo's one open review is decided by the test)."""
    process, base, url = start_server(tmp_path)
    with sqlite3.connect(tmp_path / "tracker.sqlite3") as db:
        rows = db.execute(
            "SELECT r.id, p.email FROM gate_review r JOIN person p ON p.id = r.requested_by "
            "WHERE r.status = 'open'"
        ).fetchall()
    assert len(rows) == 1, rows
    yield base, url, rows[0][0], rows[0][1]
    stop_server(process)


class Person:
    """A plain HTTP client signed in with the demo's password."""

    def __init__(self, base: str, email: str) -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=10)
        self.token = self._token(self.client.get("/login").text)
        response = self.post("/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text[:300]
        self.token = self._token(self.client.get("/account").text)

    @staticmethod
    def _token(text: str) -> str:
        return re.search(r'name="_csrf_token" value="([^"]+)"', text).group(1)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.client.post(path, data={**data, "_csrf_token": self.token})

    def vote(self, review: int) -> None:
        page = self.client.get(f"/o/demo/reviews/{review}").text
        self.token = self._token(page)
        data = {"vote": "go"}
        for name in set(re.findall(r'name="(score_\d+)"', page)):
            data[name] = "1"  # must-meet: met; should-meet: 1 (valid for both)
        response = self.post(f"/o/demo/reviews/{review}/vote", data)
        assert response.status_code == 303, response.text[:500]


def read_events(response: httpx.Response, wanted: set[str], seconds: float) -> list[str]:
    """The event names the stream sends until each of ``wanted`` came (or time is up)."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    for line in response.iter_lines():
        if line.startswith("event: "):
            seen.append(line.removeprefix("event: "))
        if wanted <= set(seen) or time.monotonic() > deadline:
            break
    return seen


def test_the_stream_needs_a_session_and_carries_only_ones_own_channels(demo_server):
    base, url, review, lead_email = demo_server
    anonymous = httpx.get(f"{base}/o/demo/live", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    run_cli(
        "create-org",
        "--name",
        "Other",
        "--slug",
        "other",
        "--admin-email",
        "boss@other.example.com",
        "--admin-password",
        PASSWORD,
        database_url=url,
    )
    outsider = Person(base, "boss@other.example.com")
    assert outsider.client.get("/o/demo/live").status_code == 404
    assert outsider.client.get(f"/o/other/live?review={review}").status_code == 404

    lead = Person(base, lead_email)
    voter = Person(base, "demo@example.com")
    with (
        lead.client.stream("GET", f"/o/demo/live?review={review}", timeout=10) as mine,
        outsider.client.stream("GET", "/o/other/live", timeout=3) as theirs,
    ):
        assert mine.status_code == 200 and mine.headers["content-type"].startswith(
            "text/event-stream"
        )
        assert mine.headers["cache-control"] == "no-store"
        voter.vote(review)  # decides the review the lead requested
        seen = read_events(mine, {"review", "notifications"}, 5)
        assert {"review", "notifications"} <= set(seen), seen
        # the other organisation's stream hears nothing of it (only its first comment)
        with pytest.raises(httpx.ReadTimeout):
            for line in theirs.iter_lines():
                assert not line.startswith(("event:", "data:")), line


async def test_a_vote_shows_in_another_browser_within_two_seconds(demo_server, browser):
    base, _url, review, lead_email = demo_server
    await a_votes_b_sees(browser, base, base, review, lead_email, "en-1280")


async def signed_in(browser, base: str, email: str):
    """A browser of its own, signed in; strict CSP (no bypass)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{base}/o/demo/")
    return context, page


async def a_votes_b_sees(browser, base_a, base_b, review, lead_email, tag) -> None:
    """B, the lead who requested the review, watches it (served by ``base_b``); A, the demo
    person, casts the deciding vote (served by ``base_a``)."""
    b_context, b = await signed_in(browser, base_b, lead_email)
    await b.goto(f"{base_b}/o/demo/reviews/{review}")
    await expect(b.locator("body")).to_have_attribute("data-live", "open", timeout=10000)
    count = (await b.locator(".bell-count").text_content() or "").strip()
    before = int(count or 0)
    await expect(b.locator("#review-live")).to_contain_text("1 of 3 reviewers have responded.")

    a_context, a = await signed_in(browser, base_a, "demo@example.com")
    await a.goto(f"{base_a}/o/demo/reviews/{review}")
    await score_and_vote(a, "Go")
    voted = time.monotonic()

    await expect(b.locator("#review-live")).to_contain_text(
        "2 of 3 reviewers have responded.", timeout=2000
    )
    await expect(b.locator(".bell-count")).to_have_text(str(before + 1), timeout=2000)
    assert time.monotonic() - voted < 2.5
    await expect(b.locator("#review-tally")).to_contain_text("Demo Admin")
    await expect(b.locator("#review-live")).to_contain_text("This review has moved on")
    await shot(b, f"live-review-after-remote-vote-{tag}")
    # the bell leads to the centre, and opening the notification goes to the review
    await b.locator("a.bell").click()
    await expect(b.get_by_role("heading", name="Notifications")).to_be_visible()
    await b.get_by_role("link", name=re.compile("Decided:")).first.click()
    await b.wait_for_url(f"{base_b}/o/demo/reviews/{review}")
    await expect(b.locator(".bell-count")).to_have_text(str(before) if before else "")
    await a_context.close()
    await b_context.close()
