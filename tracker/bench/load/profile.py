"""A flame graph of the board rendered cold: py-spy samples the worker while wrk reads the
board over and over (``--flame PATH``; py-spy comes with the ``bench`` extra)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tracker.bench.load.drive import WARM_UP, wrk

ROUTE = "portfolio board"


def py_spy() -> str:
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy is needed: pip install -e '.[bench]' (or pip install py-spy)")
    return found


def flame(base: str, pid: int, targets: dict[str, Any], args: argparse.Namespace) -> None:
    """Sample worker ``pid`` (100 a second, on-CPU stacks only) for ``args.duration`` seconds
    of load on the board; write the SVG to ``args.flame``."""
    import httpx

    csrf = httpx.get(f"{base}/login").cookies["csrftoken"]
    cookie = f"{targets['cookie']}; csrftoken={csrf}"
    url = f"{base}{targets['pages'][ROUTE]}"
    wrk(url, cookie, WARM_UP, args.connections)  # statements prepared, templates loaded
    spy = subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--output", args.flame, "--format",
         "flamegraph", "--duration", str(args.duration + 1), "--rate", "100"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    result = wrk(url, cookie, args.duration, args.connections)
    _, errors = spy.communicate(timeout=args.duration + 60)
    if spy.returncode:
        raise SystemExit(f"py-spy failed: {errors[-800:]}")
    print(
        f"{ROUTE}, cold, {args.orgs}×{args.initiatives}: {result['rps']:.0f} req/s, p99 "
        f"{result['p99']:.1f} ms while sampled; flame graph in {args.flame}"
    )
