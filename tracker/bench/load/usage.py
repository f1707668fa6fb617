"""Where a measurement's CPU went, read from /proc: the app's worker processes, the
PostgreSQL back-ends serving its database, wrk, and everything else on the machine (other
people's tests share its cores). Also the memory of each worker. Linux only; elsewhere the
figures are absent."""

from __future__ import annotations

import asyncio
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by one process; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def children(pid: int) -> list[int]:
    """A process's children and theirs (uvicorn's workers under its supervisor)."""
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            found = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in found:
            out += [child, *children(child)]
    return out


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers(server: int) -> list[int]:
    """The processes that serve requests: the server itself with one worker, else the
    children it spawned for them (not multiprocessing's resource tracker)."""
    spawned = [pid for pid in children(server) if "spawn_main" in _command(pid)]
    return spawned or [server]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _machine_busy() -> float:
    """CPU seconds all cores have been busy since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle, iowait
    return (sum(values[:8]) - idle) / TICKS


async def _backends(url: str) -> list[int]:
    import asyncpg

    from tracker.bench.load.seeding import server_url

    name = url.rsplit("/", 1)[1].split("?")[0]
    connection = await asyncpg.connect(server_url(url, "postgres"))
    try:
        rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await connection.close()
    return [r["pid"] for r in rows]


def backends(url: str) -> list[int]:
    """The PostgreSQL server processes connected to the app's database (its pool)."""
    try:
        return asyncio.run(_backends(url))
    except Exception:  # figures only: none rather than a failed run
        return []


@dataclass
class Usage:
    """CPU used between ``start`` and ``stop`` by each party."""

    server: int
    database_url: str

    def start(self) -> None:
        self.app_pids = workers(self.server)
        self.db_pids = backends(self.database_url)
        self.app0 = sum(_cpu(p) for p in self.app_pids)
        self.db0 = {p: _cpu(p) for p in self.db_pids}
        self.wrk0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.machine0 = _machine_busy()
        self.wall0 = time.monotonic()

    def stop(self, requests: float) -> dict[str, Any]:
        """Cores used on average by each party, and CPU ms per request."""
        wall = time.monotonic() - self.wall0
        app = sum(_cpu(p) for p in self.app_pids) - self.app0
        db_pids = set(self.db_pids) | set(backends(self.database_url))
        db = sum(_cpu(p) - self.db0.get(p, 0.0) for p in db_pids)
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk = (now.ru_utime - self.wrk0.ru_utime) + (now.ru_stime - self.wrk0.ru_stime)
        machine = _machine_busy() - self.machine0
        others = max(0.0, machine - app - db - wrk)
        per = 1000 / requests if requests else float("nan")
        return {
            "cores": {
                "app": app / wall,
                "db": db / wall,
                "wrk": wrk / wall,
                "others": others / wall,
                "machine": os.cpu_count() or 0,
            },
            "cpu_ms_per_request": {"app": app * per, "db": db * per, "wrk": wrk * per},
        }


def ceiling(per: dict[str, float], workers: int, cores: int) -> float:
    """Requests a second the machine could serve with nothing else on it, from the CPU each
    request costs: ``workers`` processes can use at most one core each, and all of them,
    PostgreSQL and wrk share ``cores``."""
    app, total = per["app"], per["app"] + per["db"] + per["wrk"]
    if not app > 0 or not total > 0:
        return float("nan")
    return 1000 * min(workers / app, cores / total)


def describe(usage: dict[str, Any]) -> str:
    cores, per = usage["cores"], usage["cpu_ms_per_request"]
    machine = int(cores["machine"])
    return (
        f"  cores used: app {cores['app']:.2f}, PostgreSQL {cores['db']:.2f}, "
        f"wrk {cores['wrk']:.2f}, others {cores['others']:.2f} (of {machine}); "
        f"CPU ms per request: app {per['app']:.2f}, PostgreSQL {per['db']:.2f}, "
        f"wrk {per['wrk']:.2f}; on an idle machine at most {ceiling(per, 1, machine):.0f} "
        f"req/s with one worker, {ceiling(per, 2, machine):.0f} with two"
    )
