"""Large imports as background jobs: more than JOB_ROWS rows are written by a job, never in
the request. The checked file is kept (tracker.uploads); the job reads it again, checks every
row and writes all rows in one transaction, reporting its progress as it goes; a cancel
rolls everything back.

The job's state (progress, outcome, the cancel request) lives in Redis when the app runs
with REDIS_URL (the arq worker runs the job: ``seed_import``), else in this process's memory
(the web process runs it as a task of its own, like the embedded scheduler)."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import secrets
from typing import Any

from tracker import uploads
from tracker.db import tenant_transaction
from tracker.i18n import language
from tracker.seedtables import importers, reading
from tracker.tenancy import TenantScope
from tracker.uploads.tables import StoredFile

JOB_ROWS = 300  # more rows than this: a background job
CHUNK = 100  # rows written between two progress reports
KEEP_SECONDS = 24 * 3600
log = logging.getLogger("tracker.jobs")

_MEMORY: dict[str, dict[str, Any]] = {}
_TASKS: set[asyncio.Task[None]] = set()


class Cancelled(Exception):
    """Someone pressed Cancel: the transaction rolls back."""


class Store:
    """Where a job's state is kept: Redis (shared with the worker) or this process."""

    def __init__(self, redis: Any = None) -> None:
        self.redis = redis

    async def get(self, job_id: str) -> dict[str, Any] | None:
        if self.redis is None:
            state = _MEMORY.get(job_id)
            return dict(state) if state else None
        raw = await self.redis.get(f"tracker:seed-import:{job_id}")
        return json.loads(raw) if raw else None

    async def put(self, job_id: str, state: dict[str, Any]) -> None:
        if self.redis is None:
            _MEMORY[job_id] = dict(state)
            return
        await self.redis.set(
            f"tracker:seed-import:{job_id}", json.dumps(state, default=str), ex=KEEP_SECONDS
        )

    async def change(self, job_id: str, **values: Any) -> dict[str, Any]:
        state = await self.get(job_id) or {}
        state.update(values)
        await self.put(job_id, state)
        return state


def store_of(app_state: Any) -> Store:
    dispatcher = getattr(app_state, "dispatcher", None)
    if dispatcher is not None and dispatcher.redis_url:
        return Store(dispatcher.pool)
    return Store()


async def start(app_state: Any, state: dict[str, Any]) -> str:
    """Record the job and have it run: enqueued for the arq worker, or a task here."""
    job_id = secrets.token_hex(12)
    state = {**state, "id": job_id, "status": "queued", "done": 0, "errors": []}
    store = store_of(app_state)
    await store.put(job_id, state)
    if store.redis is not None:
        await store.redis.enqueue_job("seed_import", job_id, _job_id=f"seed-import-{job_id}")
    else:
        # a fresh context: not the request's transaction, which ends with the response
        task = asyncio.create_task(run(store, job_id), context=contextvars.Context())
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)
    return job_id


async def seed_import(ctx: dict[str, Any], job_id: str) -> str:
    """The arq job."""
    await run(Store(ctx["redis"]), job_id)
    state = await Store(ctx["redis"]).get(job_id)
    return str((state or {}).get("status"))


async def run(store: Store, job_id: str) -> None:
    state = await store.get(job_id)
    if state is None or state.get("status") != "queued":
        return
    await store.change(job_id, status="running")
    try:
        with language(state.get("language") or "en"):
            outcome = await _work(store, job_id, state)
        await store.change(job_id, **outcome)
    except Cancelled:
        await store.change(job_id, status="cancelled")
    except Exception:
        log.exception("seed import job %s failed", job_id)
        await store.change(job_id, status="failed")


async def _file(scope: TenantScope, file_id: int) -> bytes:
    """The kept file; the request that kept it may not have committed yet when the job
    starts (it is queued before the response): wait for it a little."""
    for _ in range(100):
        stored = (
            await scope.select(StoredFile, StoredFile.content)
            .where(StoredFile.id == file_id)
            .first()
        )
        if stored is not None:
            return bytes(stored["content"])
        await asyncio.sleep(0.1)
    raise LookupError(f"kept file {file_id} not found")


async def _work(store: Store, job_id: str, state: dict[str, Any]) -> dict[str, Any]:
    org, key, initiative = state["org"], state["key"], state["initiative"]
    spec = importers.SPECS[key]
    scope = TenantScope(org)

    async def progress(done: int) -> None:
        current = await store.change(job_id, done=done)
        if current.get("cancel"):
            raise Cancelled()
        await asyncio.sleep(0)  # let the progress be read

    async with tenant_transaction(org, state.get("person")):
        data = await _file(scope, state["file"])
        parsed = await uploads.in_worker(
            reading.read, state["filename"], data, spec.layout, spec.keys
        )
        preview = await importers.preview(scope, key, initiative, parsed)
        if not preview.ok:
            errors = [list(e) for e in preview.errors[:50]]
            return {"status": "failed", "errors": errors}
        await store.change(job_id, total=len(preview.rows))
        count = await importers.write(
            scope, key, initiative, preview, state.get("person") or 0, progress
        )
    return {"status": "done", "done": count}
