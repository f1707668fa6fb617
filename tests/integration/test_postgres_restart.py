"""Fault: PostgreSQL really restarts (pg_ctlcluster) under a running app, which recovers on
its own. Drives a separate server process with a plain blocking client, as production would
be driven."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys

import httpx
from piccolo.querystring import QueryString

from tests.conftest import PG_URL, ROOT, drop_postgres, fresh_postgres, need, run_cli
from tests.integration.test_tenant_wall_app import SERVER_KEY, free_port, sign_up, wait_until_up

RESTART_DB = f"tracker_restart_{os.getpid()}"  # a run of its own: other runs may share the server


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=120,
    )


async def wait_for_postgres(url: str) -> None:
    import asyncpg

    for _ in range(100):
        try:
            connection = await asyncpg.connect(url)
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.2)
        else:
            await connection.close()
            return
    raise AssertionError("PostgreSQL did not come back within 20 s")


async def test_postgres_restart_the_running_app_recovers(world, tmp_path):
    """A real restart of the server (not just dropped connections) under a running app behind
    the tenant wall: pages and writes come back without restarting the app."""
    if world.backend != "postgres":
        return
    need(
        "PostgreSQL restart rights (pg_ctlcluster as root)",
        shutil.which("pg_ctlcluster") is not None
        and os.path.isdir("/etc/postgresql")
        and os.geteuid() == 0,
    )
    url = await fresh_postgres(RESTART_DB)
    run_cli("migrate", database_url=url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DB_APP_ROLE": "tracker_app",
            "DB_POOL_MIN": "3",
            "TRACKER_SCHEDULER": "off",
            "REDIS_URL": "",
            "BASE_URL": base,
            "TRACKER_DATA_DIR": str(tmp_path),
            "SECRET_KEY": SERVER_KEY,
        },
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "w"),
    )
    try:
        wait_until_up(base)
        person = await sign_up(base, "Rita", "restart", url)
        assert person.get("/o/restart/").status_code == 200

        restart_postgres()
        await wait_for_postgres(PG_URL)

        statuses = []
        for _ in range(10):
            statuses.append(person.get("/o/restart/").status_code)
            if statuses[-3:] == [200, 200, 200]:
                break
        # each pooled connection the restart cut may fail one request; then pages come back
        assert statuses[-3:] == [200, 200, 200], statuses
        assert statuses.count(200) >= len(statuses) - 3, statuses
        saved = person.post("/o/restart/digests/preference", {"frequency": "off"})
        assert saved.status_code == 303, saved.text[:300]
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert server.poll() is None, "the app kept running"
    finally:
        server.terminate()
        server.wait(timeout=30)
        # this test process's own pool lost its connections too: let it replace them
        for _ in range(12):  # more than the pool holds
            with contextlib.suppress(Exception):
                await world.engine.run_querystring(QueryString("SELECT 1"))  # type: ignore[attr-defined]
        await drop_postgres(RESTART_DB)
