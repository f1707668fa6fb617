"""Load benchmark: seed a large data set, start the app on PostgreSQL as production would (one
uvicorn worker), drive it with wrk over loopback, and print requests per second, p50 and p99
latency, errors and queries per request for the key pages, beside a plain route of the same
app measured in the same run. Not a test: it prints figures.

    python -m tracker.bench.load --database-url postgresql://root@127.0.0.1/empty_db \\
        [--orgs 20] [--initiatives 500] [--duration 10] [--connections 32] [--seed-cache]

Needs wrk (Debian: apt-get install wrk). The database must be empty; it is migrated first.
With --seed-cache the seed is kept in a template database (<name>_seed) and later runs copy it
(CREATE DATABASE … TEMPLATE, seconds instead of minutes); the database is dropped and remade.
The app runs as production does: behind the tenant wall (DB_APP_ROLE=tracker_app).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

# Seconds of load before each measurement, not counted: every pooled connection prepares its
# statements on first use, which would otherwise land in the measured tail.
WARM_UP = 2
VOTE_REVIEWS = 499  # open reviews in each organisation (all its initiatives but one)
# Who votes on each of them: the rule asks for one more (the lead, who does not vote), so every
# vote finds the review still open and waiting, whoever comes first.
VOTERS = ("admin", "committee")


async def seed(orgs: int, initiatives: int, scale_org: int) -> dict[str, Any]:
    """Seed the data; returns the URLs to measure, a session cookie for them, and the open
    reviews (with their criteria) that the vote benchmark votes on."""
    from tracker.accounts.tables import Membership, Organisation, Person
    from tracker.auth import start_session
    from tracker.demo import seed_initiative
    from tracker.demo_program import seed_sop
    from tracker.gates.settings_service import ensure_defaults, rule_row, snapshot
    from tracker.gates.tables import GateReview, ReviewAssignment, ReviewCriterion
    from tracker.kpis.tables import Kpi, KpiMeasurement
    from tracker.pilots.tables import Pilot, PilotMetric
    from tracker.problems.tables import Problem
    from tracker.risks.tables import Risk
    from tracker.tenancy import TenantScope

    rng = random.Random(11)
    today = date.today()
    targets: dict[str, Any] = {}
    # [session cookie, review, criterion ids]: each organisation's, all of its reviews by the
    # first voter, then by the second
    org_votes: list[list[list[Any]]] = []
    for o in range(orgs):
        org = (await Organisation.insert(Organisation(name=f"Load {o}", slug=f"load-{o}")))[0]["id"]
        await ensure_defaults(org)
        people = await Person.insert(
            *(
                Person(email=f"{r}{o}@load.example.com", name=f"{r} {o}", password_hash="x")
                for r in ("admin", "lead", "committee")
            )
        )
        admin, lead, committee = (p["id"] for p in people)
        await Membership.insert(
            Membership(org=org, person=admin, role="admin"),
            Membership(org=org, person=lead, role="lead"),
            Membership(org=org, person=committee, role="committee"),
        )
        first = None
        rule_snapshot = snapshot(await rule_row(TenantScope(org)))
        vote_rule = json.dumps(
            {**json.loads(rule_snapshot), "quorum_kind": "count", "quorum_value": len(VOTERS) + 1}
        )
        kpi_ids: list[int] = []
        vote_reviews: list[tuple[int, list[int]]] = []
        for n in range(initiatives):
            values = dict(
                name=f"Initiative {n}",
                process_code=f"L-X-{today.year}-{n:04d}",
                process_class="core",
                departments=f"Dept {n % 9}",
                owner=lead,
                goal_metric="Cycle time",
                goal_unit="h",
                goal_baseline=48.0,
                goal_target=24.0,
                goal_direction="lower",
                status="on_track",
            )
            initiative = await seed_initiative(
                org, values, today - timedelta(days=rng.randint(1, 200)), rng.randint(1, 6), today
            )
            first = first or initiative
            await Problem.insert(
                *(
                    Problem(
                        org=org,
                        initiative=initiative,
                        title=f"Problem {n}.{k}",
                        category="quality",
                        impact=rng.randint(1, 5),
                        urgency=rng.randint(1, 5),
                    )
                    for k in range(4)
                )
            )
            await Risk.insert(
                *(
                    Risk(
                        org=org,
                        initiative=initiative,
                        description=f"Risk {n}.{k}",
                        category="other",
                        likelihood=rng.randint(1, 5),
                        impact=rng.randint(1, 5),
                    )
                    for k in range(3)
                )
            )
            pilot = (
                await Pilot.insert(
                    Pilot(
                        org=org, initiative=initiative, process="P", scope="Team", start_date=today
                    )
                )
            )[0]["id"]
            await PilotMetric.insert(
                PilotMetric(
                    org=org,
                    pilot=pilot,
                    name="Time",
                    direction="lower",
                    baseline=30,
                    result=rng.randint(5, 40),
                    target=10,
                    recorded_at=datetime.now(UTC),
                )
            )
            for name, direction, base in (
                ("Cycle days", "lower", 3.0),
                ("Resolution %", "higher", 95.0),
            ):
                kpi = (
                    await Kpi.insert(
                        Kpi(
                            org=org,
                            initiative=initiative,
                            name=name,
                            direction=direction,
                            target=base,
                            threshold=base * (1.15 if direction == "lower" else 0.95),
                        )
                    )
                )[0]["id"]
                kpi_ids.append(kpi)
                await KpiMeasurement.insert(  # a year of weekly measurements
                    *(
                        KpiMeasurement(
                            org=org,
                            kpi=kpi,
                            measured_on=today - timedelta(days=7 * (52 - week)),
                            value=round(base * rng.uniform(0.9, 1.1), 2),
                        )
                        for week in range(52)
                    )
                )
            if 0 < n <= VOTE_REVIEWS:
                vote_review = (
                    await GateReview.insert(
                        GateReview(
                            org=org,
                            initiative=initiative,
                            gate=1,
                            status="open",
                            proposed_decision="go",
                            due_date=today,
                            rule_snapshot=vote_rule,
                            requested_by=lead,
                        )
                    )
                )[0]["id"]
                await ReviewAssignment.insert(
                    ReviewAssignment(org=org, review=vote_review, reviewer=committee),
                    ReviewAssignment(org=org, review=vote_review, reviewer=admin),
                    ReviewAssignment(org=org, review=vote_review, reviewer=lead),
                )
                criteria = await ReviewCriterion.insert(
                    *(
                        ReviewCriterion(
                            org=org,
                            review=vote_review,
                            position=i,
                            text=f"Criterion {i}",
                            kind="should",
                            weight=2,
                        )
                        for i in range(4)
                    )
                )
                vote_reviews.append((vote_review, [c["id"] for c in criteria]))
        token = await start_session(admin)
        voters = {"admin": token, "committee": await start_session(committee)}
        org_votes.append(
            [
                [f"tracker_session={voters[who]}", f"/o/load-{o}/reviews/{r}/vote", c]
                for who in VOTERS
                for r, c in vote_reviews
            ]
        )
        if o == scale_org:
            review = (
                await GateReview.insert(
                    GateReview(
                        org=org,
                        initiative=first,
                        gate=1,
                        status="open",
                        proposed_decision="go",
                        due_date=today,
                        rule_snapshot=rule_snapshot,
                        requested_by=lead,
                    )
                )
            )[0]["id"]
            await ReviewAssignment.insert(
                ReviewAssignment(org=org, review=review, reviewer=committee)
            )
            await ReviewCriterion.insert(
                *(
                    ReviewCriterion(
                        org=org,
                        review=review,
                        position=i,
                        text=f"Criterion {i}",
                        kind="should",
                        weight=2,
                    )
                    for i in range(4)
                )
            )
            slug = f"load-{o}"
            assert first is not None
            sop = await seed_sop(
                org,
                first,
                f"SOP-LD-{today.year}-001",
                "Load SOP",
                [admin, lead, committee],
                today,
                "published",
            )
            from tracker.sops.tables import SopVersion

            sop_row = (
                await SopVersion.select(SopVersion.id).where(SopVersion.document == sop).first()
            )
            assert sop_row is not None
            sop_version = sop_row["id"]
            targets = {
                "cookie": f"tracker_session={token}",
                "plain route (/healthz)": "/healthz",
                "portfolio board": f"/o/{slug}/",
                "initiative page": f"/o/{slug}/initiatives/{first}",
                "matrix": f"/o/{slug}/initiatives/{first}/matrix",
                "heat map": f"/o/{slug}/initiatives/{first}/heatmap",
                "gate review page": f"/o/{slug}/reviews/{review}",
                "KPI page (52 weeks)": f"/o/{slug}/kpis/{kpi_ids[0]}",
                "SOP version page": f"/o/{slug}/sop-versions/{sop_version}",
            }
        print(f"  organisation {o + 1}/{orgs} seeded", flush=True)
    # one organisation after another, so that votes at the same moment are in different ones
    targets["votes"] = [vote for turn in zip(*org_votes, strict=True) for vote in turn]
    return targets


async def seed_db(url: str, orgs: int, initiatives: int) -> dict[str, Any]:
    from tracker import db

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 4)
    try:
        return await seed(orgs, initiatives, scale_org=0)
    finally:
        await db.stop(engine)


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def _on_server(url: str, *statements: str) -> Any:
    """Run statements on the server's maintenance database; the first row's value of the last."""
    import asyncpg

    connection = await asyncpg.connect(_server_url(url, "postgres"))
    try:
        result = None
        for statement in statements:
            result = await connection.fetchval(statement)
        return result
    finally:
        await connection.close()


async def _on_database(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def migrate(url: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "tracker.cli", "migrate"],
        env={**env, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def cached_seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Seed once into a template database, then copy it for each run."""
    name = urlsplit(args.database_url).path.lstrip("/")
    seed_name = f"{name}_seed"
    votes = min(VOTE_REVIEWS, args.initiatives - 1)
    key = f"{args.orgs}x{args.initiatives}, {votes} vote reviews in each, {len(VOTERS)} voters"
    stored = asyncio.run(
        _on_server(
            args.database_url,
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{seed_name}'",
        )
    )
    cache = json.loads(stored) if stored else {}
    if cache.get("key") != key:
        print(f"no seed of {key} in {seed_name} yet: seeding it once")
        asyncio.run(
            _on_server(
                args.database_url,
                f'DROP DATABASE IF EXISTS "{seed_name}" WITH (FORCE)',
                f'CREATE DATABASE "{seed_name}"',
            )
        )
        seed_url = _server_url(args.database_url, seed_name)
        migrate(seed_url, env)
        started = time.perf_counter()
        targets = asyncio.run(seed_db(seed_url, args.orgs, args.initiatives))
        # as autovacuum would have it in production: visibility maps set, statistics known
        asyncio.run(_on_database(seed_url, "VACUUM ANALYZE"))
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        cache = {"key": key, "targets": targets}
        text = json.dumps(cache).replace("'", "''")
        asyncio.run(
            _on_server(args.database_url, f"COMMENT ON DATABASE \"{seed_name}\" IS '{text}'")
        )
    started = time.perf_counter()
    asyncio.run(
        _on_server(
            args.database_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            # FILE_COPY: the default (WAL_LOG) writes the whole copy to the WAL, and its
            # checkpoints then land in the measurements
            f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}" STRATEGY = FILE_COPY',
        )
    )
    migrate(args.database_url, env)  # the code may have migrations the seed predates
    # Planner statistics, as autovacuum keeps them in production (a fresh seed has none yet);
    # then a checkpoint, so that writing out the copy does not happen during the measurements.
    asyncio.run(_on_database(args.database_url, "ANALYZE"))
    asyncio.run(_on_database(args.database_url, "CHECKPOINT"))
    print(f"copied the seed from {seed_name} in {time.perf_counter() - started:.0f} s")
    return dict(cache["targets"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(
    url: str, cookie: str, duration: int, connections: int, script: str | None = None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": errors,
        "requests": float(requests.group(1)) if requests else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--initiatives", type=int, default=500)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--soak-minutes",
        type=float,
        default=0,
        help="then this many minutes of mixed reads and writes with the arq worker running "
        "(needs REDIS_URL), checking afterwards that no write was lost",
    )
    parser.add_argument(
        "--seed-cache",
        action="store_true",
        help="keep the seed in a template database (<name>_seed) and copy it for each run",
    )
    parser.add_argument(
        "--only", default="", help="measure only the routes whose name contains this text"
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "TRACKER_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TRACKER_SCHEDULER": "off",
        "TRACKER_QUERY_HEADER": "1",
        "REDIS_URL": "",
        "DB_POOL_MAX": "10",
        "DB_APP_ROLE": "tracker_app",  # behind the tenant wall, as deployed
    }
    print(
        f"seed: {args.orgs} organisations × {args.initiatives} initiatives (4 problems, 3 risks, a pilot, 2 KPIs with 52 weekly measurements each)"
    )
    if args.seed_cache:
        targets = cached_seed(args, env)
    else:
        migrate(args.database_url, env)
        started = time.perf_counter()
        targets = asyncio.run(seed_db(args.database_url, args.orgs, args.initiatives))
        asyncio.run(_on_database(args.database_url, "VACUUM ANALYZE"))
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    cookie = targets.pop("cookie")
    votes = targets.pop("votes")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
        env={**env, "BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(
            f"\none uvicorn worker, PostgreSQL behind the tenant wall, wrk -c{args.connections} -d{args.duration}s over loopback\n"
        )
        print(f"{'route':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'queries':>9}")
        # as a browser does: the CSRF cookie it was given comes back, so no page sets a new one
        csrf = httpx.get(f"{base}/login").cookies["csrftoken"]
        pages_cookie = f"{cookie}; csrftoken={csrf}"
        for name, path in targets.items():
            if args.only and args.only not in name:
                continue
            check = httpx.get(f"{base}{path}", headers={"Cookie": pages_cookie})
            assert check.status_code == 200, (path, check.status_code)
            queries = check.headers.get("x-query-count", "?")
            wrk(f"{base}{path}", pages_cookie, WARM_UP, args.connections)  # not counted
            result = wrk(f"{base}{path}", pages_cookie, args.duration, args.connections)
            again = httpx.get(f"{base}{path}", headers={"Cookie": pages_cookie})
            kept = again.headers.get("x-query-count", "?")
            if kept != queries:  # kept reads: first visit, then while nothing changed
                queries = f"{queries}/{kept}"
            print(
                f"{name:<26}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
                f"{result['errors']:>8.0f}{queries:>9}",
                flush=True,
            )
        if not args.only or args.only in "gate vote (POST)":
            result = vote_load(base, votes, args.duration, args.connections)
            print(
                f"{'gate vote (POST)':<26}{result['rps']:>9.0f}{result['p50']:>9.1f}"
                f"{result['p99']:>9.1f}{result['errors']:>8.0f}{result['queries']:>9}",
                flush=True,
            )
            print(
                f"  ({result['count']} votes, each a first vote of its voter on an open review "
                f"(a vote cannot be replayed), by {' and '.join(VOTERS)} of {args.orgs} "
                "organisations in turn; wrk with a Lua script)"
            )
        if args.soak_minutes:
            soak(base, cookie, targets, args, env)
    finally:
        server.terminate()
        server.wait(timeout=30)


VOTE_SCRIPT = """
-- Each request votes on the next open review of this thread's share (a vote cannot be replayed).
local votes = {%s}
local csrf = "%s"
local counter, threads = 0, %d
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  position = tonumber(wrk.thread:get("id"))
end
function request()
  local vote = votes[position]
  if vote == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  position = position + threads
  return wrk.format("POST", vote[2], {
    ["Cookie"] = vote[1] .. "; csrftoken=" .. csrf,
    ["x-csrftoken"] = csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, vote[3])
end
"""


def vote_load(base: str, votes: list[list[Any]], duration: int, connections: int) -> dict[str, Any]:
    """Votes (score every criterion 4, vote Go), each on another open review, driven by wrk
    with a Lua script; the first is cast with httpx to read the query count."""
    csrf = httpx.get(f"{base}/login").cookies["csrftoken"]

    def body(criteria: list[int]) -> str:
        return "&".join(f"score_{c}=4" for c in criteria) + "&vote=go"

    cookie, path, criteria = votes[0]
    first = httpx.post(
        f"{base}{path}",
        content=body(criteria),
        headers={
            "Cookie": f"{cookie}; csrftoken={csrf}",
            "x-csrftoken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert first.status_code == 303, (first.status_code, first.text[-500:])

    def script_of(share: list[list[Any]]) -> str:
        entries = ",".join(f'{{"{c}","{p}","{body(k)}"}}' for c, p, k in share)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(VOTE_SCRIPT % (entries, csrf, 2))
        return script.name

    # the warm-up votes on reviews of its own, so that the measured votes are all first votes
    warm_up_share = len(votes) // 5
    measured = votes[1 : len(votes) - warm_up_share]
    scripts = [script_of(votes[len(votes) - warm_up_share :]), script_of(measured)]
    try:
        wrk(base + "/", "", WARM_UP, connections, script=scripts[0])  # not counted
        result = wrk(base + "/", "", duration, connections, script=scripts[1])
    finally:
        for name in scripts:
            os.unlink(name)
    result["count"] = int(result["requests"])
    result["queries"] = first.headers.get("x-query-count", "?")
    if result["count"] >= len(measured):
        print("  (every seeded vote was cast before the time was up: add VOTERS)")
    return result


def soak(
    base: str, cookie: str, targets: dict[str, str], args: argparse.Namespace, env: dict[str, str]
) -> None:
    """Mixed reads and writes for a while, with the worker running; then count the writes."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "worker"],
        env={**env, "REDIS_URL": redis_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    initiative = targets["initiative page"]
    written: list[str] = []
    failures = reads = 0

    csrf = httpx.get(f"{base}/login").cookies["csrftoken"]
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "x-csrftoken": csrf}

    async def run() -> None:
        nonlocal failures, reads
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            deadline = time.monotonic() + args.soak_minutes * 60

            async def user(number: int) -> None:
                nonlocal failures, reads
                n = 0
                while time.monotonic() < deadline:
                    n += 1
                    if n % 4 == 0:
                        title = f"soak {number}-{n}"
                        response = await client.post(
                            f"{initiative}/problems",
                            data={
                                "title": title,
                                "category": "quality",
                                "impact": "3",
                                "urgency": "3",
                            },
                        )
                        if response.status_code == 303:
                            written.append(title)
                        else:
                            failures += 1
                            if failures == 1:
                                print(
                                    f"soak: first failed write: {response.status_code} {response.text[-600:]}",
                                    flush=True,
                                )
                    else:
                        response = await client.get(rng_choice(list(targets.values()), number + n))
                        reads += 1
                        if response.status_code != 200:
                            failures += 1

            await asyncio.gather(*(user(i) for i in range(8)))

    print(
        f"\nsoak: {args.soak_minutes} min of mixed reads and writes, 8 clients, the arq worker running…",
        flush=True,
    )
    try:
        asyncio.run(run())
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    stored = asyncio.run(count_soak_rows(env["DATABASE_URL"]))
    print(
        f"soak: {reads} reads, {len(written)} writes acknowledged, {failures} failures; "
        f"{stored} written rows found in the database: {'no write lost' if stored == len(written) else 'WRITES LOST'}"
    )


def rng_choice(items: list[str], n: int) -> str:
    return items[n % len(items)]


async def count_soak_rows(url: str) -> int:
    from tracker import db
    from tracker.problems.tables import Problem

    engine = db.make_engine(url)
    db.use_engine(engine)
    return int(await Problem.count().where(Problem.title.like("soak %")))


if __name__ == "__main__":
    main()
