"""Every page of the demo, timed: ``python -m tracker.bench.pages [--port 8139]``.

Starts ``tracker up`` on a fresh SQLite database (the embedded default, as a first-time
user runs it), logs in as the demo person, and walks the links of the demo organisation
breadth first from the board (every kind of page, up to ``--per-kind`` pages of each kind:
the 12 initiatives' tabs are one kind each). Each page's first load is timed as the walk
reaches it, then its later loads (the median of three). ``--cold`` also restarts the server
before one page of each kind and times that page first of all: the very first request of a
process, as after a deploy. Beside the time the client saw, the server's own time and CPU
time (``Server-Timing``) and its queries (``X-Query-Count``): on a busy machine wall times
stretch, CPU times much less. Prints a table per page and per kind of page; it is a
benchmark that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SKIP = re.compile(
    r"/(export|logout|raci\.xlsx|print)\b|\.xlsx$|\.csv$|/api/|/static/|#|/switch|/language"
)


@contextmanager
def server(port: int, data_dir: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "TRACKER_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir}/tracker.sqlite3",
        "REDIS_URL": "",
        "TRACKER_QUERY_HEADER": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "up", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(30)


def log_in(base: str) -> httpx.Client:
    from tracker.demo import DEMO_EMAIL, DEMO_PASSWORD

    client = httpx.Client(base_url=base, timeout=30, headers={"accept-language": "en"})
    page = client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    data = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "next": ""}
    if token:
        data["_csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    if response.status_code not in (302, 303):
        raise SystemExit(f"log-in failed: {response.status_code}")
    return client


@dataclass
class Load:
    wall: float  # ms, as the client saw it
    cpu: float  # ms of the server process's CPU
    queries: int


def timed(client: httpx.Client, path: str) -> tuple[Load, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    wall = (time.perf_counter() - started) * 1000
    cpu = re.search(r"cpu;dur=([\d.]+)", response.headers.get("server-timing", ""))
    queries = int(response.headers.get("x-query-count", "0"))
    return Load(wall, float(cpu.group(1)) if cpu else 0.0, queries), response


def kind(path: str) -> str:
    return re.sub(r"/\d+", "/{id}", path.split("?")[0])


@dataclass
class Page:
    path: str
    status: int
    first: Load
    later: Load  # the median of three by wall time


def walk(client: httpx.Client, start: str, per_kind: int) -> list[Page]:
    """Every kind of page reachable from ``start``, up to ``per_kind`` pages of each."""
    seen = {start}
    counted: dict[str, int] = {}
    queue = deque([start])
    pages: list[Page] = []
    while queue:
        path = queue.popleft()
        first, response = timed(client, path)
        again = sorted((timed(client, path)[0] for _ in range(3)), key=lambda load: load.wall)
        pages.append(Page(path, response.status_code, first, again[1]))
        for href in re.findall(r'href="(/o/demo/[^"]*)"', response.text):
            href = href.replace("&amp;", "&")
            if href in seen or SKIP.search(href):
                continue
            seen.add(href)
            if counted.get(kind(href), 0) < per_kind:
                counted[kind(href)] = counted.get(kind(href), 0) + 1
                queue.append(href)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8139)
    parser.add_argument("--per-kind", type=int, default=3, help="pages of each kind")
    parser.add_argument("--cold", action="store_true", help="restart before each kind of page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-pages-") as tmp:
        data_dir = Path(tmp)
        with server(args.port, data_dir) as base:
            pages = walk(log_in(base), "/o/demo/", args.per_kind)
        print("ms: wall as the client saw it / the server's CPU; q: queries")
        print(f"{'page':<58} {'first ms':>13} {'later ms':>13} {'q':>3} status")
        for p in pages:
            print(
                f"{p.path[:58]:<58} {p.first.wall:6.1f}/{p.first.cpu:6.1f} "
                f"{p.later.wall:6.1f}/{p.later.cpu:6.1f} {p.later.queries:3d} {p.status}"
            )
        kinds: dict[str, list[Page]] = {}
        for p in pages:
            kinds.setdefault(kind(p.path), []).append(p)
        print(f"\n{len(pages)} pages, {len(kinds)} kinds (the slowest page of each kind)")
        print(f"{'kind of page':<46} {'first ms':>13} {'later ms':>13} {'q':>3} {'cold ms':>13}")
        for name, group in sorted(kinds.items(), key=lambda kv: -max(p.first.wall for p in kv[1])):
            first = max(group, key=lambda p: p.first.wall).first
            later = max(group, key=lambda p: p.later.wall).later
            cold = ""
            if args.cold:
                with server(args.port, data_dir) as again:
                    load = timed(log_in(again), group[0].path)[0]
                    cold = f"{load.wall:6.1f}/{load.cpu:6.1f}"
            print(
                f"{name[:46]:<46} {first.wall:6.1f}/{first.cpu:6.1f} "
                f"{later.wall:6.1f}/{later.cpu:6.1f} {later.queries:3d} {cold:>13}"
            )
        slow = [p for p in pages if max(p.first.wall, p.later.wall) >= 150]
        print(f"\npages at or over 150 ms wall (first or later): {len(slow)} of {len(pages)}")


if __name__ == "__main__":
    main()
