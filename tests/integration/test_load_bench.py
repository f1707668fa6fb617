"""The load benchmark (``python -m tracker.bench.load``) end to end on a tiny seed: written in
bulk with every register in proportion, its audit trail as the triggers write it, kept in a
template database, measured, and turned into the README's table (issue 19)."""

import asyncio
import json
import os
import shutil
import subprocess
import sys

from tests.conftest import PG_URL, ROOT, drop_postgres, need, reachable


async def _rows(url: str) -> dict:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        counts = {
            table: await connection.fetchval(f'SELECT count(*) FROM "{table}"')
            for table in (
                "initiative", "phase", "problem", "risk", "pilot", "pilot_metric", "kpi",
                "kpi_measurement", "gate_review", "review_assignment", "review_criterion",
            )
        }  # fmt: skip
        counts["without a phase"] = await connection.fetchval(
            "SELECT count(*) FROM initiative WHERE current_phase IS NULL"
        )
        counts["measurements audited"] = await connection.fetchval(
            "SELECT count(*) FROM audit_entry WHERE table_name = 'kpi_measurement'"
        )
        seeded = await connection.fetchrow(
            "SELECT a.org, a.operation, a.subject_table, a.subject_id = m.kpi AS on_its_kpi, "
            "a.changes FROM audit_entry a JOIN kpi_measurement m ON m.id = a.row_id "
            "WHERE a.table_name = 'kpi_measurement' ORDER BY a.id LIMIT 1"
        )
        # the same measurement written again, a day later, with the trigger: the same entry
        async with connection.transaction():
            measurement = await connection.fetchval(
                "INSERT INTO kpi_measurement (org, kpi, measured_on, value) "
                "SELECT org, kpi, measured_on + 1, value FROM kpi_measurement m "
                "WHERE m.id = $1 RETURNING id",
                await connection.fetchval(
                    "SELECT row_id FROM audit_entry WHERE table_name = 'kpi_measurement' "
                    "ORDER BY id LIMIT 1"
                ),
            )
            triggered = await connection.fetchrow(
                "SELECT a.org, a.operation, a.subject_table, a.subject_id = m.kpi AS on_its_kpi, "
                "a.changes FROM audit_entry a JOIN kpi_measurement m ON m.id = a.row_id "
                "WHERE a.table_name = 'kpi_measurement' AND a.row_id = $1",
                measurement,
            )
            raise _Undo
    except _Undo:
        pass
    finally:
        await connection.close()
    return {"counts": counts, "seeded": seeded, "triggered": triggered}


class _Undo(Exception):
    """Rolls the probe's transaction back."""


def test_the_load_benchmark_seeds_in_bulk_measures_and_tabulates(tmp_path):
    need("PostgreSQL", reachable(PG_URL, 5432))
    need("wrk (Debian: apt-get install wrk; tests/run.sh installs it)", bool(shutil.which("wrk")))
    name = f"load_bench_test_{os.getpid()}"
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    out = tmp_path / "run.json"
    command = [sys.executable, "-m", "tracker.bench.load", "--database-url", url, "--orgs", "2",
               "--initiatives", "3", "--duration", "1", "--connections", "4", "--only", "plain",
               "--seed-cache", "--json", str(out)]  # fmt: skip
    try:
        for _ in range(2):  # seeded once, then copied from the kept seed
            run = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
            )
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        assert "seeding it once" not in run.stdout and "copied the seed" in run.stdout
        found = asyncio.run(_rows(url))
    finally:
        asyncio.run(drop_postgres(name))
        asyncio.run(drop_postgres(f"{name}_seed_2x3"))
    counts = found["counts"]
    # per initiative: 6 phases, 4 problems, 3 risks, a pilot with a metric, 2 KPIs of 52
    # weeks; an open review (3 reviewers, 4 criteria) on all but the first of each
    # organisation, whose review the measured review page shows (1 reviewer)
    assert counts == {
        "initiative": 6, "phase": 36, "problem": 24, "risk": 18, "pilot": 6,
        "pilot_metric": 6, "kpi": 12, "kpi_measurement": 624, "gate_review": 5,
        "review_assignment": 13, "review_criterion": 20, "without a phase": 0,
        "measurements audited": 624,
    }  # fmt: skip
    assert dict(found["seeded"]) == dict(found["triggered"]) | {
        "changes": found["seeded"]["changes"]
    }
    seeded, triggered = (json.loads(found[k]["changes"]) for k in ("seeded", "triggered"))
    assert seeded.keys() == triggered.keys() and seeded["value"] == triggered["value"]
    summary = json.loads(out.read_text())
    plain = summary["routes"]["plain route (/healthz)"]
    assert plain["rps"] > 0 and plain["errors"] == 0 and plain["share_of_plain"] == 1
    assert summary["worker_rss_mb"][0] > 0
    table = subprocess.run(
        [sys.executable, "-m", "tracker.bench.load.table", str(out), str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "| plain route (/healthz): req/s · p99 | 0 |" in table
    assert "2×3, 1 worker" in table
