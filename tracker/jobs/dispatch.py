"""How the web process gets background work done.

With REDIS_URL the web process only enqueues (the arq worker runs the jobs); without it an
embedded scheduler runs the same job functions inside ``serve`` — said clearly in the log —
so the one-command run still sends digests. A failed enqueue is logged and reported, never a
crash: the worker's periodic sweep picks the work up anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tracker.jobs.tasks import run_cycle

log = logging.getLogger("tracker.jobs")


class Dispatcher:
    def __init__(self, redis_url: str | None, embedded: bool, interval: float = 60.0) -> None:
        self.redis_url = redis_url
        self.embedded = embedded and not redis_url
        self.interval = interval
        self.pool: Any = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

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
            log.warning(
                "background jobs: no REDIS_URL, running digests, reminders and mail inside this "
                "process every %ss (the embedded scheduler)",
                int(self.interval),
            )
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.pool is not None:
            await self.pool.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                await run_cycle()
            except Exception:
                log.exception("embedded scheduler cycle failed; the next cycle retries")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
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
