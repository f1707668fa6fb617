"""The database-level tenant wall (PostgreSQL row-level security): a session of the app role
that forgets the organisation sees nothing, and can neither read nor write another's rows."""

from __future__ import annotations

import os

import asyncpg
import pytest

from tests import walled
from tests.conftest import PG_URL, drop_postgres, fresh_postgres, need, reachable, run_cli

WALL_DB = f"tracker_wall_test_{os.getpid()}"  # a run of its own: other runs may share the server


@pytest.fixture
async def walled_db():
    need("PostgreSQL", reachable(PG_URL, 5432))
    url = await fresh_postgres(WALL_DB)
    run_cli("migrate", database_url=url)
    owner = await asyncpg.connect(url)
    orgs = []
    for slug in ("wall-a", "wall-b"):
        org = await owner.fetchval(
            "INSERT INTO organisation (name, slug) VALUES ($1, $1) RETURNING id", slug
        )
        await owner.execute(
            "INSERT INTO initiative (org, name, process_code, process_class, goal_metric, start_date) "
            "VALUES ($1, 'x', $2, 'core', 'm', current_date)",
            org,
            f"W-X-2026-{org:03d}",
        )
        orgs.append(org)
    yield owner, orgs
    await owner.close()
    await drop_postgres(WALL_DB)


async def test_every_tenant_table_has_the_policy(walled_db):
    owner, _ = walled_db
    tables = {
        r["table_name"]
        for r in await owner.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org'"
        )
    }
    walled = {
        r["relname"] for r in await owner.fetch("SELECT relname FROM pg_class WHERE relrowsecurity")
    }
    policies = {
        r["tablename"]
        for r in await owner.fetch(
            "SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'"
        )
    }
    assert len(tables) >= 30
    assert tables <= walled, f"tables without row-level security: {sorted(tables - walled)}"
    assert tables <= policies, f"tables without the tenant policy: {sorted(tables - policies)}"
    role = await owner.fetchrow(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'tracker_app'"
    )
    assert role is not None and not role["rolsuper"] and not role["rolbypassrls"]
    owned = await owner.fetchval("SELECT count(*) FROM pg_tables WHERE tableowner = 'tracker_app'")
    assert owned == 0


async def test_a_query_that_forgets_the_organisation_returns_nothing(walled_db):
    owner, (a, b) = walled_db
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        assert await owner.fetchval("SELECT count(*) FROM initiative") == 0  # fails closed
        assert await owner.fetchval("SELECT count(*) FROM membership") == 0
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        rows = await owner.fetch("SELECT org FROM initiative")
        assert [r["org"] for r in rows] == [a]
        assert (
            await owner.fetchval(
                "UPDATE initiative SET name = 'hijacked' WHERE org = $1 RETURNING id", b
            )
            is None
        )
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner.execute(
                "INSERT INTO initiative (org, name, process_code, process_class, goal_metric, start_date) "
                "VALUES ($1, 'planted', 'W-X-2026-999', 'core', 'm', current_date)",
                b,
            )
    # the setting lived only as long as its transaction: a pooled connection forgets it
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        assert await owner.fetchval("SELECT count(*) FROM initiative") == 0
    names = {r["name"] for r in await owner.fetch("SELECT name FROM initiative")}
    assert names == {"x"}


async def test_behind_the_wall_a_request_that_fails_writes_nothing(walled_db):
    """The request's transaction is rolled back when the response is a 5xx, so a handler that
    fails half-way leaves no half-written change."""
    import httpx
    from litestar import Litestar, post

    from tracker import db
    from tracker.auth import IdentityMiddleware
    from tracker.initiatives.tables import Initiative

    owner, (a, _) = walled_db
    url = PG_URL.rsplit("/", 1)[0] + "/" + WALL_DB

    @post("/o/wall-a/half-way", status_code=200)
    async def half_way(fail: bool = True) -> str:
        await Initiative.update({Initiative.name: "half-written"}).where(Initiative.org == a)
        if fail:
            raise RuntimeError("fails after a write")
        return "ok"

    previous = db.current_engine()
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 2, role="tracker_app")
    try:
        app = Litestar([half_way], middleware=[IdentityMiddleware()])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            failed = await client.post("/o/wall-a/half-way")
            assert failed.status_code == 500
            assert await owner.fetchval("SELECT name FROM initiative WHERE org = $1", a) == "x"
            done = await client.post("/o/wall-a/half-way", params={"fail": "false"})
            assert done.status_code == 200
            assert (
                await owner.fetchval("SELECT name FROM initiative WHERE org = $1", a)
                == "half-written"
            )
    finally:
        await db.stop(engine)
        walled.restore(previous)


async def test_a_pooled_connection_carries_no_organisation_to_the_next_request(walled_db):
    """With one connection in the pool, a request for one organisation, then one that names
    none, then a query outside any request: only the first sees anything. The pool does not
    reset connections on release (every wall setting is local to its transaction); the role
    stays."""
    import httpx
    from litestar import Litestar, get

    from tracker import db
    from tracker.auth import IdentityMiddleware

    _owner, (a, _b) = walled_db
    url = PG_URL.rsplit("/", 1)[0] + "/" + WALL_DB

    async def seen() -> list[int]:
        return [r["org"] for r in await db.fetch("SELECT org FROM initiative")]

    @get("/o/wall-a/seen")
    async def in_org() -> list[int]:
        return await seen()

    @get("/elsewhere/seen")
    async def no_org() -> list[int]:
        return await seen()

    previous = db.current_engine()
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 1, role="tracker_app")
    try:
        app = Litestar([in_org, no_org], middleware=[IdentityMiddleware(1)])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/o/wall-a/seen")).json() == [a]
            assert (await client.get("/elsewhere/seen")).json() == []
            assert (await client.get("/o/wall-a/seen")).json() == [a]
        assert await seen() == []  # outside any request, on the same connection
        rows = await db.fetch(
            "SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant"
        )
        assert rows[0]["role"] == "tracker_app" and not rows[0]["tenant"]
    finally:
        await db.stop(engine)
        walled.restore(previous)


async def test_the_board_revision_moves_with_what_the_board_shows_when_it_commits(walled_db):
    """Migration 2026-11-23T08:00: the number a web process keeps the board under."""
    owner, (a, b) = walled_db

    async def revisions() -> dict[int, int]:
        rows = await owner.fetch("SELECT org, revision FROM board_revision")
        return {r["org"]: r["revision"] for r in rows}

    first = await revisions()
    assert set(first) == {a, b}, "every organisation has one from its first row"
    other = await asyncpg.connect(PG_URL.rsplit("/", 1)[0] + "/" + WALL_DB)
    try:
        async with owner.transaction():
            await owner.execute("UPDATE initiative SET name = 'y' WHERE org = $1", a)
            await owner.execute("UPDATE initiative SET status = 'at_risk' WHERE org = $1", a)
            # not before the commit: a reader that saw the old number reads the old rows
            seen = await other.fetchval("SELECT revision FROM board_revision WHERE org = $1", a)
            assert seen == first[a]
        second = await revisions()
        assert second[a] != first[a] and second[b] == first[b]
        # what the board does not show leaves it alone
        await owner.execute(
            "INSERT INTO problem (org, initiative, title, category, impact, urgency) "
            "SELECT org, id, 'Slow', 'efficiency', 3, 3 FROM initiative WHERE org = $1",
            a,
        )
        assert await revisions() == second
        # a review moves it when it opens and when its state changes, not when a vote claims it
        review = await owner.fetchval(
            "INSERT INTO gate_review (org, initiative, gate, status) "
            "SELECT org, id, 1, 'open' FROM initiative WHERE org = $1 RETURNING id",
            a,
        )
        opened = await revisions()
        assert opened[a] != second[a]
        await owner.execute("UPDATE gate_review SET claim = claim + 1 WHERE id = $1", review)
        assert await revisions() == opened
        await owner.execute("UPDATE gate_review SET status = 'decided' WHERE id = $1", review)
        assert (await revisions())[a] != opened[a]
        second = await revisions()
        # a person's new name shows on the board of every organisation they belong to
        person = await owner.fetchval(
            "INSERT INTO person (email, name, password_hash) VALUES ('p@x.example', 'P', '') "
            "RETURNING id"
        )
        for org in (a, b):
            await owner.execute(
                "INSERT INTO membership (org, person, role) VALUES ($1, $2, 'lead')", org, person
            )
        third = await revisions()
        await owner.execute("UPDATE person SET language = 'zh' WHERE id = $1", person)
        assert await revisions() == third
        await owner.execute("UPDATE person SET name = 'Pat' WHERE id = $1", person)
        fourth = await revisions()
        assert fourth[a] != third[a] and fourth[b] != third[b]
    finally:
        await other.close()

    # behind the wall: the organisation's own number, with the person, and no way to move it
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        assert [r["org"] for r in await owner.fetch("SELECT org FROM board_revision")] == [a]
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner.execute("SELECT tracker_board_changed($1)", b)


async def test_concurrent_writers_of_one_organisation_all_commit_and_move_its_revision(walled_db):
    """The revision's row is taken only at commit: writers of one organisation queue there
    briefly, and none fails or deadlocks (here 12 at once, half also renaming people who
    belong to both organisations, in either order)."""
    import asyncio

    owner, (a, b) = walled_db
    url = PG_URL.rsplit("/", 1)[0] + "/" + WALL_DB
    people = []
    for n in range(2):
        person = await owner.fetchval(
            "INSERT INTO person (email, name, password_hash) VALUES ($1, 'P', '') RETURNING id",
            f"p{n}@x.example",
        )
        for org in (a, b) if n == 0 else (b, a):
            await owner.execute(
                "INSERT INTO membership (org, person, role) VALUES ($1, $2, 'lead')", org, person
            )
        people.append(person)
    before = await owner.fetchval("SELECT revision FROM board_revision WHERE org = $1", a)

    async def writer(n: int) -> None:
        connection = await asyncpg.connect(url)
        try:
            async with connection.transaction():
                await connection.execute(
                    "UPDATE initiative SET name = $1 WHERE org = $2", f"name {n}", a
                )
                if n % 2:
                    await connection.execute(
                        "UPDATE person SET name = $1 WHERE id = $2", f"P{n}", people[n % 4 // 2]
                    )
                await asyncio.sleep(0.01)
        finally:
            await connection.close()

    await asyncio.gather(*(writer(n) for n in range(12)))
    after = await owner.fetchval("SELECT revision FROM board_revision WHERE org = $1", a)
    assert after != before
