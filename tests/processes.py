"""Real processes for tests: free ports, waiting for an address, stopping cleanly."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 20, status: int = 200) -> httpx.Response:
    """The first answer of ``url`` with ``status``; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    last: object = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response
            last = response.status_code
        except httpx.HTTPError as error:
            last = error
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer {status} within {seconds} s (last: {last})")


def stop(process: subprocess.Popen, seconds: float = 30) -> int:
    """SIGTERM, then wait (SIGKILL after ``seconds``); the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
