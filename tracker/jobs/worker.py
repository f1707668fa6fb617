"""arq worker settings: ``tracker worker`` runs them against REDIS_URL."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import RedisSettings

from tracker import db, live, wiring
from tracker.jobs.tasks import (
    deliver,
    digest_tick,
    kpi_alerts_tick,
    reminders_tick,
    sustainment_tick,
)
from tracker.seedtables.jobs import seed_import
from tracker.settings import get_settings
from tracker.wall_check import check_role


async def ping(ctx: dict[str, Any]) -> str:
    """A trivial job: proves the worker is connected and runs jobs."""
    return "pong"


async def startup(ctx: dict[str, Any]) -> None:
    wiring.install()  # the hooks between areas, as in the app
    settings = get_settings()
    engine = db.make_engine(settings.database_url)
    db.use_engine(engine)
    await db.start(engine, 1, settings.db_pool_max, settings.db_app_role)
    await check_role(settings, engine.run_ddl)  # production: no role that bypasses the wall
    ctx["engine"] = engine
    await live.start(settings.redis_url)  # jobs that notify reach the web replicas' streams


async def shutdown(ctx: dict[str, Any]) -> None:
    await live.stop()
    await db.stop(ctx["engine"])


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(get_settings().redis_url or "redis://127.0.0.1:6379/0")


FUNCTIONS = [ping, digest_tick, reminders_tick, deliver, seed_import]
CRON_JOBS = [
    cron(digest_tick, minute={0, 15, 30, 45}, run_at_startup=True),
    cron(reminders_tick, minute={5, 35}),
    cron(kpi_alerts_tick, minute=set(range(0, 60, 5))),
    cron(sustainment_tick, minute={20}),
    cron(deliver, minute=set(range(60))),
]


class WorkerSettings:
    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_tries = 5
