"""Time the portfolio matrix and "My reviews" in-process at a given number of problems
(issue 19): the handler's wall and CPU time (median of ``--runs``), its queries and, on
PostgreSQL, the time spent waiting for them. No server, no load: one request at a time.

    .venv/bin/python docs/load/time_org_pages.py --problems 1000 5000 [--postgres]

Each size seeds a fresh database: an organisation with problems/4 initiatives (4 open or
analysing problems each, spread over the 25 cells of the matrix, as the load benchmark
seeds them) and one review per initiative waiting for the committee member and the admin
(8 in 10 open for their vote, 1 in 10 awaiting the chair, 1 in 10 waiting for the admin's
approval). PostgreSQL runs behind the tenant wall, as deployed."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PAGES = {"portfolio matrix": "/matrix", "my reviews (committee)": "/reviews"}


async def seed(org, initiatives: int) -> None:
    import json

    from tests.helpers import make_initiative
    from tracker.gates.settings_service import snapshot
    from tracker.gates.tables import ApprovalStep, GateReview, ReviewAssignment
    from tracker.problems.tables import Problem

    today = date.today()
    rule = snapshot(
        {
            "quorum_kind": "share",
            "quorum_value": 51,
            "go_threshold": "majority",
            "stop_needs_chair": True,
            "chair": org.people["committee"],
            "chain": [],
        }
    )
    people = list(org.people.values())
    for n in range(initiatives):
        initiative = await make_initiative(org, phase=2, age_days=30 + n % 90)
        await Problem.insert(
            *(
                Problem(
                    org=org.id,
                    initiative=initiative,
                    title=f"Problem {n}.{k}",
                    category="quality",
                    impact=1 + (n + k) % 5,
                    urgency=1 + (n * 3 + k * 2) % 5,
                    status=("open", "analysing")[k % 2],
                    owner=people[(n + k) % len(people)],
                )
                for k in range(4)
            )
        )
        status = "open" if n % 10 < 8 else ("awaiting_chair" if n % 10 == 8 else "approving")
        review = (
            await GateReview.insert(
                GateReview(
                    org=org.id,
                    initiative=initiative,
                    gate=1,
                    status=status,
                    requested_by=org.people["lead"],
                    proposed_decision="go",
                    due_date=today + timedelta(days=n % 40 - 10),
                    rule_snapshot=rule,
                    pending_outcome=json.dumps({}),
                )
            )
        )[0]["id"]
        await ReviewAssignment.insert(
            *(
                ReviewAssignment(org=org.id, review=review, reviewer=org.people[role])
                for role in ("committee", "admin")
            )
        )
        if status == "approving":
            await ApprovalStep.insert(
                ApprovalStep(
                    org=org.id, review=review, level=1, label="Executive", approver=people[0]
                )
            )


async def measure(url: str, problems: int, runs: int) -> dict[str, dict[str, float]]:
    import httpx

    from tests import walled
    from tests.conftest import make_org, run_cli
    from tracker import db
    from tracker.app import create_app
    from tracker.auth import hash_password
    from tracker.settings import load_settings

    run_cli("migrate", database_url=url)
    postgres = url.startswith("postgres")
    app = create_app(load_settings({**os.environ, "DATABASE_URL": url}))
    if postgres:
        engine = await walled.start(url)
    else:
        engine = db.make_engine(url)
        db.use_engine(engine)
        await db.start(engine, 1, 5)
    results: dict[str, dict[str, float]] = {}
    try:
        org = await make_org("timed", await hash_password("x" * 12))
        started = time.perf_counter()
        await seed(org, problems // 4)
        print(f"  seeded {problems} problems in {time.perf_counter() - started:.0f} s", flush=True)
        if postgres:  # the statistics autovacuum would gather soon after such a load
            await db.fetch("ANALYZE")
        for name, path in PAGES.items():
            cookies = {"tracker_session": org.tokens["committee"]}
            transport = httpx.ASGITransport(app=walled.as_deployed(app))  # type: ignore[arg-type]
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", cookies=cookies
            ) as client:
                walls, cpus, sqls, count, size = [], [], [], 0, 0
                for run in range(runs + 2):  # two warm-up requests
                    with db.count_queries() as counted:
                        wall, cpu = time.perf_counter(), time.process_time()
                        response = await client.get(f"/o/{org.slug}{path}")
                        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                    assert response.status_code == 200, (path, response.status_code)
                    if run >= 2:
                        walls.append(wall)
                        cpus.append(cpu)
                        sqls.append(counted.seconds)
                    count, size = counted.count, len(response.content)
            results[name] = {
                "wall_ms": statistics.median(walls) * 1000,
                "cpu_ms": statistics.median(cpus) * 1000,
                "sql_ms": statistics.median(sqls) * 1000,
                "queries": count,
                "kb": size / 1024,
            }
    finally:
        if postgres:
            await walled.stop(engine)
        else:
            await db.stop(engine)
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--postgres", action="store_true", help="on the test server (TEST_POSTGRES_URL)"
    )
    args = parser.parse_args()
    for problems in args.problems:
        if args.postgres:
            from tests.conftest import drop_postgres, fresh_postgres

            name = f"tracker_timing_{os.getpid()}"
            url = await fresh_postgres(name)
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='tracker-timing-')}/timed.sqlite3"
        print(f"{problems} problems, {'PostgreSQL' if args.postgres else 'SQLite'}:", flush=True)
        try:
            results = await measure(url, problems, args.runs)
        finally:
            if args.postgres:
                await drop_postgres(name)
        for page, r in results.items():
            print(
                f"  {page:<24} wall {r['wall_ms']:7.1f} ms  cpu {r['cpu_ms']:7.1f} ms  "
                f"sql {r['sql_ms']:6.1f} ms  queries {r['queries']:.0f}  page {r['kb']:.0f} KB",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
