"""What deploy/ describes, run on this machine: the PostgreSQL database behind the tenant wall,
Redis, the arq worker, two web replicas and HAProxy in front of them (deploy/haproxy.cfg with
loopback addresses put in for the names), each a real child process in production mode."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.processes import free_port, stop, wait_for

HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
BACKEND = "tracker"
REPLICAS = ("web1", "web2")


def haproxy_binary() -> str | None:
    for path in ("/usr/sbin/haproxy", "/usr/bin/haproxy"):
        if Path(path).exists():
            return path
    return None


def haproxy_config(front: int, stats: int, admin_socket: Path, ports: dict[str, int]) -> str:
    """deploy/haproxy.cfg, with the addresses of this machine for the names of compose."""
    text = HAPROXY_CFG.read_text()
    replacements = {
        "bind :8080": f"bind 127.0.0.1:{front}",
        "bind :8404": f"bind 127.0.0.1:{stats}",
        "/var/run/haproxy/admin.sock": str(admin_socket),
        **{f"{name}:8000": f"127.0.0.1:{port}" for name, port in ports.items()},
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/haproxy.cfg no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Stack:
    def __init__(self, tmp: Path, database_url: str, redis_url: str, smtp_port: int) -> None:
        self.tmp = tmp
        self.front = free_port()
        self.base = f"http://127.0.0.1:{self.front}"
        self.stats_port = free_port()
        self.admin_socket = tmp / "haproxy.sock"
        self.ports = {name: free_port() for name in REPLICAS}
        self.env = {
            **os.environ,
            "TRACKER_ENV": "production",
            "SECRET_KEY": "replicas-" + "k" * 40,  # the same on every replica
            "DATABASE_URL": database_url,
            "DB_APP_ROLE": "tracker_app",
            "DB_POOL_MIN": "1",
            "DB_POOL_MAX": "4",
            "REDIS_URL": redis_url,
            "BASE_URL": self.base,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_FROM": "tracker@example.com",
            "LOG_FORMAT": "json",
            "TRACKER_DATA_DIR": str(tmp),
        }
        self.web: dict[str, subprocess.Popen] = {}
        self.worker: subprocess.Popen | None = None
        self.haproxy: subprocess.Popen | None = None
        self.starts: Counter[str] = Counter()

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        self.starts[name] += 1
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"{name}.log", "a"),
        )

    # --- the web replicas -------------------------------------------------------------

    def start_web(self, name: str) -> None:
        port = self.ports[name]
        self.web[name] = self._spawn(
            name,
            [
                sys.executable,
                "-m",
                "tracker.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
        )
        ready = wait_for(f"http://127.0.0.1:{port}/readyz", seconds=60).json()
        assert ready["tenant_wall"] == "on (tracker_app)" and ready["redis"] == "ok", ready

    def stop_web(self, name: str) -> int:
        """SIGTERM: uvicorn finishes the requests in flight, then exits."""
        return stop(self.web.pop(name))

    # --- the worker --------------------------------------------------------------------

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", [sys.executable, "-m", "tracker.cli", "worker"])
        log = self.tmp / "worker.log"
        deadline = time.monotonic() + 60
        while "Starting worker" not in log.read_text():
            assert self.worker.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    # --- HAProxy -----------------------------------------------------------------------

    def start_haproxy(self) -> None:
        config = self.tmp / "haproxy.cfg"
        config.write_text(
            haproxy_config(self.front, self.stats_port, self.admin_socket, self.ports)
        )
        binary = haproxy_binary()
        assert binary is not None
        self.haproxy = self._spawn("haproxy", [binary, "-f", str(config), "-db"])
        wait_for(f"http://127.0.0.1:{self.stats_port}/stats;csv", seconds=20)
        for name in REPLICAS:
            self.wait_for_state(name, "UP")

    def admin(self, command: str) -> str:
        """A command of HAProxy's runtime API (the stats socket)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(self.admin_socket))
            connection.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """HAProxy's own figures per replica (status, sessions, retries, redispatches…)."""
        text = self.admin("show stat").lstrip("# ")
        return {
            row["svname"]: row
            for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == BACKEND and row["svname"] in REPLICAS
        }

    def wait_for_state(self, name: str, state: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while (status := self.servers()[name]["status"]) != state:
            assert time.monotonic() < deadline, f"{name} is {status}, not {state}"
            time.sleep(0.1)

    def drain(self, name: str) -> None:
        """No new requests to ``name``; then wait for the ones it has to finish."""
        self.admin(f"set server {BACKEND}/{name} state drain")
        deadline = time.monotonic() + 10
        while int(self.servers()[name]["scur"] or 0) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restore(self, name: str) -> None:
        self.admin(f"set server {BACKEND}/{name} state ready")
        self.wait_for_state(name, "UP")

    # --- all of it ---------------------------------------------------------------------

    def close(self) -> None:
        for name in list(self.web):
            self.stop_web(name)
        if self.worker is not None:
            stop(self.worker)
        if self.haproxy is not None:
            stop(self.haproxy)


class Visitor:
    """A person with a plain HTTP client through the balancer: cookies, the CSRF token of the
    last form, and which replica answered each request."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        self.token = ""
        self.served: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        self.served.append(response.headers.get("x-served-by", "?"))
        match = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        if match:
            self.token = match.group(1)
        return response

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.request("POST", path, data={**data, "_csrf_token": self.token})

    def sign_up(self, name: str, slug: str, password: str) -> None:
        self.get("/signup")
        signed_up = self.post(
            "/signup",
            {
                "name": name,
                "email": f"{name.lower()}@{slug}.example.com",
                "password": password,
                "org_name": slug.title(),
                "org_slug": slug,
            },
        )
        assert signed_up.status_code == 303, signed_up.text[:500]

    def log_in(self, email: str, password: str) -> None:
        self.get("/login")
        logged_in = self.post("/login", {"email": email, "password": password, "next": ""})
        assert logged_in.status_code == 303, logged_in.text[:500]

    def create_initiative(self, slug: str, name: str) -> str:
        """The new initiative's address."""
        page = self.get(f"/o/{slug}/initiatives/new").text
        owner = re.search(r'<option value="(\d+)"', page).group(1)
        created = self.post(
            f"/o/{slug}/initiatives",
            {
                "name": name,
                "code_dept": "R",
                "code_business": "EP",
                "process_code": "",
                "process_class": "core",
                "owner": owner,
                "start_date": time.strftime("%Y-%m-%d"),
                "goal_metric": "Time",
                "goal_baseline": "10",
                "goal_target": "5",
                "goal_direction": "lower",
            },
        )
        assert created.status_code == 303, created.text[:500]
        return created.headers["location"]
