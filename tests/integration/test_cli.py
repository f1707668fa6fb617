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


def test_run_jobs_says_what_it_built_and_sent(tmp_path):
    url = f"sqlite:///{tmp_path}/tracker.sqlite3"
    env = {"SMTP_HOST": "", "TRACKER_DATA_DIR": str(tmp_path)}
    run_cli("migrate", database_url=url, extra_env=env)
    run_cli("demo", database_url=url, extra_env=env)
    first = run_cli("run-jobs", database_url=url, extra_env=env).stdout
    with sqlite3.connect(tmp_path / "tracker.sqlite3") as db:
        built = db.execute("SELECT count(*) FROM digest").fetchone()[0]
        mailed = db.execute("SELECT count(*) FROM email_message WHERE kind = 'digest'").fetchone()
        held = db.execute("SELECT count(*) FROM email_message WHERE status = 'held'").fetchone()
    assert built > 0
    assert f"Digests built: {built} ({mailed[0]} queued for mail, " in first
    assert "Reminders queued: " in first and "KPI alert e-mails queued: " in first
    assert f"Mail held (no SMTP_HOST): {held[0]};" in first
    again = run_cli("run-jobs", database_url=url, extra_env=env).stdout
    assert "Digests built: 0 (0 queued for mail, 0 with nothing new" in again
    assert "Mail sent: 0" in again


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


def test_create_api_token_prints_the_secret_once_and_refuses_an_empty_name(tmp_path):
    url = f"sqlite:///{tmp_path}/tracker.sqlite3"
    run_cli("migrate", database_url=url)
    admin = ("--admin-email", "a@b.co", "--admin-password", "a long password")
    run_cli("create-org", "--name", "Acme", "--slug", "acme", *admin, database_url=url)
    made = run_cli("create-api-token", "--org", "acme", "--name", "ERP", database_url=url)
    secret = made.stdout.strip()
    assert secret.startswith("trk_")
    with sqlite3.connect(tmp_path / "tracker.sqlite3") as db:
        rows = db.execute("SELECT name, scope, prefix FROM api_token").fetchall()
    assert rows == [("ERP", "read", secret[:10])]
    empty = run_cli(
        "create-api-token", "--org", "acme", "--name", " ", database_url=url, check=False
    )
    assert empty.returncode != 0 and "Name the token after the system" in empty.stderr
