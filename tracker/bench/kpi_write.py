"""Benchmark: the load benchmark's mixed write (a KPI measurement past its threshold) called
in-process. Not a test: it prints figures.

    python -m tracker.bench.kpi_write --database-url postgresql://…/<a copy of a seed> \\
        --seed bb_seed_1x10000 [--writes 200] [--charted] [--board] [--explain]

The database is a copy of a load benchmark seed (``createdb -T bb_seed_1x10000 <copy>``; never
the seed itself), migrated; the seed's comment gives the organisation, its admin's session and
its KPIs (``tracker.bench.load.seeding``). Each write is the Lua script's: ``POST
/o/<org>/kpis/<kpi>/measurements`` with ``value=9`` on a day back no other write has, on the
KPIs of the "Cycle days" kind in turn, behind the tenant wall (``tracker_app``). The app is
called as an ASGI application, without an HTTP client, and ``time.process_time`` around each
call gives its CPU (``Server-Timing``'s ``cpu`` measures the same in a server); the median of
``--writes`` calls after 5 not counted, with the queries of each. ``--charted``: each KPI
written to first gets a complete baseline stage (from its first point, limits on 20): the
write judges the point and raises a signal. ``--board``: after each write the board is read
twice (the first read after a change, then a kept one). ``--explain``: instead, EXPLAIN
(ANALYZE, BUFFERS) of the write's statements for 30 KPIs, each in a transaction rolled back,
medians of the execution times."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

Headers = list[tuple[bytes, bytes]]


async def _call(app: Any, method: str, path: str, headers: Headers, body: bytes = b"") -> dict:
    """One request on the ASGI app: its status and headers."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1234),
        "server": ("bench", 80),
    }
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never goes away
        return {"type": "http.disconnect"}

    answer: dict[str, Any] = {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer.update(status=message["status"], headers=message["headers"])

    await app(scope, receive, send)
    return answer


async def _seed_targets(url: str, seed: str) -> dict[str, Any]:
    """What the seed's comment says of its first organisation (read without connecting to
    the seed)."""
    import asyncpg

    parts = urlsplit(url)
    server = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        comment = await server.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            seed,
        )
    finally:
        await server.close()
    if not comment:
        raise SystemExit(f"{seed}: no load benchmark seed of that name")
    return dict(json.loads(comment)["targets"]["mixed"][0])


async def _chart(url: str, kpis: list[int]) -> None:
    """A complete baseline stage for each KPI, from its first point (limits on 20)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO kpi_stage (org, kpi, starts_on, label, limit_points, centre, mr_bar, "
            "based_on) SELECT m.org, m.kpi, min(m.measured_on), 'baseline', 20, avg(m.value), "
            "0.5, 20 FROM kpi_measurement m WHERE m.kpi = ANY($1::int[]) GROUP BY m.org, m.kpi "
            "ON CONFLICT DO NOTHING",
            kpis,
        )
        await connection.execute("ANALYZE kpi_stage")
    finally:
        await connection.close()


def _writes(org: dict[str, Any], count: int) -> list[tuple[str, bytes]]:
    days = [d for d in range(1, 365) if d % 7]  # not the seed's weekly days
    kpis, today = org["kpis"], date.today()
    return [
        (
            f"/o/{org['slug']}/kpis/{kpis[i % len(kpis)]}/measurements",
            f"measured_on={today - timedelta(days=days[i // len(kpis) % len(days)])}&value=9".encode(),
        )
        for i in range(count)
    ]


def _summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"{name} median {statistics.median(values):.2f} ms (p10 {ordered[len(values) // 10]:.2f},"
        f" p90 {ordered[len(values) * 9 // 10]:.2f})"
    )


async def measure(url: str, seed: str, count: int, charted: bool, board: bool) -> None:
    from tracker import db
    from tracker.app import create_app
    from tracker.settings import load_settings

    org = await _seed_targets(url, seed)
    writes = _writes(org, count + 5)
    if charted:
        await _chart(url, org["kpis"][: count + 5])
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_ENV": "production",
        "SECRET_KEY": "bench-" * 8,
        "TRACKER_SCHEDULER": "off",
        "REDIS_URL": "",
        "DB_APP_ROLE": "tracker_app",
    }
    app = create_app(load_settings(env))
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 4, "tracker_app")
    try:
        login = await _call(app, "GET", "/login", [])
        csrf = next(
            v.split(b";")[0].split(b"=", 1)[1]
            for k, v in login["headers"]
            if k == b"set-cookie" and v.startswith(b"csrftoken=")
        )
        cookie = org["cookie"].encode() + b"; csrftoken=" + csrf
        reads: Headers = [(b"cookie", cookie)]
        posts = [
            *reads,
            (b"x-csrftoken", csrf),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ]
        assert (await _call(app, "GET", org["board"], reads))["status"] == 200
        cpu, queries, first, again = [], set(), [], []
        for i, (path, body) in enumerate(writes):
            with db.count_queries() as counted:
                started = time.process_time()
                answer = await _call(app, "POST", path, posts, body)
                spent = (time.process_time() - started) * 1000
            if answer["status"] != 303:
                raise SystemExit(f"{path}: {answer['status']}")
            times = []
            for _ in range(2 if board else 0):
                started = time.process_time()
                assert (await _call(app, "GET", org["board"], reads))["status"] == 200
                times.append((time.process_time() - started) * 1000)
            if i >= 5:
                cpu.append(spent)
                queries.add(counted.count)
                if board:
                    first.append(times[0])
                    again.append(times[1])
        print(f"{count} writes, queries {sorted(queries)}: {_summary('app CPU', cpu)}")
        if board:
            print(_summary("board read after each write: CPU", first))
            print(_summary("board read again: CPU", again))
    finally:
        await db.stop(engine)


async def explain(url: str, seed: str, charted: bool) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the read and the write, behind the wall, each write in a
    transaction rolled back; medians over 30 KPIs after 3 not counted."""
    import asyncpg

    from tracker.kpis import control, spc
    from tracker.kpis import queries as q
    from tracker.sql import Statement, _postgres_text

    org = await _seed_targets(url, seed)
    connection = await asyncpg.connect(url)
    org_id = await connection.fetchval("SELECT id FROM organisation WHERE slug = $1", org["slug"])
    person = await connection.fetchval(
        "SELECT m.person FROM membership m WHERE m.org = $1 AND m.role = 'admin' LIMIT 1", org_id
    )
    day, now = date.today() - timedelta(days=1), datetime.now(UTC)

    def bound(statement: Statement, **values: Any) -> tuple[str, list[Any]]:
        query = statement.bind(org=org_id, **values)
        return _postgres_text(query.template, len(query.args)), list(query.args)

    times: dict[str, list[float]] = {}
    for n, kpi in enumerate(org["kpis"][-33:]):  # the last KPIs: the fewest earlier writes
        transaction = connection.transaction()
        await transaction.start()
        try:
            exists = await connection.fetchval(
                "SELECT 1 FROM kpi_measurement WHERE kpi = $1 AND measured_on = $2", kpi, day
            )
            if exists:
                continue  # the rollback runs (finally)
            if charted:
                await connection.execute(
                    "INSERT INTO kpi_stage (org, kpi, starts_on, label, limit_points, centre, "
                    "mr_bar, based_on) SELECT org, kpi, min(measured_on), 'baseline', 20, "
                    "avg(value), 0.5, 20 FROM kpi_measurement WHERE kpi = $1 GROUP BY org, kpi",
                    kpi,
                )
            await connection.execute("SET LOCAL ROLE tracker_app")
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true), "
                "set_config('app.person_id', $2, true)",
                str(org_id),
                str(person),
            )
            await connection.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the board's trigger
            read = bound(
                q.RECORD_CONTEXT,
                kpi=kpi,
                day=day,
                default_points=spc.DEFAULT_LIMIT_POINTS,
                lookback=spc.LOOKBACK,
                max_points=control.MAX_STAGE_POINTS,
                end_of_time=control.END_OF_TIME,
            )
            write = bound(
                q.RECORD_POSTGRES,
                kpi=kpi,
                day=day,
                value=9.0,
                denominator=None,
                source="form",
                person=person,
                now=now,
                alert=True,
                threshold=3.45,
                new_stage=not charted,
                limit_points=spc.DEFAULT_LIMIT_POINTS,
                centre=None,
                mr_bar=None,
                based_on=0,
                stage=None,
            )
            statements = [("read", read), ("write", write)]
            if charted:
                row = {"measurement": None, "measured_on": day, "value": 9.0, "line": 6.0}
                signal = q.INSERT_SIGNAL.bind_rows(
                    [{**row, "rule": "beyond"}], org=org_id, kpi=kpi, now=now
                )
                text = _postgres_text(signal.template, len(signal.args))
                statements.append(("signal", (text, list(signal.args))))
            for name, (sql, args) in statements:
                plan = await connection.fetchval(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, *args
                )
                if n >= 3:
                    times.setdefault(name, []).append(json.loads(plan)[0]["Execution Time"])
        finally:
            await transaction.rollback()
    await connection.close()
    for name, values in times.items():
        print(f"{name}: EXPLAIN ANALYZE median {statistics.median(values):.3f} ms "
              f"(max {max(values):.3f}, {len(values)} KPIs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a migrated copy of a seed")
    parser.add_argument("--seed", required=True, help="the seed it is a copy of (its comment)")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--charted", action="store_true")
    parser.add_argument("--board", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if args.explain:
        asyncio.run(explain(args.database_url, args.seed, args.charted))
    else:
        asyncio.run(measure(args.database_url, args.seed, args.writes, args.charted, args.board))


if __name__ == "__main__":
    main()
