"""A large import runs as a background job (issue 18): its page shows the progress as it
goes (htmx reads it every second), the job writes all rows or none, and Cancel leaves
nothing. In this process without Redis; with Redis, through a real arq worker."""

from __future__ import annotations

import asyncio
import re

from tests.helpers import make_initiative
from tracker.risks.tables import Risk
from tracker.seedtables import jobs

ROWS = 5_000
HX = {"hx-request": "true"}


def _seed_file(n: int, tag: str) -> bytes:
    lines = ["风险与应对策略", "风险,风险表现,应对策略"]
    lines += [f"{tag} 风险 {i},表现 {i},应对 {i}" for i in range(n)]
    return "\n".join(lines).encode("gbk")


async def _start(client, initiative: int, data: bytes) -> str:
    response = await client.post(
        f"/o/alpha/initiatives/{initiative}/tables/risks/import",
        files={"file": ("big.csv", data, "text/csv")},
        data={"confirm": "1"},
    )
    assert response.status_code in (302, 303), response.text[-2000:]
    location = response.headers["location"]
    assert location.startswith("/o/alpha/import-jobs/"), location
    return location


def _state(text: str) -> tuple[int, int, bool]:
    value = int(re.search(r'<progress[^>]*value="(\d+)"', text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r'<progress[^>]*max="(\d+)"', text).group(1))  # type: ignore[union-attr]
    return value, total, 'hx-trigger="every 1s"' in text


async def test_a_5000_row_import_runs_as_a_job_and_shows_its_progress(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        page = await _start(client, initiative, _seed_file(ROWS, "job"))
        first = await client.get(page)
        assert first.status_code == 200 and 'hx-trigger="every 1s"' in first.text
        seen: list[int] = []
        for _ in range(1200):
            response = await client.get(page, headers=HX)
            value, total, running = _state(response.text)
            seen.append(value)
            if not running:
                break
            await asyncio.sleep(0.05)
        final = response.text
        async with world.client(world.b, "admin") as outsider:
            assert (await outsider.get(page.replace("alpha", "beta"))).status_code == 404
        async with world.client(world.a, "viewer") as viewer:
            assert (await viewer.get(page)).status_code == 403
    assert total == ROWS and "5000" in final and not running
    assert any(0 < v < ROWS for v in seen), seen[:20]  # progress seen on the way
    assert await Risk.count().where(Risk.initiative == initiative) == ROWS


async def test_cancel_leaves_nothing(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        page = await _start(client, initiative, _seed_file(ROWS, "cancel"))
        cancelled = await client.post(page + "/cancel")
        assert cancelled.status_code in (302, 303)
        for _ in range(1200):
            response = await client.get(page, headers=HX)
            if not _state(response.text)[2]:
                break
            await asyncio.sleep(0.05)
    assert "nothing was imported" in response.text
    assert await Risk.count().where(Risk.initiative == initiative) == 0


async def test_a_small_import_is_written_at_once(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/tables/risks/import",
            files={"file": ("small.csv", _seed_file(jobs.JOB_ROWS, "small"), "text/csv")},
            data={"confirm": "1"},
        )
    assert response.headers["location"].endswith("/risks")
    assert await Risk.count().where(Risk.initiative == initiative) == jobs.JOB_ROWS


async def test_with_redis_a_real_arq_worker_runs_the_job(world, redis_url):
    """The worker's process shares nothing with the web's but Redis and the database."""
    import os

    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker

    from tracker import uploads
    from tracker.tenancy import TenantScope

    initiative = await make_initiative(world.a)
    data = _seed_file(1_000, "worker")
    kept = await uploads.keep(TenantScope(world.a.id), "import", "w.csv", data, None)
    settings = RedisSettings.from_dsn(redis_url)
    queue = f"seedio-test-{os.getpid()}-{world.backend}"
    redis = await create_pool(settings, default_queue_name=queue)
    store = jobs.Store(redis)
    job_id = f"t{os.getpid()}{initiative}"
    await store.put(
        job_id,
        {"id": job_id, "org": world.a.id, "key": "risks", "initiative": initiative,
         "file": kept, "filename": "w.csv", "person": world.a.people["lead"], "total": 1_000,
         "status": "queued", "done": 0, "errors": [], "language": "zh_Hans"},
    )  # fmt: skip
    try:
        assert await redis.enqueue_job("seed_import", job_id, _queue_name=queue) is not None
        worker = Worker(
            functions=[jobs.seed_import],
            redis_settings=settings,
            queue_name=queue,
            burst=True,
            handle_signals=False,
            poll_delay=0.05,
        )
        running = asyncio.create_task(worker.main())
        seen = []
        while not running.done():
            state = await store.get(job_id)
            seen.append((state or {}).get("done", 0))
            await asyncio.sleep(0.01)
        await running
        await worker.close()
        state = await store.get(job_id)
    finally:
        await redis.delete(f"tracker:seed-import:{job_id}")
        await redis.aclose()
    assert state is not None and state["status"] == "done" and state["done"] == 1_000
    assert any(0 < v < 1_000 for v in seen), seen[:20]
    assert await Risk.count().where(Risk.initiative == initiative) == 1_000
