"""Production refuses a database role that bypasses the tenant wall: ``tracker serve``,
``tracker up`` and ``tracker worker`` started for real, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from tests.conftest import (
    PG_URL,
    REDIS_URL,
    ROOT,
    drop_postgres,
    fresh_postgres,
    need,
    reachable,
    run_cli,
)
from tests.processes import free_port, stop, wait_for

# a Redis database of its own: the worker started here takes every job of its queue
ROLE_REDIS_URL = os.environ.get("TEST_ROLE_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/12")
BYPASS = "tracker_replicas_bypass"  # LOGIN BYPASSRLS
OWNER = "tracker_replicas_owner"  # LOGIN, owns one tenant table


def production(url: str, tmp_path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "DATABASE_URL": url,
        "TRACKER_DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
        "DB_APP_ROLE": "",
        **extra,
    }
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def as_role(url: str, role: str) -> str:
    return url.replace("postgresql://root@", f"postgresql://{role}@", 1)


@pytest.fixture(scope="module")
async def database():
    need("PostgreSQL", reachable(PG_URL, 5432))
    name = f"tracker_replicas_role_{os.getpid()}"
    url = await fresh_postgres(name)
    run_cli("migrate", database_url=url)
    owner = await asyncpg.connect(url)
    for role, options in ((BYPASS, "LOGIN BYPASSRLS"), (OWNER, "LOGIN")):
        await owner.execute(f"DROP ROLE IF EXISTS {role}")
        await owner.execute(f"CREATE ROLE {role} {options}")
    await owner.execute(f"ALTER TABLE kpi OWNER TO {OWNER}")
    try:
        yield url
    finally:
        await owner.execute("ALTER TABLE kpi OWNER TO root")
        await owner.close()
        await drop_postgres(name)
        cleanup = await asyncpg.connect(PG_URL)
        for role in (BYPASS, OWNER):
            await cleanup.execute(f"DROP ROLE IF EXISTS {role}")
        await cleanup.close()


@pytest.mark.parametrize(
    ("command", "role", "why"),
    [
        (["serve"], "root", "it is a superuser"),
        (["up"], "root", "it is a superuser"),
        (["worker"], BYPASS, "it has BYPASSRLS"),
        (["serve"], OWNER, "it owns tenant tables: kpi"),
    ],
)
def test_production_refuses_a_role_that_bypasses_the_wall(database, tmp_path, command, role, why):
    env = production(as_role(database, role), tmp_path, REDIS_URL=ROLE_REDIS_URL)
    result = run([*command, "--port", str(free_port())] if command != ["worker"] else command, env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith(f"Configuration error: the database role '{role}'")
    assert why in result.stderr
    assert "Set DB_APP_ROLE=tracker_app" in result.stderr
    assert "Uvicorn running" not in result.stderr and "Starting worker" not in result.stderr


def test_an_app_role_that_bypasses_the_wall_is_refused_too(database, tmp_path):
    result = run(
        ["serve", "--port", str(free_port())],
        production(database, tmp_path, DB_APP_ROLE=BYPASS),
    )
    assert result.returncode == 2
    assert f"DB_APP_ROLE={BYPASS} bypasses row-level security (it has BYPASSRLS)" in result.stderr


def test_migrate_runs_as_the_owner_in_production(database, tmp_path):
    result = run(["migrate"], production(database, tmp_path))
    assert result.returncode == 0 and "up to date" in result.stdout


async def test_with_db_app_role_the_app_and_the_worker_start(database, tmp_path):
    need("Redis", reachable(ROLE_REDIS_URL, 6379))
    env = production(database, tmp_path, DB_APP_ROLE="tracker_app", REDIS_URL=ROLE_REDIS_URL)
    port = free_port()
    redis = await create_pool(RedisSettings.from_dsn(ROLE_REDIS_URL))
    processes = []
    try:
        for command, log in ((["serve", "--port", str(port)], "serve"), (["worker"], "worker")):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tracker.cli", *command],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=open(tmp_path / f"{log}.log", "w"),
                )
            )
        ready = wait_for(f"http://127.0.0.1:{port}/readyz").json()
        assert ready["tenant_wall"] == "on (tracker_app)"
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
        job = await redis.enqueue_job("ping", _job_id=f"ping-role-{os.getpid()}")
        assert await job.result(timeout=30) == "pong"  # the worker runs jobs
    finally:
        for process in processes:
            stop(process)
        await redis.flushdb()
        await redis.aclose()
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    assert "Configuration error" not in (tmp_path / "worker.log").read_text()
