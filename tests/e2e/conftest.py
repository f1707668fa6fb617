"""The e2e tests share one real server process (SQLite, the embedded default, with the demo
organisation) and drive it with Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
import pytest_asyncio

from tests.conftest import ROOT, run_cli

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data, extra_env: dict[str, str] | None = None):
    """Migrate a SQLite file in ``data``, create the demo organisation and serve it; returns
    (process, base URL, database URL)."""
    url = f"sqlite:///{data}/tracker.sqlite3"
    run_cli("migrate", database_url=url)
    run_cli("demo", "--lang", "en", database_url=url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_DATA_DIR": str(data),
        "BASE_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    log = open(data / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError((data / "server.log").read_text())
    return process, base, url


def stop_server(process) -> None:
    process.terminate()
    process.wait(timeout=10)


class Server(str):
    """The server's base URL, knowing its data folder (its database and secret key)."""

    data: object


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e")
    process, base, _url = start_server(data)
    server = Server(base)
    server.data = data
    yield server
    stop_server(process)


def confirmation_path(server: Server, email: str) -> str:
    """The confirmation link the server mails after a sign-up (made with its secret key)."""
    import sqlite3

    from tracker.accounts import links

    data = server.data
    with sqlite3.connect(f"{data}/tracker.sqlite3") as db:
        (person_id,) = db.execute("SELECT id FROM person WHERE email = ?", (email,)).fetchone()
    key = (data / "secret_key").read_text().strip()  # type: ignore[operator]
    return f"/confirm/{links.sign('confirm', person_id, email, 600, key=key)}"


async def confirm_sign_up(page, server: Server, email: str) -> None:
    """After "Create account": follow the e-mailed link and confirm."""
    await page.get_by_role("heading", name="Check your e-mail").wait_for()
    await page.goto(f"{server}{confirmation_path(server, email)}")
    await page.get_by_role("button", name="Confirm my address").click()


@pytest_asyncio.fixture
async def browser(chromium_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()
