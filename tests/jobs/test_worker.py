"""The arq worker runs jobs from a real Redis."""

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from tracker.jobs.worker import WorkerSettings


async def test_burst_worker_runs_an_enqueued_job(redis_url):
    settings = RedisSettings.from_dsn(redis_url)
    redis = await create_pool(settings)
    try:
        await redis.flushdb()
        job = await redis.enqueue_job("ping", _job_id="ping-test")
        assert job is not None
        assert await redis.enqueue_job("ping", _job_id="ping-test") is None  # idempotent id
        worker = Worker(
            functions=WorkerSettings.functions,
            redis_settings=settings,
            burst=True,
            handle_signals=False,
            poll_delay=0.05,
        )
        try:
            await worker.main()
        finally:
            await worker.close()
        assert await job.result(timeout=5) == "pong"
        assert worker.jobs_complete == 1
    finally:
        await redis.flushdb()
        await redis.aclose()
