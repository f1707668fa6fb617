"""Live updates across replicas: two web processes as deployed (PostgreSQL behind the tenant
wall, Redis), A's browser served by one, B's by the other; A's vote reaches B's open review
page and B's bell through Redis pub/sub within two seconds, and again after B's stream is
dropped and reconnects."""

from __future__ import annotations

import os
import time

import asyncpg
import pytest
import pytest_asyncio
from playwright.async_api import expect

from tests.conftest import (
    PG_URL,
    REDIS_URL,
    drop_postgres,
    fresh_postgres,
    need,
    reachable,
    run_cli,
)
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.test_gate_browser import score_and_vote
from tests.e2e.test_live_browser import a_votes_b_sees, signed_in
from tests.processes import free_port
from tests.replicas.stack import Stack, compose_command

LIVE_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"  # a database (and channels) of its own


@pytest_asyncio.fixture
async def chromium(chromium_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture
async def two_replicas(tmp_path):
    need("PostgreSQL", reachable(PG_URL, 5432))
    need("Redis", reachable(LIVE_REDIS_URL, 6379))
    name = f"tracker_live_replicas_{os.getpid()}"
    url = await fresh_postgres(name)
    run_cli(*compose_command("migrate"), database_url=url)
    run_cli("demo", "--lang", "en", database_url=url)
    owner = await asyncpg.connect(url)
    row = await owner.fetchrow(
        "SELECT r.id, p.email FROM gate_review r JOIN person p ON p.id = r.requested_by "
        "WHERE r.status = 'open'"
    )
    await owner.close()
    stack = Stack(tmp_path, url, LIVE_REDIS_URL, smtp_port=free_port())
    try:
        stack.start_web("web1")
        stack.start_web("web2")
        ports = stack.ports
        yield (
            f"http://127.0.0.1:{ports['web1']}",
            f"http://127.0.0.1:{ports['web2']}",
            row["id"],
            row["email"],
            stack,
        )
    finally:
        stack.close()
        await drop_postgres(name)


async def test_a_vote_on_one_replica_reaches_a_browser_on_the_other(two_replicas, chromium):
    web1, web2, review, lead_email, _stack = two_replicas
    await a_votes_b_sees(chromium, web1, web2, review, lead_email, "replicas-en-1280")


async def test_the_page_catches_up_after_its_replica_restarts(two_replicas, chromium):
    web1, web2, review, lead_email, stack = two_replicas
    b_context, b = await signed_in(chromium, web2, lead_email)
    await b.goto(f"{web2}/o/demo/reviews/{review}")
    await expect(b.locator("body")).to_have_attribute("data-live", "open", timeout=10000)
    # B's replica stops (SIGTERM ends its streams at once, not after the 20 s grace)
    started = time.monotonic()
    assert stack.stop_web("web2") in (0, -15)  # uvicorn re-raises SIGTERM once stopped
    assert time.monotonic() - started < 10
    await expect(b.locator("body")).to_have_attribute("data-live", "down", timeout=15000)
    a_context, a = await signed_in(chromium, web1, "demo@example.com")
    await a.goto(f"{web1}/o/demo/reviews/{review}")
    await score_and_vote(a, "Go")  # while B's stream is down: B misses the event
    stack.start_web("web2")
    # the extension reconnects; on reopening the page fetches what it missed
    await expect(b.locator("body")).to_have_attribute("data-live", "open", timeout=60000)
    await expect(b.locator("#review-live")).to_contain_text(
        "2 of 3 reviewers have responded.", timeout=5000
    )
    await a_context.close()
    await b_context.close()
