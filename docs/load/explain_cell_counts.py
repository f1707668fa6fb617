"""EXPLAIN ANALYZE of the portfolio matrix's and heat map's counts, counted (a GROUP BY of the
rows, as before migrations 2026-12-01T00:00 and T00:10) and kept (``problem_cell``,
``risk_cell``), behind the tenant wall, at one large organisation (issue 19); then what the
triggers cost a single-row write (300 updates a round, each its own transaction, the
triggers on, off, on again). A throwaway PostgreSQL database named with the process id.

    .venv/bin/python docs/load/explain_cell_counts.py --problems 20000 --risks 30000 [--vacuum]

The problems are made in one ``INSERT … SELECT generate_series`` (a fifth more, solved), the
risks in another (a fifth closed), with the triggers on; ``--vacuum`` vacuums the two tables
of counts after it (the bulk insert leaves a dead version of a cell's row per row counted)."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg

from tests.conftest import drop_postgres, fresh_postgres, run_cli

COUNTED = {
    "matrix": "SELECT pr.impact, pr.urgency, count(*) AS n FROM problem pr WHERE pr.org = $1 "
    "AND pr.status IN ('open', 'analysing') GROUP BY pr.impact, pr.urgency",
    "heat map": "SELECT r.likelihood, r.impact, count(*) AS n FROM risk r WHERE r.org = $1 "
    "AND r.status <> 'closed' GROUP BY r.likelihood, r.impact",
}
KEPT = {
    "matrix": "SELECT c.impact, c.urgency, c.live AS n FROM problem_cell c WHERE c.org = $1",
    "heat map": "SELECT c.likelihood, c.impact, c.live AS n FROM risk_cell c WHERE c.org = $1",
}
PROBLEMS = (
    "INSERT INTO problem (org, initiative, title, description, category, impact, urgency, "
    "fishbone, whys, status, created_at, version) "
    "SELECT $1, $2, 'p' || g, '', 'risk', 1 + g % 5, 1 + (g / 5) % 5, '', '', "
    "CASE g % 5 WHEN 0 THEN 'solved' WHEN 1 THEN 'analysing' ELSE 'open' END, "
    "now() - g * interval '1 minute', 1 FROM generate_series(1, $3) g"
)
RISKS = (
    "INSERT INTO risk (org, initiative, description, category, likelihood, impact, "
    "mitigation, manifestation, status, created_at, version) "
    "SELECT $1, $2, 'r' || g, 'data', 1 + g % 5, 1 + (g / 5) % 5, '', '', "
    "CASE g % 5 WHEN 0 THEN 'closed' WHEN 1 THEN 'mitigating' ELSE 'open' END, now(), 1 "
    "FROM generate_series(1, $3) g"
)
WRITES = (  # table, column, the two values it alternates between, the trigger
    ("problem", "status", ("solved", "open"), "problem_cell_updated"),
    ("problem", "impact", (2, 3), "problem_cell_updated"),
    ("risk", "status", ("closed", "open"), "risk_cell_updated"),
)


async def explain(conn: asyncpg.Connection, org: int, sql: str, runs: int = 7) -> float:
    """The median execution time, as the app's role behind the wall."""
    times = []
    for _ in range(runs):
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE tracker_app")
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(org))
            plan = [r[0] for r in await conn.fetch("EXPLAIN ANALYZE " + sql, org)]
        found = re.search(r"Execution Time: ([\d.]+)", plan[-1])
        assert found, plan
        times.append(float(found.group(1)))
    return statistics.median(times)


async def writes(conn: asyncpg.Connection, org: int, table: str, column: str, values) -> float:
    """Milliseconds per single-row update."""
    ids = [
        r["id"] for r in await conn.fetch(f"SELECT id FROM {table} WHERE org = $1 LIMIT 300", org)
    ]
    start = time.perf_counter()
    for k, row in enumerate(ids):
        await conn.execute(f"UPDATE {table} SET {column} = $1 WHERE id = $2", values[k % 2], row)
    return (time.perf_counter() - start) / len(ids) * 1000


async def measure(conn: asyncpg.Connection, problems: int, risks: int, vacuum: bool) -> None:
    org = await conn.fetchval(
        "INSERT INTO organisation (name, slug) VALUES ('big', 'big') RETURNING id"
    )
    initiative = await conn.fetchval(
        "INSERT INTO initiative (org, name, process_code, process_class, goal_metric, "
        "start_date) VALUES ($1, 'x', 'W-X-2026-001', 'core', 'm', current_date) RETURNING id",
        org,
    )
    for label, sql, n in (("problems", PROBLEMS, problems * 5 // 4), ("risks", RISKS, risks)):
        start = time.perf_counter()
        await conn.execute(sql, org, initiative, n)
        print(f"{n} {label} in one INSERT: {time.perf_counter() - start:.2f} s")
    await conn.execute("ANALYZE")
    if vacuum:
        await conn.execute("VACUUM ANALYZE problem_cell")
        await conn.execute("VACUUM ANALYZE risk_cell")
    for page, counted in COUNTED.items():
        kept = [tuple(r) for r in await conn.fetch(KEPT[page], org) if r["n"]]
        assert sorted(kept) == sorted(tuple(r) for r in await conn.fetch(counted, org)), page
        before, after = await explain(conn, org, counted), await explain(conn, org, KEPT[page])
        print(f"{page}: counted {before:.3f} ms, kept {after:.3f} ms (EXPLAIN ANALYZE, median)")
    for table, column, values, trigger in WRITES:
        on = await writes(conn, org, table, column, values)
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        off = await writes(conn, org, table, column, values)
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        again = await writes(conn, org, table, column, values)
        print(
            f"a write of {table}.{column}: triggers on {on:.3f}, off {off:.3f}, on {again:.3f} ms"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=20000, help="open or analysing")
    parser.add_argument("--risks", type=int, default=30000)
    parser.add_argument("--vacuum", action="store_true")
    args = parser.parse_args()
    name = f"tracker_cell_counts_{os.getpid()}"
    url = await fresh_postgres(name)
    try:
        run_cli("migrate", database_url=url)
        conn = await asyncpg.connect(url)
        try:
            await measure(conn, args.problems, args.risks, args.vacuum)
        finally:
            await conn.close()
    finally:
        await drop_postgres(name)


if __name__ == "__main__":
    asyncio.run(main())
