"""Behind a proxy that terminates TLS: HSTS and the client's address come from its
X-Forwarded-Proto / X-Forwarded-For only when the proxy's address is in TRUSTED_PROXIES
(a real server process: uvicorn's proxy headers, as `tracker serve` sets them up)."""

from __future__ import annotations

import re
import sqlite3

import httpx

from tests.e2e.conftest import start_server, stop_server

FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.5"}


def failed_log_in_address(base: str, tmp_path) -> str:
    """Fail one log-in through the proxy; the client address the server recorded."""
    with httpx.Client(base_url=base, headers=FORWARDED) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/login").text)
        client.post(
            "/login",
            data={"email": "x@proxy.example.com", "password": "wrong 1", "_csrf_token": token[1]},
        )
    with sqlite3.connect(tmp_path / "tracker.sqlite3") as db:
        return db.execute("SELECT address FROM login_failure").fetchone()[0]


def test_a_trusted_proxy_turns_on_hsts_and_gives_the_client_address(tmp_path):
    process, base, _url = start_server(tmp_path, {"TRUSTED_PROXIES": "127.0.0.1"})
    try:
        behind = httpx.get(f"{base}/login", headers=FORWARDED)
        direct = httpx.get(f"{base}/login")
        address = failed_log_in_address(base, tmp_path)
    finally:
        stop_server(process)
    assert behind.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in direct.headers
    assert address == "203.0.113.5"


def test_an_untrusted_proxy_is_not_believed(tmp_path):
    process, base, _url = start_server(tmp_path, {"TRUSTED_PROXIES": "10.9.8.7"})
    try:
        response = httpx.get(f"{base}/login", headers=FORWARDED)
        address = failed_log_in_address(base, tmp_path)
    finally:
        stop_server(process)
    assert "strict-transport-security" not in response.headers
    assert address == "127.0.0.1"
