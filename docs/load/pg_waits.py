"""What PostgreSQL's backends of one database are doing, sampled while a load runs: each
sample counts the backends by state and wait (``pg_stat_activity``), and the totals say where
the requests' database time goes (running, waiting for a lock, for the WAL's flush at commit,
idle in a transaction while the app computes, idle between requests).

    python docs/load/pg_waits.py postgresql://root@127.0.0.1/postgres bench_db --seconds 10

Run it beside ``python -m tracker.bench.load … --mixed 10 --only "portfolio board"`` (as a
superuser or the database's owner, so the app role's backends are visible). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter

import asyncpg

SAMPLE = """
SELECT state, COALESCE(wait_event_type, '') AS type, COALESCE(wait_event, '') AS event
FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


async def sample(url: str, database: str, seconds: float, every: float) -> Counter[str]:
    connection = await asyncpg.connect(url)
    seen: Counter[str] = Counter()
    samples = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for row in await connection.fetch(SAMPLE, database):
                wait = f"{row['type']}:{row['event']}" if row["type"] else "on CPU"
                seen[f"{row['state']} · {wait}"] += 1
            samples += 1
            await asyncio.sleep(every)
    finally:
        await connection.close()
    seen["(samples)"] = samples
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("url", help="a connection to the server (any database)")
    parser.add_argument("database", help="the database whose backends are sampled")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--every", type=float, default=0.005, help="seconds between samples")
    args = parser.parse_args()
    seen = asyncio.run(sample(args.url, args.database, args.seconds, args.every))
    samples = seen.pop("(samples)") or 1
    total = sum(seen.values()) or 1
    print(f"{samples} samples; backends per sample {total / samples:.1f}")
    for name, count in seen.most_common():
        print(f"  {count / samples:6.2f} backends  {100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
