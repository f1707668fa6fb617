"""The deployment files agree with the app: the commands exist, the probes are real routes."""

from pathlib import Path

import yaml

from tracker.app import create_app
from tracker.cli import build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def documents():
    for path in [*sorted((DEPLOY / "k8s").glob("*.yaml")), DEPLOY / "compose.yaml"]:
        yield path, list(yaml.safe_load_all(path.read_text()))


def test_manifests_parse_and_probe_real_routes():
    paths = {route.path for route in create_app().routes}
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    kinds = set()
    for path, docs in documents():
        for doc in docs:
            kinds.add(doc.get("kind", "compose"))
            for container in (
                doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
            ):
                assert container["args"][0] in commands, (path, container["args"])
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe in container:
                        assert container[probe]["httpGet"]["path"] in paths
    assert {
        "Deployment",
        "Job",
        "Service",
        "HorizontalPodAutoscaler",
        "ConfigMap",
        "Secret",
    } <= kinds


def test_compose_runs_migrations_before_web_and_worker():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("web", "worker"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert services["worker"]["command"] == ["worker"]
    assert "SMTP_HOST" in services["web"]["environment"]


def test_dockerfile_copies_what_the_app_reads():
    text = (DEPLOY / "Dockerfile").read_text()
    for folder in ("tracker", "templates", "migrations"):
        assert f"COPY {folder} ./{folder}" in text
    assert 'ENTRYPOINT ["tracker"]' in text
