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
    of load on the board; write the SVG to ``args.flame`` (collapsed stacks, one line a stack
    with its count, where the path ends in ``.txt``: for reading the figures)."""
    import httpx

    csrf = httpx.get(f"{base}/login").cookies["csrftoken"]
    cookie = f"{targets['cookie']}; csrftoken={csrf}"
    url = f"{base}{targets['pages'][ROUTE]}"
    wrk(url, cookie, WARM_UP, args.connections)  # statements prepared, templates loaded
    spy = subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--output", args.flame, "--format",
         "raw" if args.flame.endswith(".txt") else "flamegraph", "--duration", str(args.duration + 1), "--rate", "100"],
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
    if args.flame.endswith(".txt"):
        for share, frame in heaviest(Path(args.flame).read_text().splitlines()):
            print(f"{share:6.1%}  {frame}")


def heaviest(stacks: list[str], top: int = 40) -> list[tuple[float, str]]:
    """The frames most often on the stack (each counted once a sample), as shares of all
    samples, from py-spy's collapsed stacks ("frame;frame;… count" a line)."""
    counts: dict[str, int] = {}
    total = 0
    for line in stacks:
        stack, _, number = line.rpartition(" ")
        total += int(number)
        for frame in set(stack.split(";")):
            counts[frame] = counts.get(frame, 0) + int(number)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [(count / max(total, 1), frame) for frame, count in ranked]
