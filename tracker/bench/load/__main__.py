"""``python -m tracker.bench.load``: see the package's docstring."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tracker.bench.load import __doc__ as DOC
from tracker.bench.load.drive import WARM_UP, free_port, mixed_load, vote_load, wrk
from tracker.bench.load.seeding import VOTERS, cached_seed, fresh_seed
from tracker.bench.load.soak import soak


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(DOC or "").splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--initiatives", type=int, default=500, help="per organisation")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--cold", action="store_true", help="keep no rendered parts")
    parser.add_argument(
        "--mixed", type=int, action="append", default=[], metavar="N",
        help="the board with one write per N reads on each connection (repeatable)",
    )  # fmt: skip
    parser.add_argument("--json", default="", metavar="PATH", help="write the figures here")
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
    return parser.parse_args()


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
        "DB_POOL_MAX": "10",
        "DB_APP_ROLE": "tracker_app",  # behind the tenant wall, as deployed
    }


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[str]:
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
        yield base
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


def read_routes(base: str, cookie: str, pages: dict[str, str], args: argparse.Namespace) -> dict:
    """Each route read over and over: req/s, p50, p99, errors, queries (first visit / kept)."""
    results: dict[str, Any] = {}
    plain = None
    for name, path in pages.items():
        if args.only and args.only not in name and not name.startswith("plain"):
            continue
        check = httpx.get(f"{base}{path}", headers={"Cookie": cookie})
        assert check.status_code == 200, (path, check.status_code)
        queries = check.headers.get("x-query-count", "?")
        wrk(f"{base}{path}", cookie, WARM_UP, args.connections)  # not counted
        result = wrk(f"{base}{path}", cookie, args.duration, args.connections)
        again = httpx.get(f"{base}{path}", headers={"Cookie": cookie})
        kept = again.headers.get("x-query-count", "?")
        if kept != queries:  # kept reads: first visit, then while nothing changed
            queries = f"{queries}/{kept}"
        plain = plain or result["rps"]
        line(name, result, plain, queries)
        del result["output"]
        results[name] = {**result, "queries": queries, "share_of_plain": result["rps"] / plain}
    return results


def main() -> None:
    args = arguments()
    env = environment(args)
    print(
        f"seed: {args.orgs} organisations × {args.initiatives} initiatives (4 problems, 3 risks, "
        "a pilot, 2 KPIs with 52 weekly measurements each)"
    )
    targets = cached_seed(args, env) if args.seed_cache else fresh_seed(args, env)
    kept = "cold: no rendered part kept" if args.cold else "kept parts on"
    with serving(env, args.workers) as base:
        print(
            f"\n{args.workers} uvicorn worker(s), PostgreSQL behind the tenant wall, {kept}, "
            f"wrk -c{args.connections} -d{args.duration}s over loopback\n"
        )
        print(
            f"{'route':<28}{'req/s':>9}{'/ plain':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"{'queries':>9}"
        )
        # as a browser does: the CSRF cookie it was given comes back, so no page sets a new one
        csrf = httpx.get(f"{base}/login").cookies["csrftoken"]
        cookie = f"{targets['cookie']}; csrftoken={csrf}"
        results = read_routes(base, cookie, targets["pages"], args)
        plain = next(iter(results.values()))["rps"]
        if not args.only or args.only in "gate vote (POST)":
            vote = vote_load(base, targets["votes"], args.duration, args.connections)
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
                base, targets["mixed"], every, args.duration, args.connections, offset
            )
            offset += mixed["planned"]
            line(f"board, 1 write per {every} reads", mixed, plain, "")
            writes = {
                "rps": mixed["write_rps"],
                "p50": mixed["write_p50"],
                "p99": mixed["write_p99"],
                "errors": 0,  # counted with the reads
            }
            line("  its writes (KPI measure)", writes, plain, "")
            results[f"board, mixed 1:{every}"] = {**mixed, "share_of_plain": mixed["rps"] / plain}
        if args.soak_minutes:
            soak(base, targets["cookie"], targets["pages"], args, env)
    if args.json:
        summary = {
            "orgs": args.orgs,
            "initiatives": args.initiatives,
            "workers": args.workers,
            "cold": args.cold,
            "connections": args.connections,
            "duration": args.duration,
            "routes": results,
        }
        with open(args.json, "w") as out:
            json.dump(summary, out, indent=1)


if __name__ == "__main__":
    main()
