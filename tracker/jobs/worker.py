"""arq worker settings. Jobs arrive with the digests and reminders; the worker runs now."""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings

from tracker import db
from tracker.settings import get_settings


async def ping(ctx: dict[str, Any]) -> str:
    """A trivial job: proves the worker is connected and runs jobs."""
    return "pong"


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    engine = db.make_engine(settings.database_url)
    db.use_engine(engine)
    await db.start(engine, 1, settings.db_pool_max)
    ctx["engine"] = engine


async def shutdown(ctx: dict[str, Any]) -> None:
    await db.stop(ctx["engine"])


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(get_settings().redis_url or "redis://127.0.0.1:6379/0")


class WorkerSettings:
    functions = [ping]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
