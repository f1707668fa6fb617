"""``python -m tracker.bench.load``: see the package's docstring."""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tracker.bench.load import __doc__ as DOC
from tracker.bench.load import drive
from tracker.bench.load.drive import WARM_UP, free_port, mixed_load, vote_load, wrk
from tracker.bench.load.profile import flame
from tracker.bench.load.scaling import compare
from tracker.bench.load.seeding import VOTERS, cached_seed, fresh_seed, routes
from tracker.bench.load.soak import soak
from tracker.bench.load.usage import Usage, describe, rss_mb, workers

# The README table's matrix: (organisations, initiatives each), then per size one and two
# workers, each with kept parts (every route, the vote, the mixed board) and cold (every read).
SIZES = ((20, 500), (1, 10_000))
MATRIX_MIXED = (10, 1)
# A page that takes this much CPU alone is not loaded with wrk: at 32 connections its answers
# would take over 3 s, past wrk's timeout (2 s), and the server would still be working through
# them when the next route starts
TOO_SLOW_CPU_MS = 100
PATIENCE = 120  # seconds the benchmark's own requests wait (a large page takes seconds)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(DOC or "").splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--initiatives", type=int, default=500, help="per organisation")
    parser.add_argument("--duration", type=int, help="seconds per route (10; --matrix 5)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--pool", type=int, default=10, help="pooled connections per worker")
    parser.add_argument("--cold", action="store_true", help="keep no rendered parts")
    parser.add_argument(
        "--mixed", type=int, action="append", default=[], metavar="N",
        help="the board with one write per N reads on each connection (repeatable)",
    )  # fmt: skip
    parser.add_argument("--json", default="", metavar="PATH", help="write the figures here")
    parser.add_argument(
        "--matrix", action="store_true",
        help="every run of the README's table: 20×500 and 1×10,000, one and two workers, kept "
        "(with the vote and the board mixed 1:10 and 1:1) and cold; implies --seed-cache",
    )  # fmt: skip
    parser.add_argument(
        "--flame", default="", metavar="PATH",
        help="instead: a flame graph (SVG, py-spy) of one worker serving the board cold; "
        "PATH ending in .txt: py-spy's collapsed stacks and the heaviest frames printed",
    )  # fmt: skip
    parser.add_argument(
        "--scaling", type=int, default=0, metavar="ROUNDS",
        help="instead: one worker against two (or --workers K), side by side, taking turns",
    )  # fmt: skip
    parser.add_argument(
        "--wrk-cpu", default="", metavar="CPUS", help="run wrk pinned there (taskset -c CPUS)"
    )
    parser.add_argument(
        "--soak-minutes", type=float, default=0,
        help="then this many minutes of mixed reads and writes with the arq worker running "
        "(needs REDIS_URL), checking afterwards that no write was lost",
    )  # fmt: skip
    parser.add_argument(
        "--seed-cache",
        action="store_true",
        help="keep the seed in a template database and copy it for each run",
    )
    parser.add_argument(
        "--only", default="", help="measure only the routes whose name contains this text"
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (5 if args.matrix else 10)
    args.writes = True  # the vote and the mixed board (a matrix's cold runs leave them out)
    return args


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "TRACKER_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TRACKER_SCHEDULER": "off",
        "TRACKER_QUERY_HEADER": "1",
        "TRACKER_KEPT_PARTS": "off" if args.cold else "on",
        "REDIS_URL": "",
        "DB_POOL_MAX": str(args.pool),
        "DB_APP_ROLE": "tracker_app",  # behind the tenant wall, as deployed
    }


@dataclass
class Server:
    base: str
    pid: int  # uvicorn: with one worker it serves; with more, its children do
    database_url: str


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[Server]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", *command],
        env={**env, "BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield Server(base, server.pid, env["DATABASE_URL"])
    finally:
        server.terminate()
        server.wait(timeout=30)


def line(name: str, result: dict[str, Any], plain: float | None, queries: str) -> None:
    share = f"{100 * result['rps'] / plain:.1f} %" if plain else ""
    print(
        f"{name:<28}{result['rps']:>9.0f}{share:>9}{result['p50']:>9.1f}{result['p99']:>9.1f}"
        f"{result['errors']:>8.0f}{queries:>9}",
        flush=True,
    )


def timed(server: Server, run: Any) -> dict[str, Any]:
    """``run()`` (a wrk run) with the CPU each party used meanwhile."""
    usage = Usage(server.pid, server.database_url)
    usage.start()
    result: dict[str, Any] = run()
    result["usage"] = usage.stop(result.get("requests") or 0)
    return result


def alone(url: str, cookie: str, times: int = 5) -> dict[str, float]:
    """The route requested ``times`` times one after another, nothing else running: the
    median of the app's time, its CPU time and its time waiting for PostgreSQL
    (``Server-Timing``), in ms."""
    seen: dict[str, list[float]] = {"app": [], "cpu": [], "sql": []}
    for _ in range(times):
        response = httpx.get(url, headers={"Cookie": cookie}, timeout=PATIENCE)
        timing = response.headers.get("server-timing", "")
        for name, value in re.findall(r"(\w+);dur=([\d.]+)", timing):
            seen.setdefault(name, []).append(float(value))
    return {name: statistics.median(values) for name, values in seen.items() if values}


def read_routes(
    server: Server, cookie: str, pages: dict[str, str], args: argparse.Namespace
) -> dict:
    """Each route read over and over: req/s, p50, p99, errors, queries (first visit / kept)."""
    base = server.base
    results: dict[str, Any] = {}
    plain = None
    for name, path in pages.items():
        if args.only and args.only not in name and not name.startswith("plain"):
            continue
        check = httpx.get(f"{base}{path}", headers={"Cookie": cookie}, timeout=PATIENCE)
        assert check.status_code == 200, (path, check.status_code)
        queries = check.headers.get("x-query-count", "?")
        quiet = alone(f"{base}{path}", cookie, 1)
        if quiet.get("cpu", 0) > TOO_SLOW_CPU_MS:
            print(
                f"{name:<28}   not loaded: alone {quiet.get('app', 0):.0f} ms, its CPU "
                f"{quiet['cpu']:.0f} ms, waiting for PostgreSQL {quiet.get('sql', 0):.0f} ms, "
                f"{len(check.content) / 1024:,.0f} KiB",
                flush=True,
            )
            results[name] = {
                "skipped": True,
                "queries": queries,
                "alone_ms": quiet,
                "kib": len(check.content) / 1024,
            }
            continue
        wrk(f"{base}{path}", cookie, WARM_UP, args.connections)  # not counted
        quiet = alone(f"{base}{path}", cookie)
        result = timed(
            server, lambda p=path: wrk(f"{base}{p}", cookie, args.duration, args.connections)
        )
        again = httpx.get(f"{base}{path}", headers={"Cookie": cookie}, timeout=PATIENCE)
        kept = again.headers.get("x-query-count", "?")
        if kept != queries:  # kept reads: first visit, then while nothing changed
            queries = f"{queries}/{kept}"
        plain = plain or result["rps"]
        line(name, result, plain, queries)
        print(
            f"  alone: app {quiet.get('app', 0):.1f} ms, its CPU {quiet.get('cpu', 0):.1f} ms, "
            f"waiting for PostgreSQL {quiet.get('sql', 0):.1f} ms\n{describe(result['usage'])}",
            flush=True,
        )
        del result["output"]
        results[name] = {
            **result,
            "queries": queries,
            "share_of_plain": result["rps"] / plain,
            "alone_ms": quiet,
        }
    return results


def writes(server: Server, targets: dict, args: argparse.Namespace, results: dict) -> None:
    """The vote, then the board mixed with writes: added to ``results``."""
    plain = next(iter(results.values()))["rps"]
    if not args.only or args.only in "gate vote (POST)":
        vote = timed(
            server,
            lambda: vote_load(server.base, targets["votes"], args.duration, args.connections),
        )
        line("gate vote (POST)", vote, plain, vote["queries"])
        print(
            f"  ({vote['count']} votes, each a first vote of its voter on an open review, "
            f"by {' and '.join(VOTERS)} of {args.orgs} organisations in turn)"
        )
        del vote["output"]
        results["gate vote (POST)"] = {**vote, "share_of_plain": vote["rps"] / plain}
    offset = 0
    for every in args.mixed:
        mixed = mixed_load(
            server.base, targets["mixed"], every, args.duration, args.connections, offset
        )
        offset += mixed["planned"]
        line(f"board, 1 write per {every} reads", mixed, plain, "")
        its = {"rps": mixed["write_rps"], "p50": mixed["write_p50"], "p99": mixed["write_p99"]}
        line("  its writes (KPI measure)", {**its, "errors": 0}, plain, "")  # errors: with reads
        results[f"board, mixed 1:{every}"] = {**mixed, "share_of_plain": mixed["rps"] / plain}


def measure(args: argparse.Namespace, env: dict[str, str], targets: dict) -> dict[str, Any]:
    """One server run: every read route, then the writes; a summary (--json's shape)."""
    kept = "cold: no rendered part kept" if args.cold else "kept parts on"
    with serving(env, args.workers) as server:
        print(
            f"\n{args.orgs}×{args.initiatives} initiatives, {args.workers} uvicorn worker(s) with "
            f"{args.pool} pooled connections each, PostgreSQL behind the tenant wall, {kept}, "
            f"wrk -c{args.connections} -d{args.duration}s over loopback\n"
        )
        print(
            f"{'route':<28}{'req/s':>9}{'/ plain':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"{'queries':>9}"
        )
        started = [round(rss_mb(pid), 1) for pid in workers(server.pid)]
        # as a browser does: the CSRF cookie it was given comes back, so no page sets a new one
        csrf = httpx.get(f"{server.base}/login").cookies["csrftoken"]
        cookie = f"{targets['cookie']}; csrftoken={csrf}"
        results = read_routes(server, cookie, routes(targets), args)
        if args.writes:
            writes(server, targets, args, results)
        soaked = {}
        if args.soak_minutes:
            soaked = soak(
                server.base, targets["cookie"], targets["pages"], args, env,
                lambda: [round(rss_mb(pid), 1) for pid in workers(server.pid)],
            )  # fmt: skip
        memory = [round(rss_mb(pid), 1) for pid in workers(server.pid)]
        print(
            f"memory per worker (RSS, MB): {', '.join(str(m) for m in memory)} "
            f"(after start-up: {', '.join(str(m) for m in started)})",
            flush=True,
        )
    return {
        "orgs": args.orgs,
        "initiatives": args.initiatives,
        "workers": args.workers,
        "pool": args.pool,
        "cold": args.cold,
        "connections": args.connections,
        "duration": args.duration,
        "worker_rss_mb": memory,
        "worker_rss_mb_at_start": started,
        **({"soak": soaked} if soaked else {}),
        "routes": results,
    }


def matrix(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The README table's runs, each on a fresh copy of its seed (votes cannot be replayed)."""
    runs = []
    for orgs, initiatives in SIZES:
        for count in (1, 2):
            for cold in (False, True):
                run = copy.copy(args)
                run.orgs, run.initiatives, run.workers, run.cold = orgs, initiatives, count, cold
                run.mixed, run.writes = ([], False) if cold else (list(MATRIX_MIXED), True)
                env = environment(run)
                targets = cached_seed(run, env)
                runs.append(measure(run, env, targets))
                if args.json:  # as it goes: a long run that fails keeps what it measured
                    with open(args.json, "w") as out:
                        json.dump({"runs": runs}, out, indent=1)
    return runs


def main() -> None:
    args = arguments()
    if args.wrk_cpu:
        drive.PIN[:] = ["taskset", "-c", args.wrk_cpu]
    if args.matrix:
        matrix(args)
        return
    env = environment(args)
    print(
        f"seed: {args.orgs} organisations × {args.initiatives} initiatives (4 problems, 3 risks, "
        "a pilot, 2 KPIs with 52 weekly measurements each)"
    )
    targets = cached_seed(args, env) if args.seed_cache else fresh_seed(args, env)
    if args.scaling:
        summary = {"scaling": compare(args, env, routes(targets), targets["cookie"])}
        if args.json:
            with open(args.json, "w") as out:
                json.dump({**vars(args), **summary}, out, indent=1)
        return
    if args.flame:
        with serving({**env, "TRACKER_KEPT_PARTS": "off"}, 1) as server:
            flame(server.base, server.pid, targets, args)
        return
    summary = measure(args, env, targets)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(summary, out, indent=1)


if __name__ == "__main__":
    main()
