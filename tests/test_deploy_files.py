"""The deployment files agree with the app and with each other: the commands exist and are the
same in compose, Kubernetes and the image; the probes are real routes; HAProxy checks readiness
and balances the replicas compose runs; the grace periods outlast the app's graceful shutdown.
tests/replicas runs compose's commands and settings with deploy/haproxy.cfg on this machine."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tracker.app import create_app
from tracker.cli import GRACEFUL_SHUTDOWN_SECONDS, build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
HAPROXY = (DEPLOY / "haproxy.cfg").read_text()
REPLICAS = ("web1", "web2")


def documents():
    for path in [*sorted((DEPLOY / "k8s").glob("*.yaml")), DEPLOY / "compose.yaml"]:
        yield path, list(yaml.safe_load_all(path.read_text()))


def k8s(kind: str, name: str) -> dict:
    for _, docs in documents():
        for doc in docs:
            if doc.get("kind") == kind and doc["metadata"]["name"] == name:
                return doc
    raise AssertionError(f"no {kind} {name}")


def container(kind: str, name: str) -> dict:
    return k8s(kind, name)["spec"]["template"]["spec"]["containers"][0]


def seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def test_manifests_parse_and_probe_real_routes():
    paths = {route.path for route in create_app().routes}
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    kinds = set()
    for path, docs in documents():
        for doc in docs:
            kinds.add(doc.get("kind", "compose"))
            for spec in (
                doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
            ):
                assert spec["args"][0] in commands, (path, spec["args"])
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe in spec:
                        assert spec[probe]["httpGet"]["path"] in paths
    for service in COMPOSE.values():
        if "command" in service and service.get("image", "").startswith("tracker"):
            assert service["command"][0] in commands
    assert {
        "Deployment",
        "Job",
        "Service",
        "HorizontalPodAutoscaler",
        "ConfigMap",
        "Secret",
    } <= kinds
    assert re.search(r"option httpchk GET (\S+)", HAPROXY).group(1) in paths


def test_compose_kubernetes_and_the_image_run_the_same_commands():
    web = COMPOSE["web1"]["command"]
    assert COMPOSE["web2"]["command"] == web == container("Deployment", "tracker-web")["args"]
    image = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Dockerfile").read_text(), re.M).group(1)
    assert json.loads(image) == web
    assert web[:5] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert COMPOSE["worker"]["command"] == container("Deployment", "tracker-worker")["args"]
    assert COMPOSE["migrate"]["command"] == container("Job", "tracker-migrate")["args"]


def test_compose_runs_migrations_before_web_and_worker():
    assert COMPOSE["migrate"]["command"] == ["migrate"]
    for name in (*REPLICAS, "worker"):
        condition = COMPOSE[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    assert COMPOSE["worker"]["command"] == ["worker"]
    assert "SMTP_HOST" in COMPOSE["web1"]["environment"]


def test_the_same_settings_everywhere_behind_the_tenant_wall():
    settings = COMPOSE["web1"]["environment"]
    for name in ("web2", "worker", "migrate"):
        assert COMPOSE[name]["environment"] == settings
    config = k8s("ConfigMap", "tracker-config")["data"]
    secret = k8s("Secret", "tracker-secrets")["stringData"]
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "tracker.env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert set(settings) <= set(config) | set(secret)
    assert set(settings) <= set(example)
    for name in ("TRACKER_ENV", "DB_APP_ROLE", "LOG_FORMAT"):
        assert settings[name] == config[name] == example[name]
    assert settings["TRACKER_ENV"] == "production" and settings["DB_APP_ROLE"] == "tracker_app"


def test_haproxy_balances_the_replicas_of_compose_without_stickiness():
    servers = re.findall(r"^\s+server (\S+) (\S+)$", HAPROXY, re.M)
    assert servers == [(name, f"{name}:8000") for name in REPLICAS]
    assert "balance roundrobin" in HAPROXY
    assert not re.search(r"^\s*(cookie|stick|hash-type)\b", HAPROXY, re.M), "no sticky sessions"
    assert re.search(r"^\s+retries [1-9]", HAPROXY, re.M) and "option redispatch" in HAPROXY
    proxy = COMPOSE["haproxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(REPLICAS)
    assert "8080:8080" in proxy["ports"] and re.search(r"bind :8080$", HAPROXY, re.M)
    local = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if Path(local).exists():  # the replica test runs Debian's: the same version as compose's
        version = subprocess.run([local, "-v"], capture_output=True, text=True).stdout
        assert f"version {proxy['image'].split(':')[1]}." in version


def test_grace_periods_outlast_the_graceful_shutdown():
    for name in REPLICAS:
        assert "/readyz" in " ".join(COMPOSE[name]["healthcheck"]["test"])
        assert seconds(COMPOSE[name]["stop_grace_period"]) > GRACEFUL_SHUTDOWN_SECONDS
    pod = k8s("Deployment", "tracker-web")["spec"]["template"]["spec"]
    web = pod["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    drain = int(web["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] > drain + GRACEFUL_SHUTDOWN_SECONDS


def test_dockerfile_copies_what_the_app_reads():
    text = (DEPLOY / "Dockerfile").read_text()
    for folder in ("tracker", "templates", "migrations"):
        assert f"COPY {folder} ./{folder}" in text
    assert 'ENTRYPOINT ["tracker"]' in text


def test_live_streams_outlive_the_proxys_timeouts_by_their_heartbeat():
    """HAProxy closes a connection idle for `timeout client/server`; a live stream sends a
    comment every HEARTBEAT_SECONDS, so it is never idle that long."""
    import re

    from tracker.live.controller import HEARTBEAT_SECONDS, LIFETIME_SECONDS

    def seconds(name: str) -> float:
        match = re.search(rf"^\s*timeout {name} (\d+)(s|m)\s*$", HAPROXY, re.M)
        assert match, name
        return float(match.group(1)) * (60 if match.group(2) == "m" else 1)

    assert HEARTBEAT_SECONDS * 2 <= min(seconds("client"), seconds("server"))
    assert LIFETIME_SECONDS > HEARTBEAT_SECONDS
