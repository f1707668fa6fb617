"""Benchmark: what the audit trail's triggers cost a write. Not a test: it prints figures.

    python -m tracker.bench.audit [--writes 1000] [--rounds 3] [--database-url postgresql://…/empty]

Updates one problem ``--writes`` times (two fields each, one statement per write, each its
own transaction, as a page's save is), with the audit triggers on and then off (PostgreSQL:
``ALTER TABLE … DISABLE TRIGGER``; SQLite: the triggers dropped and written again), in
alternating rounds; prints the median time per write of each and their ratio. The database
must be empty (the command migrates it); by default a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.tenancy import TenantScope


async def _seed() -> tuple[int, int]:
    """The organisation and its problem."""
    from tracker.accounts.tables import Organisation
    from tracker.demo import seed_initiative
    from tracker.problems.tables import Problem

    org = (await Organisation.insert(Organisation(name="Bench", slug="bench")))[0]["id"]
    initiative = await seed_initiative(
        org,
        dict(
            name="Bench",
            process_code="B-B-2026-001",
            process_class="core",
            departments="Ops",
            goal_metric="t",
            goal_unit="h",
            goal_baseline=2.0,
            goal_target=1.0,
            goal_direction="lower",
            status="on_track",
        ),
        date.today(),
        2,
        date.today(),
    )
    row = Problem(org=org, initiative=initiative, title="Bench", category="quality")
    return org, int((await Problem.insert(row))[0]["id"])


async def _update(scope: TenantScope, problem: int, i: int) -> None:
    from tracker.bench.queries import UPDATE_PROBLEM

    await scope.fetch(UPDATE_PROBLEM, impact=1 + i % 5, title=f"Bench {i}", problem=problem)


async def _writes(scope: TenantScope, problem: int, n: int) -> float:
    """Each write its own transaction (a page's save): the commit's cost included."""
    from tracker import db

    start = time.perf_counter()
    for i in range(n):
        async with db.write_transaction():
            await _update(scope, problem, i)
    return (time.perf_counter() - start) / n


async def _statements(scope: TenantScope, problem: int, n: int) -> float:
    """All writes in one transaction: the statement's own cost, the trigger's share of it."""
    from tracker import db

    start = time.perf_counter()
    async with db.write_transaction():
        for i in range(n):
            await _update(scope, problem, i)
    return (time.perf_counter() - start) / n


async def _switch(on: bool) -> None:
    from tracker import db
    from tracker.audit.triggers import refresh_sqlite

    engine = db.current_engine()
    if engine.engine_type == "postgres":
        state = "ENABLE" if on else "DISABLE"
        await engine.run_ddl(f"ALTER TABLE problem {state} TRIGGER audit_row")
    elif on:
        await refresh_sqlite(engine)
    else:
        for operation in ("insert", "update", "delete"):
            await engine.run_ddl(f"DROP TRIGGER audit_{operation}_problem")


async def run(database_url: str, writes: int, rounds: int) -> None:
    from tracker import db
    from tracker.bench.queries import PROBLEM_ENTRIES
    from tracker.tenancy import TenantScope

    engine = db.make_engine(database_url)
    db.use_engine(engine)
    await db.start(engine, 1, 2)
    try:
        org, problem = await _seed()
        scope = TenantScope(org)
        await _writes(scope, problem, 50)  # warm up
        print(f"{engine.engine_type}: {writes} writes × {rounds} rounds, medians")
        for name, measure in (
            ("each write its own transaction", _writes),
            ("all writes in one transaction", _statements),
        ):
            times: dict[bool, list[float]] = {True: [], False: []}
            for _round in range(rounds):
                for on in (True, False):
                    await _switch(on)
                    times[on].append(await measure(scope, problem, writes))
            with_audit = statistics.median(times[True]) * 1000
            without = statistics.median(times[False]) * 1000
            print(
                f"  {name}: {with_audit:.3f} ms per write with the triggers, "
                f"{without:.3f} without, ratio {with_audit / without:.2f}"
            )
        await _switch(True)
        entries = await scope.fetch(PROBLEM_ENTRIES)
        print(f"  entries written: {entries[0]['n']}")
    finally:
        await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-audit-')}/b.sqlite3"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "tracker.cli", "migrate"], env=env, check=True, capture_output=True
    )
    os.environ["DATABASE_URL"] = url
    asyncio.run(run(url, args.writes, args.rounds))


if __name__ == "__main__":
    main()
