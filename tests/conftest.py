"""Shared fixtures: both database back-ends, two standing organisations, signed-in clients.

Integration tests run once on SQLite and once on PostgreSQL. Without a reachable
PostgreSQL, Redis or Chromium the matching tests are skipped with the reason shown, unless
TRACKER_REQUIRE_SERVICES=1 (CI), where a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

_DATA = tempfile.mkdtemp(prefix="tracker-test-")
os.environ["TRACKER_ENV"] = "test"
os.environ["TRACKER_DATA_DIR"] = _DATA
os.environ.pop("DATABASE_URL", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
from litestar.middleware.csrf import generate_csrf_token  # noqa: E402

from tests import walled  # noqa: E402
from tracker import wiring  # noqa: E402
from tracker.settings import load_settings  # noqa: E402

# The hooks between areas, as create_app, the command line and the worker give them: tests
# that call a service without an app (a job, a sign-up) see the same wiring.
wiring.install()

TASKS_FILE = Path(tempfile.gettempdir()) / "tracker-test-tasks.txt"


def _print_tasks(signum: int, frame: object) -> None:
    """`kill -USR1 <pytest pid>` writes every asyncio task's stack to TASKS_FILE (pytest
    captures stderr): what a stalled test awaits."""
    loop = asyncio._get_running_loop()
    with TASKS_FILE.open("w") as out:
        for task in asyncio.all_tasks(loop) if loop else ():
            task.print_stack(limit=30, file=out)


signal.signal(signal.SIGUSR1, _print_tasks)

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRED = os.environ.get("TRACKER_REQUIRE_SERVICES") == "1"


def reachable(url: str, default_port: int) -> bool:
    from urllib.parse import urlparse

    parts = urlparse(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``sqlite_only`` runs with the SQLite world only: its PostgreSQL instance is
    deselected (not skipped: the suite skips nothing)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        postgres = callspec is not None and callspec.params.get("world") == "postgres"
        (dropped if postgres and item.get_closest_marker("sqlite_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def need(service: str, ok: bool) -> None:
    if ok:
        return
    if REQUIRED:
        pytest.fail(f"{service} is required (TRACKER_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{service} is not reachable on this machine")


def run_cli(
    *args: str, database_url: str, extra_env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


async def fresh_postgres(name: str) -> str:
    """Create an empty database ``name`` on the test server; its URL."""
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass
class Org:
    id: int
    slug: str
    people: dict[str, int] = field(default_factory=dict)  # role -> person id
    tokens: dict[str, str] = field(default_factory=dict)  # role -> session token
    emails: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    backend: str
    app: object
    database_url: str
    a: Org
    b: Org
    engine: object = None
    password: str = "correct horse battery"

    @property
    def asgi(self) -> object:
        """The app as its clients call it: on PostgreSQL, behind the wall (tests/walled.py)."""
        return walled.as_deployed(self.app)

    def client(
        self, org: Org | None = None, role: str | None = None, address: str = "127.0.0.1"
    ) -> httpx.AsyncClient:
        """A client signed in as ``role`` of ``org`` (anonymous without them), CSRF ready,
        connecting from ``address``."""
        cookies = {"csrftoken": CSRF_TOKEN}
        if org is not None and role is not None:
            cookies["tracker_session"] = org.tokens[role]
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.asgi, client=(address, 123)),  # type: ignore[arg-type]
            base_url="http://testserver",
            cookies=cookies,
            headers={"x-csrftoken": CSRF_TOKEN},
            follow_redirects=False,
        )


CSRF_TOKEN = ""
ROLES = ("admin", "lead", "committee", "member", "viewer")


async def make_org(slug: str, password_hash: str) -> Org:
    from tracker.accounts.tables import Membership, Organisation, Person
    from tracker.auth import start_session
    from tracker.gates.settings_service import ensure_defaults

    org_id = (await Organisation.insert(Organisation(name=f"Org {slug}", slug=slug)))[0]["id"]
    await ensure_defaults(org_id)
    org = Org(id=org_id, slug=slug)
    for role in ROLES:
        email = f"{role}@{slug}.example.com"
        person = (
            await Person.insert(
                Person(email=email, name=f"{role.title()} of {slug}", password_hash=password_hash)
            )
        )[0]["id"]
        await Membership.insert(Membership(org=org_id, person=person, role=role))
        org.people[role] = person
        org.emails[role] = email
        org.tokens[role] = await start_session(person)
    return org


@pytest_asyncio.fixture(scope="session", loop_scope="session", params=["sqlite", "postgres"])
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    global CSRF_TOKEN
    backend = request.param
    if backend == "postgres":
        need("PostgreSQL", reachable(PG_URL, 5432))
        name = f"tracker_test_{os.getpid()}"
        url = await fresh_postgres(name)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='tracker-sqlite-')}/test.sqlite3"
    run_cli("migrate", database_url=url)

    from tracker import db
    from tracker.app import create_app
    from tracker.auth import hash_password

    settings = load_settings({**os.environ, "DATABASE_URL": url})
    CSRF_TOKEN = generate_csrf_token(settings.secret_key)
    app = create_app(settings)
    # The app's own lifespan does this too; httpx's ASGI transport sends no lifespan events,
    # and pytest-asyncio finalises in another task than the one that set up.
    # PostgreSQL runs behind the tenant wall as in production (tests/walled.py).
    if backend == "postgres":
        engine = await walled.start(url)
    else:
        engine = db.make_engine(url)
        db.use_engine(engine)
        await db.start(engine, 1, 5)
    try:
        password_hash = await hash_password("correct horse battery")
        a = await make_org("alpha", password_hash)
        b = await make_org("beta", password_hash)
        # every request's work is the app's own: walled on PostgreSQL (tests/walled.py)
        yield World(
            backend=backend,
            app=app,
            database_url=url,
            a=a,
            b=b,
            engine=engine,
        )
    finally:
        if backend == "postgres":
            await walled.stop(engine)
        else:
            await db.stop(engine)
    if backend == "postgres":
        await drop_postgres(name)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = "/usr/bin/chromium"
    need("Chromium (/usr/bin/chromium)", Path(path).exists())
    return path


@pytest.fixture(scope="session")
def redis_url() -> str:
    need("Redis", reachable(REDIS_URL, 6379))
    return REDIS_URL


class Mailbox:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.controller = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def start(self, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        if not port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailbox():
    """An SMTP server on a free port, with the tracker's settings pointing at it."""
    from tracker import settings as settings_module

    box = Mailbox()
    box.start()
    saved = {k: os.environ.get(k) for k in ("SMTP_HOST", "SMTP_PORT")}
    os.environ["SMTP_HOST"], os.environ["SMTP_PORT"] = "127.0.0.1", str(box.port)
    settings_module.get_settings.cache_clear()
    yield box
    box.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    settings_module.get_settings.cache_clear()
