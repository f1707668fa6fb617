"""The JSON API fuzzed against its own OpenAPI document with schemathesis, on a real server
with the demo data and a write token, with every check on: no 5xx, every answer declared in
the document and shaped as it says, valid input accepted, invalid input refused, 405 with
Allow, authentication never ignored (issue 17, finding 8)."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import ROOT, run_cli
from tests.e2e.conftest import start_server, stop_server


def test_the_api_passes_every_schemathesis_check(tmp_path):
    process, base, url = start_server(tmp_path)
    try:
        token = (
            run_cli(
                "create-api-token",
                "--org",
                "demo",
                "--name",
                "fuzz",
                "--scope",
                "write",
                database_url=url,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/api/v1/initiatives", headers=headers).status_code == 200
        st = Path(sys.executable).with_name("st")
        result = subprocess.run(
            [
                str(st),
                "--config-file",
                str(Path(__file__).with_name("schemathesis.toml")),
                "run",
                f"{base}/api/v1/schema/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                "40",
                "--seed",
                "2026",
                "--no-color",
            ],
            cwd=ROOT,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-6000:]
        assert "passed" in output.lower()
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log, log[-4000:]
    finally:
        stop_server(process)
