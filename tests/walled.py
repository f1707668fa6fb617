"""The PostgreSQL half of the suite runs behind the tenant wall, as production does.

The app's pool runs ``SET ROLE tracker_app`` on every connection (``DB_APP_ROLE``), so every
request and every job's work for an organisation reads and writes through row-level
security, exactly as deployed. A test's own set-up and assertions (code outside a request or
a job's organisation, see ``tracker.db.walled_work``) read and write through a second pool
that connects as the owner: they must see behind the wall to check what the app did.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from tracker import db

APP_ROLE = "tracker_app"


class WalledTestEngine(db.CountingPostgresEngine):
    """Queries of the app's own work go to the walled pool; the test's to the owner's."""

    owner_pool: Any = None
    _walled_pool: Any = None

    @property  # type: ignore[override]
    def pool(self) -> Any:
        if db.in_walled_work() or self.owner_pool is None:
            return self._walled_pool
        return self.owner_pool

    @pool.setter
    def pool(self, value: Any) -> None:
        self._walled_pool = value

    async def start_owner_pool(self) -> None:
        self.owner_pool = await asyncpg.create_pool(**self.config, min_size=1, max_size=5)

    async def close_owner_pool(self) -> None:
        if self.owner_pool is not None:  # a connection a killed test left must not hang
            await db.close_pool(self.owner_pool)
            self.owner_pool = None


def as_deployed(app: Any) -> Any:
    """The app as a test client calls it: all its work is the app's own (walled on
    PostgreSQL), including the routes outside a request's transaction (/readyz)."""

    async def call(scope: Any, receive: Any, send: Any) -> None:
        with db.walled_work():
            await app(scope, receive, send)

    return call


async def start(url: str) -> WalledTestEngine:
    engine = WalledTestEngine(config=db.postgres_config(url))
    db.use_engine(engine)
    await db.start(engine, 1, 5, APP_ROLE)
    await engine.start_owner_pool()
    return engine


async def stop(engine: WalledTestEngine) -> None:
    await engine.close_owner_pool()
    await db.stop(engine)  # the walled pool, closed as the owner's


def restore(engine: Any) -> None:
    """Give the suite its engine back after a test ran an app (or engine) of its own, whose
    stop cleared the app's role: the world's PostgreSQL engine is walled again."""
    db.use_engine(engine)
    if isinstance(engine, WalledTestEngine):
        db._app_role, db._walled_engine = APP_ROLE, engine


def env(world: Any) -> dict[str, str]:
    """The variables of a second app started by a test against the world's database: on
    PostgreSQL it runs behind the wall too."""
    extra = {"DB_APP_ROLE": APP_ROLE} if world.backend == "postgres" else {}
    return {"DATABASE_URL": world.database_url, **extra}
