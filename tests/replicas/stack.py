"""What deploy/ describes, run on this machine: the PostgreSQL database behind the tenant wall,
Redis, the arq worker, two web replicas and HAProxy in front of them, each a real child process
with the commands and settings of deploy/compose.yaml and HAProxy's deploy/haproxy.cfg, the
addresses of this machine put in for the names of compose."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

from tests.conftest import ROOT
from tests.processes import free_port, stop, wait_for
from tracker.accounts import links

HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
BACKEND = "tracker"
REPLICAS = ("web1", "web2")
STATS_PASSWORD = "replicas-stats"
# compose's settings that name its services or come from the operator: this machine's instead
LOCAL_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SMTP_HOST", "SMTP_PORT", "SECRET_KEY", "BASE_URL"}


def compose_command(service: str, **values: str) -> list[str]:
    """The command of a compose service, with some of its values replaced."""
    return [values.get(part, part) for part in COMPOSE[service]["command"]]


def haproxy_binary() -> str | None:
    for path in ("/usr/sbin/haproxy", "/usr/bin/haproxy"):
        if Path(path).exists():
            return path
    return None


def haproxy_config(front: int, stats: int, ports: dict[str, int]) -> str:
    """deploy/haproxy.cfg, with the addresses of this machine for the names of compose."""
    text = HAPROXY_CFG.read_text()
    replacements = {
        "bind :8080": f"bind 127.0.0.1:{front}",
        "bind :8404": f"bind 127.0.0.1:{stats}",
        **{f"{name}:8000": f"127.0.0.1:{port}" for name, port in ports.items()},
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/haproxy.cfg no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Stack:
    def __init__(self, tmp: Path, database_url: str, redis_url: str, smtp_port: int) -> None:
        self.tmp = tmp
        self.database_url = database_url
        self.front = free_port()
        self.base = f"http://127.0.0.1:{self.front}"
        self.stats_port = free_port()
        self.stats = f"http://127.0.0.1:{self.stats_port}/stats"
        self.ports = {name: free_port() for name in REPLICAS}
        settings = COMPOSE["web1"]["environment"]
        assert settings == COMPOSE["web2"]["environment"] == COMPOSE["worker"]["environment"]
        assert LOCAL_SETTINGS <= set(settings)
        self.env = {
            **os.environ,
            **{k: v for k, v in settings.items() if k not in LOCAL_SETTINGS},
            "SECRET_KEY": SECRET_KEY,  # the same on every replica
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "BASE_URL": self.base,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "TRACKER_DATA_DIR": str(tmp),
            "HAPROXY_STATS_PASSWORD": STATS_PASSWORD,
        }
        assert self.env["TRACKER_ENV"] == "production" and self.env["DB_APP_ROLE"] == "tracker_app"
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
        command = compose_command("worker")
        self.worker = self._spawn("worker", [sys.executable, "-m", "tracker.cli", *command])
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
        config.write_text(haproxy_config(self.front, self.stats_port, self.ports))
        binary = haproxy_binary()
        assert binary is not None
        self.haproxy = self._spawn("haproxy", [binary, "-f", str(config), "-db"])
        wait_for(f"http://127.0.0.1:{self.front}/healthz", seconds=20)
        for name in REPLICAS:
            self.wait_for_state(name, "UP")

    def admin(self, server: str, action: str) -> None:
        """An action of HAProxy's stats page on a replica, as deploy/haproxy.cfg documents."""
        done = httpx.post(
            self.stats,
            data={"s": server, "action": action, "b": BACKEND},
            auth=("admin", STATS_PASSWORD),
        )
        assert done.status_code == 303 and "st=DONE" in done.headers["location"], done.headers

    def servers(self) -> dict[str, dict[str, str]]:
        """HAProxy's own figures per replica (status, sessions, retries, redispatches…)."""
        text = httpx.get(self.stats + ";csv", auth=("admin", STATS_PASSWORD)).text.lstrip("# ")
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

    def drain(self, name: str) -> int:
        """No new requests to ``name``; how many it is still answering (they finish: the
        replica's graceful shutdown waits for them)."""
        self.admin(name, "drain")
        return int(self.servers()[name]["scur"] or 0)

    def restore(self, name: str) -> None:
        self.admin(name, "ready")
        self.wait_for_state(name, "UP")

    # --- all of it ---------------------------------------------------------------------

    def close(self) -> None:
        for name in list(self.web):
            self.stop_web(name)
        if self.worker is not None:
            stop(self.worker)
        if self.haproxy is not None:
            stop(self.haproxy)


SECRET_KEY = "replicas-" + "k" * 40


class Visitor:
    """A person with a plain HTTP client through the balancer: cookies, the CSRF token of the
    last form, and which replica answered each request."""

    def __init__(self, base: str, database_url: str = "") -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        self.database_url = database_url
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
        # sign-up answers "check your e-mail" (issue 17, finding 7): follow the confirmation
        # link the mail would carry, made with the replicas' key; it logs the person in
        assert signed_up.status_code == 200, signed_up.text[:500]
        email = f"{name.lower()}@{slug}.example.com"
        person_id = int(
            subprocess.run(
                [
                    "psql",
                    self.database_url,
                    "-tAc",
                    f"SELECT id FROM person WHERE email = '{email}'",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        token = links.sign("confirm", person_id, email, 600, key=SECRET_KEY)
        self.get(f"/confirm/{token}")
        confirmed = self.post(f"/confirm/{token}", {})
        assert confirmed.status_code == 303, confirmed.text[:500]
        self.get("/account")  # the CSRF token changes at log-in: take the new one

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
