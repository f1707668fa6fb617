"""How the web process gets background work done.

With REDIS_URL the web process only enqueues (the arq worker runs the jobs); without it an
embedded scheduler runs the same job functions inside ``serve`` — said clearly in the log —
so the one-command run still sends digests. A failed enqueue is logged and reported, never a
crash: the worker's periodic sweep picks the work up anyway.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

from tracker.jobs.tasks import run_cycle

STOP_SECONDS = 10  # a cycle in progress gets this long to finish its current step

log = logging.getLogger("tracker.jobs")


class Dispatcher:
    def __init__(self, redis_url: str | None, embedded: bool, interval: float = 60.0) -> None:
        self.redis_url = redis_url
        self.embedded = embedded and not redis_url
        self.interval = interval
        self.pool: Any = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        if self.redis_url:
            try:
                from arq import create_pool
                from arq.connections import RedisSettings

                self.pool = await create_pool(RedisSettings.from_dsn(self.redis_url))
                log.info("background jobs: enqueued to Redis for the arq worker (tracker worker)")
            except Exception as error:  # Redis down at start-up: pages still work
                log.error(
                    "background jobs: cannot reach Redis (%s); jobs will wait for the worker", error
                )
        elif self.embedded:
            log.info(
                "background jobs: no REDIS_URL, running digests, reminders and mail inside this "
                "process every %ss (the embedded scheduler)",
                int(self.interval),
            )
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            # A cancel that lands inside a library that swallows it (seen: during a cycle's
            # database or mail step) would leave the loop running; the flag and the wake-up
            # end it at the next turn whatever happens to the cancel.
            self._stopping = True
            self._wake.set()
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=STOP_SECONDS)
            if not done:
                stack = io.StringIO()
                self._task.print_stack(file=stack)
                log.error(
                    "the embedded scheduler did not stop within %ss: %s",
                    STOP_SECONDS,
                    stack.getvalue(),
                )
        if self.pool is not None:
            await self.pool.aclose()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await run_cycle()
            except Exception:
                log.exception("embedded scheduler cycle failed; the next cycle retries")
            await self._pause()

    async def _pause(self) -> None:
        """Until the interval passes or someone wakes the scheduler (``stop`` does)."""
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=self.interval)
        finally:
            waiter.cancel()
        self._wake.clear()

    async def redis_ok(self) -> bool:
        if self.pool is None:
            await self._connect()
        if self.pool is None:
            return False
        try:
            await self.pool.ping()
            return True
        except Exception:
            return False

    async def _connect(self) -> None:
        try:
            from arq import create_pool
            from arq.connections import RedisSettings

            settings = RedisSettings.from_dsn(self.redis_url or "")
            settings.conn_retries = 0
            self.pool = await create_pool(settings)
        except Exception as error:
            log.error(
                "background jobs: cannot reach Redis (%s); jobs wait for the worker's sweep", error
            )
            self.pool = None

    async def kick(self, job: str = "deliver") -> bool:
        """Ask for a job to run soon; False (logged) when it could not be queued."""
        if self.redis_url:
            if self.pool is None:
                await self._connect()
            if self.pool is None:
                return False
            try:
                await self.pool.enqueue_job(job)
                return True
            except Exception as error:
                log.error(
                    "could not enqueue %s (the worker's periodic sweep will pick it up): %s",
                    job,
                    error,
                )
                return False
        if self._task is not None:
            self._wake.set()
            return True
        return False
