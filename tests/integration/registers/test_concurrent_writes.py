"""PostgreSQL, behind the wall: the app's kinds of writes in one organisation, side by side,
never deadlock on the counts kept at commit (the columns' revisions in ``board_column``, the
cells behind an advisory lock; issue 19), and leave the counts right. Each transaction changes
the board's rows before its problems (an initiative's deletion cascades to its problems after
it), as every write of the app does."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg

from tests.conftest import PG_URL
from tests.integration.test_tenant_wall import WALL_DB, walled_db  # noqa: F401 (a fixture)

INITIATIVES = 60
WRITES = {  # each its own transaction, as one request makes it
    "delete": "DELETE FROM initiative WHERE id = $1",
    "re-score": "UPDATE problem SET impact = 1 + impact % 5, urgency = 1 + urgency % 5 "
    "WHERE id = (SELECT MIN(id) FROM problem WHERE initiative = $1)",
    "status": "UPDATE initiative SET status = CASE status WHEN 'blocked' THEN 'on_track' "
    "ELSE 'blocked' END WHERE id = $1",
    "phase": "UPDATE initiative SET current_phase = (SELECT MAX(id) FROM phase WHERE "
    "initiative = $1) WHERE id = $1",
    "new problem": "INSERT INTO problem (org, initiative, title, category, impact, urgency) "
    "VALUES (current_setting('app.tenant_id')::int, $1, 'new', 'risk', 3, 4)",
}


async def _seed(owner: asyncpg.Connection, org: int) -> list[int]:
    ids = [
        await owner.fetchval(
            "INSERT INTO initiative (org, name, process_code, process_class, goal_metric, "
            "start_date) VALUES ($1, 'c', $2, 'core', 'm', current_date) RETURNING id",
            org,
            f"C-{n:03d}",
        )
        for n in range(INITIATIVES)
    ]
    await owner.execute(
        "INSERT INTO phase (org, initiative, number, planned_start, planned_end) "
        "SELECT $1, i, n, current_date, current_date + 30 * n "
        "FROM unnest($2::int[]) AS i, generate_series(1, 3) AS n",
        org,
        ids,
    )
    await owner.execute(
        "UPDATE initiative i SET current_phase = (SELECT MIN(p.id) FROM phase p "
        "WHERE p.initiative = i.id) WHERE i.id = ANY($1)",
        ids,
    )
    await owner.execute(
        "INSERT INTO problem (org, initiative, title, category, impact, urgency) "
        "SELECT $1, i, 'p', 'risk', 1 + (i + k) % 5, 1 + i % 5 "
        "FROM unnest($2::int[]) AS i, generate_series(1, 2) AS k",
        org,
        ids,
    )
    return ids


async def _writer(org: int, kinds: list[str], ids: list[int], failures: list[str]) -> None:
    connection = await asyncpg.connect(PG_URL.rsplit("/", 1)[0] + f"/{WALL_DB}")
    try:
        await connection.execute("SET ROLE tracker_app")
        for n, initiative in enumerate(ids):
            kind = kinds[n % len(kinds)]
            try:
                async with connection.transaction():
                    await connection.execute(
                        "SELECT set_config('app.tenant_id', $1, true)", str(org)
                    )
                    await connection.execute(WRITES[kind], initiative)
            except asyncpg.PostgresError as error:
                failures.append(f"{kind}: {type(error).__name__}: {error}")
    finally:
        await connection.close()


async def test_the_apps_writes_side_by_side_never_deadlock(walled_db):  # noqa: F811
    owner, (org, _) = walled_db
    ids = await _seed(owner, org)
    doomed, kept = ids[: INITIATIVES // 3], ids[INITIATIVES // 3 :]
    failures: list[str] = []
    await asyncio.gather(
        _writer(org, ["delete"], doomed[0::2], failures),
        _writer(org, ["delete"], doomed[1::2], failures),
        _writer(org, ["re-score", "status", "new problem"], kept * 3, failures),
        _writer(org, ["phase", "re-score", "status"], list(reversed(kept)) * 3, failures),
        _writer(org, ["new problem", "phase"], kept * 2, failures),
    )
    assert failures == []
    columns = {
        r["phase"]: r["total"]
        for r in await owner.fetch("SELECT phase, total FROM board_column WHERE org = $1", org)
        if r["phase"] > 0 and r["total"]
    }
    placed = Counter(
        r["board_phase"]
        for r in await owner.fetch("SELECT board_phase FROM initiative WHERE org = $1", org)
    )
    assert columns == dict(placed)
    cells = {
        (r["impact"], r["urgency"]): r["live"]
        for r in await owner.fetch(
            "SELECT impact, urgency, live FROM problem_cell WHERE org = $1", org
        )
        if r["live"]
    }
    counted = Counter(
        (r["impact"], r["urgency"])
        for r in await owner.fetch(
            "SELECT impact, urgency FROM problem WHERE org = $1 AND status IN ('open', 'analysing')",
            org,
        )
    )
    assert cells == dict(counted)
