"""Ending the open streams when the server is told to stop.

uvicorn stops by waiting for every open connection to finish (up to ``tracker serve``'s
graceful timeout, 20 s) before the application's shutdown runs; a live stream never finishes
by itself. On SIGTERM or SIGINT the streams are ended first (the browsers reconnect, through
the load balancer, to a replica that stays), then uvicorn's own handler runs as before.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from typing import Any

from tracker.live.broker import broker

log = logging.getLogger("tracker.live")


def _is_uvicorns(handler: Any) -> bool:
    owner = getattr(handler, "__self__", None)
    return type(owner).__module__.startswith("uvicorn")


def end_streams_on_signal() -> None:
    """Chain a handler before uvicorn's own (only where uvicorn handles the signals: its
    main thread; tests and other hosts keep theirs)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not _is_uvicorns(previous):
            continue

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            try:
                loop.call_soon_threadsafe(broker().close_all)
            except RuntimeError:  # the loop has closed already
                pass
            previous(signum, frame)

        signal.signal(sig, handler)
