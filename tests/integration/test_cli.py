"""The ``tracker`` command line, run as a person would run it (a real subprocess)."""

import os
import sqlite3

import pytest

from tests.conftest import PG_URL, drop_postgres, fresh_postgres, need, reachable, run_cli

CLI_DB = f"tracker_cli_test_{os.getpid()}"  # a run of its own: other runs may share the server


def test_help_explains_every_command(tmp_path):
    result = run_cli("--help", database_url=f"sqlite:///{tmp_path}/x.sqlite3")
    for command in ("up", "serve", "migrate", "demo", "worker", "create-org"):
        assert command in result.stdout
    result = run_cli("create-org", "--help", database_url=f"sqlite:///{tmp_path}/x.sqlite3")
    assert "--admin-email" in result.stdout


def test_bad_settings_stop_with_a_clear_message(tmp_path):
    result = run_cli("migrate", database_url="mysql://nope", check=False)
    assert result.returncode == 2
    assert "Configuration error: DATABASE_URL must start with" in result.stderr


def test_migrate_demo_and_create_org_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/tracker.sqlite3"
    assert "up to date" in run_cli("migrate", database_url=url).stdout
    assert "up to date" in run_cli("migrate", database_url=url).stdout  # idempotent
    assert "12 initiatives" in run_cli("demo", database_url=url).stdout
    assert "exists already" in run_cli("demo", database_url=url).stdout
    with sqlite3.connect(tmp_path / "tracker.sqlite3") as db:
        phases = {
            row[0]
            for row in db.execute(
                "SELECT p.number FROM initiative i JOIN phase p ON p.id = i.current_phase"
            )
        }
        assert phases == {1, 2, 3, 4, 5, 6}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    out = run_cli(
        "create-org",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "boss@acme.example.com",
        "--admin-password",
        "a long password",
        database_url=url,
    )
    assert "Created Acme at /o/acme/" in out.stdout
    again = run_cli(
        "create-org",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "x@acme.example.com",
        "--admin-password",
        "a long password",
        database_url=url,
        check=False,
    )
    assert again.returncode != 0 and "exists already" in again.stderr


async def test_migrate_and_demo_on_postgres():
    need("PostgreSQL", reachable(PG_URL, 5432))
    url = await fresh_postgres(CLI_DB)
    try:
        assert "up to date" in run_cli("migrate", database_url=url).stdout
        assert "12 initiatives" in run_cli("demo", database_url=url).stdout
    finally:
        await drop_postgres(CLI_DB)


def test_worker_needs_redis_url(tmp_path):
    result = run_cli(
        "worker",
        database_url=f"sqlite:///{tmp_path}/x.sqlite3",
        extra_env={"REDIS_URL": ""},
        check=False,
    )
    assert result.returncode != 0 and "needs REDIS_URL" in result.stderr


@pytest.mark.parametrize("slug", ["Bad Slug", "new"])
def test_create_org_refuses_bad_slugs(tmp_path, slug):
    url = f"sqlite:///{tmp_path}/tracker.sqlite3"
    run_cli("migrate", database_url=url)
    result = run_cli(
        "create-org",
        "--name",
        "X",
        "--slug",
        slug,
        "--admin-email",
        "a@b.co",
        "--admin-password",
        "a long password",
        database_url=url,
        check=False,
    )
    assert result.returncode != 0 and "Not a valid organisation address" in result.stderr
