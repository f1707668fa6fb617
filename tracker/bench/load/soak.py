"""The soak: mixed reads and writes for a while with the arq worker running, then a count of
the written rows (no acknowledged write may be lost)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx


def soak(
    base: str,
    cookie: str,
    targets: dict[str, str],
    args: argparse.Namespace,
    env: dict[str, str],
    memory: Callable[[], list[float]] = list,
) -> dict[str, Any]:
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
    minutes: list[list[float]] = [memory()]
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

            async def watch() -> None:  # each worker's memory, a minute apart
                while time.monotonic() < deadline:
                    await asyncio.sleep(min(60, max(0.0, deadline - time.monotonic())))
                    minutes.append(memory())

            await asyncio.gather(watch(), *(user(i) for i in range(8)))

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
    print(f"soak: memory per worker (RSS, MB) each minute: {minutes}")
    return {
        "reads": reads,
        "writes": len(written),
        "failures": failures,
        "stored": stored,
        "rss_mb_each_minute": minutes,
    }


def rng_choice(items: list[str], n: int) -> str:
    return items[n % len(items)]


async def count_soak_rows(url: str) -> int:
    from tracker import db
    from tracker.problems.tables import Problem

    engine = db.make_engine(url)
    db.use_engine(engine)
    return int(await Problem.count().where(Problem.title.like("soak %")))
