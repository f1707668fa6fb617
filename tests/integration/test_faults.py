"""Faults: Redis down, the database dropping connections. Pages keep working. (A real
PostgreSQL restart: test_postgres_restart.py.)"""

from __future__ import annotations

import asyncio
import logging
import os

import asyncpg
import pytest

from tests import walled
from tracker.accounts.tables import Invitation
from tracker.app import create_app
from tracker.digests.tables import EmailMessage
from tracker.settings import load_settings


async def test_redis_down_pages_work_and_the_failure_is_reported(world, caplog):
    settings = load_settings(
        {**os.environ, **walled.env(world), "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    app = create_app(settings)
    caplog.set_level(logging.INFO, logger="tracker.jobs")
    import httpx

    from tests.conftest import CSRF_TOKEN

    email = f"redis-down-{world.backend}@example.com"
    try:
        async with app.lifespan():
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://testserver",
                cookies={"csrftoken": CSRF_TOKEN, "tracker_session": world.a.tokens["admin"]},
                headers={"x-csrftoken": CSRF_TOKEN},
            ) as client:
                board = await client.get("/o/alpha/")
                invite = await client.post(
                    "/o/alpha/settings/invitations", data={"email": email, "role": "member"}
                )
                ready = await client.get("/readyz")
    finally:
        walled.restore(world.engine)
    assert board.status_code == 200
    assert invite.status_code == 200 and "/invite/" in invite.text
    assert "waits in the outbox" in invite.text
    assert "cannot reach Redis" in caplog.text
    assert (
        ready.status_code == 200
        and ready.json()["redis"] == "down"
        and ready.json()["database"] == "ok"
    )
    invitation = await Invitation.select(Invitation.id).where(Invitation.email == email).first()
    message = (
        await EmailMessage.select()
        .where(EmailMessage.key == f"invitation:{invitation['id']}")
        .first()
    )
    assert message["status"] == "pending"  # nothing lost: the worker's sweep sends it later


async def test_database_connections_dropped_then_the_pool_recovers(world):
    """The server cuts every connection (a restart, a fail-over), three times over: no page
    fails (a request whose BEGIN meets a cut connection begins on another: nothing had run),
    and no cut connection is lost to the pool (they were, until every request waited)."""
    if world.backend != "postgres":
        return  # SQLite opens a connection per query: nothing to drop
    import asyncpg

    from tests.conftest import PG_URL

    dbname = world.database_url.rsplit("/", 1)[1]
    statuses = []
    async with world.client(world.a, "viewer") as client:
        assert (await client.get("/o/alpha/")).status_code == 200
        for _ in range(3):
            admin = await asyncpg.connect(PG_URL)
            try:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    dbname,
                )
            finally:
                await admin.close()
            statuses += [(await client.get("/o/alpha/")).status_code for _ in range(4)]
            statuses += [
                r.status_code
                for r in await asyncio.gather(*(client.get("/o/alpha/") for _ in range(12)))
            ]
    assert statuses == [200] * len(statuses), statuses


async def test_readiness_and_liveness(world):
    async with world.client() as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_a_stop_ends_when_a_connection_is_still_in_use(world, monkeypatch, caplog):
    """A connection still checked out at shutdown (seen in CI: the embedded scheduler's cycle
    held one past its cancel) must not hold the stop forever: the stop waits its bound, then
    cuts the connection and says so in the log."""
    if world.backend != "postgres":
        return
    from tracker import db

    monkeypatch.setattr(db, "POOL_CLOSE_SECONDS", 0.5)
    engine = db.make_engine(world.database_url)
    await db.start(engine, 1, 2)
    held = await engine.pool.acquire()
    caplog.set_level(logging.ERROR, logger="tracker.db")
    await asyncio.wait_for(db.stop(engine), 5)
    with pytest.raises(asyncpg.InterfaceError):  # the holder learns its connection is gone
        await held.fetchval("SELECT 1")
    assert "still in use" in caplog.text and "were cut" in caplog.text


async def _cut_short(world, monkeypatch, step: str) -> None:
    """Three transactions cancelled while their ``step`` (BEGIN or COMMIT) is on the wire, on
    a pool of two connections: each must give its connection back, or the pool is empty and
    every later request waits for ever (a client that hangs up mid-request does this)."""
    from tracker import db

    engine = db.make_engine(world.database_url)
    await db.start(engine, 1, 2)
    transaction_class = type(engine.transaction())
    original = getattr(transaction_class, step)

    async def slow(self):
        await asyncio.sleep(30)
        await original(self)

    try:
        monkeypatch.setattr(transaction_class, step, slow)
        for _ in range(3):

            async def work() -> None:
                async with engine.transaction() as transaction:
                    await transaction.connection.fetchval("SELECT 1")

            task = asyncio.create_task(work())
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        monkeypatch.setattr(transaction_class, step, original)
        async with engine.transaction() as transaction:  # a later request still gets a connection
            answer = await asyncio.wait_for(transaction.connection.fetchval("SELECT 42"), 5)
        assert answer == 42
        assert engine.pool.get_size() <= 2
    finally:
        await db.stop(engine)


async def test_a_request_cancelled_while_its_transaction_begins_gives_its_connection_back(
    world, monkeypatch
):
    if world.backend != "postgres":
        return
    await asyncio.wait_for(_cut_short(world, monkeypatch, "begin"), 20)


async def test_a_request_cancelled_while_its_transaction_commits_gives_its_connection_back(
    world, monkeypatch
):
    if world.backend != "postgres":
        return
    await asyncio.wait_for(_cut_short(world, monkeypatch, "commit"), 20)
