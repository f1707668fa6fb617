"""The embedded scheduler stops promptly, even when a cycle swallows the cancel."""

from __future__ import annotations

import asyncio
import time

from tracker.jobs import dispatch


async def test_stop_ends_the_loop_even_if_a_cycle_swallows_the_cancel(monkeypatch):
    cycles = 0
    in_cycle = asyncio.Event()

    async def stubborn_cycle() -> None:
        nonlocal cycles
        cycles += 1
        in_cycle.set()
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:  # as some database and mail libraries do
            pass

    monkeypatch.setattr(dispatch, "run_cycle", stubborn_cycle)
    dispatcher = dispatch.Dispatcher(None, embedded=True, interval=3600)
    await dispatcher.start()
    await in_cycle.wait()
    started = time.monotonic()
    await dispatcher.stop()
    assert time.monotonic() - started < 2
    assert dispatcher._task is not None and dispatcher._task.done()
    assert cycles == 1


async def test_kick_runs_a_cycle_at_once(monkeypatch):
    ran = asyncio.Event()

    async def cycle() -> None:
        ran.set()

    monkeypatch.setattr(dispatch, "run_cycle", cycle)
    dispatcher = dispatch.Dispatcher(None, embedded=True, interval=3600)
    await dispatcher.start()
    await ran.wait()
    ran.clear()
    assert await dispatcher.kick() is True
    await asyncio.wait_for(ran.wait(), 2)
    await dispatcher.stop()
