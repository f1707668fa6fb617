"""The database: the engine bound to every table at start-up, the transactions (a request's,
a write's, the tenant wall's) and the pool's start and stop. The engines themselves, counting
queries and naming who acts, are in ``tracker.db_engines`` and reached through here.

Piccolo binds a table to the engine found in ``piccolo_conf`` when the table class is
created. ``use_engine`` rebinds every table of the app (and ``piccolo_conf.DB``) so the
same process can talk to the database named by the settings: the app at start-up and the
test suite, which runs the same tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Any

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from tracker.db_engines import (  # noqa: F401  (the engines, reached through tracker.db)
    Actor,
    CountingPostgresEngine,
    CountingSQLiteEngine,
    QueryCounter,
    ResilientPostgresTransaction,
    acting,
    count_queries,
    current_actor,
    make_engine,
    postgres_config,
)

# SQLite's LIKE already ignores case for ASCII; Piccolo warns on every ILIKE it rewrites.
warnings.filterwarnings("ignore", message="SQLite doesn't support ILIKE")

log = logging.getLogger("tracker.db")

# Stopping waits this long for connections still checked out (a request or a background cycle
# finishing its statement), then cuts them: a stop must end, or a server never shuts down.
POOL_CLOSE_SECONDS = 10.0


def all_tables() -> list[Any]:
    from tracker.piccolo_app import APP_CONFIG

    return list(APP_CONFIG.table_classes)


def use_engine(engine: Engine) -> None:
    """Point every table of the app, and Piccolo's own configuration, at ``engine``."""
    from tracker import piccolo_conf

    piccolo_conf.DB = engine
    for table in all_tables():
        table._meta.db = engine


def current_engine() -> Engine:
    from tracker import piccolo_conf

    return piccolo_conf.DB


@asynccontextmanager
async def _savepoint(transaction: Any) -> AsyncIterator[None]:
    point = await transaction.savepoint()
    try:
        yield
    except BaseException:
        await point.rollback_to()
        raise
    else:
        await point.release()


def write_transaction() -> Any:
    """A transaction that takes the write lock at once on SQLite (no upgrade deadlocks).

    Inside an open PostgreSQL transaction (the tenant wall's per-request one) it is a
    savepoint, so a refused write (a unique key) rolls back alone and the request goes on.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    current = engine.current_transaction.get()
    if current is not None:
        return _savepoint(current)
    return engine.transaction()


def joined_transaction() -> Any:
    """The open transaction (the tenant wall's per-request one) where there is one, with no
    savepoint: for writes whose failure fails the request anyway. Elsewhere a new one, as
    ``write_transaction``. A savepoint costs two round trips; the vote used to make four."""
    engine = current_engine()
    if not isinstance(engine, SQLiteEngine) and engine.current_transaction.get() is not None:
        return nullcontext()
    return write_transaction()


async def fetch(sql: str, *values: Any) -> list[dict[str, Any]]:
    """Rows of SQL text (``{}`` marks each value) on the current engine: for tests that look
    behind the wall. The app's own hand-written SQL is a ``tracker.sql.Statement`` in its
    area's ``queries.py``, run by ``TenantScope.fetch`` (tests/unit/test_scoped_sql.py)."""
    return list(await current_engine().run_querystring(QueryString(sql, *values)))


async def fetch_dicts(sql: str, *values: Any) -> list[dict[str, Any]]:
    """``fetch``, each row as a dict (for code that adds to the rows or hands them on)."""
    return [dict(row) for row in await fetch(sql, *values)]


# --- the tenant wall: PostgreSQL row-level security --------------------------------------

_app_role: str | None = None
_walled_engine: Engine | None = None  # the engine whose pool runs as _app_role

# True while code runs that production runs behind the wall in a transaction of its own (a
# request, a job's work for one organisation). Production's pool is walled whatever this
# says; the test suite's engine (tests/walled.py) routes by it, so the app's own queries run
# as the walled role while a test's assertions read as the owner.
_walled_work: contextvars.ContextVar[bool] = contextvars.ContextVar("walled_work", default=False)


def in_walled_work() -> bool:
    return _walled_work.get()


@contextmanager
def walled_work() -> Iterator[None]:
    """Mark the body as the app's own work (see ``_walled_work``)."""
    token = _walled_work.set(True)
    try:
        yield
    finally:
        _walled_work.reset(token)


def tenant_wall() -> bool:
    """True when the app's connections run as the walled role (DB_APP_ROLE)."""
    return _app_role is not None


@asynccontextmanager
async def tenant_transaction(
    org_id: int | None, person_id: int | None = None
) -> AsyncIterator[Any]:
    """Run the body in one transaction that knows its organisation (and person); yields the
    transaction (the caller may roll it back), or None without the tenant wall, where the
    application's scoping is the only wall.
    """
    if not tenant_wall():
        yield None
        return
    engine = current_engine()
    with walled_work():
        async with engine.transaction() as transaction:
            await engine.run_querystring(
                QueryString(
                    "SELECT set_config('app.tenant_id', {}, true), "
                    "set_config('app.person_id', {}, true)",
                    "" if org_id is None else str(org_id),
                    "" if person_id is None else str(person_id),
                )
            )
            yield transaction


@asynccontextmanager
async def request_transaction() -> AsyncIterator[Any]:
    """A web request's one transaction behind the wall; the caller sets the wall's settings
    (``auth.identify_walled``) before anything reads a tenant table."""
    with walled_work():
        async with current_engine().transaction() as transaction:
            yield transaction


async def set_local(name: str, value: str) -> None:
    """Change a wall setting (app.tenant_id, app.invitation) inside the current transaction."""
    if tenant_wall():
        await current_engine().run_querystring(
            QueryString("SELECT set_config({}, {}, true)", name, value)
        )


async def act_as_token(org_id: int, token_id: int) -> None:
    """The request's writes are the API token's (the audit trail's "who"), in its organisation:
    the wall's settings in one round trip, and the request's actor for SQLite."""
    actor = current_actor()
    if actor is not None:
        actor.person, actor.token = None, token_id
    if tenant_wall():
        await current_engine().run_querystring(
            QueryString(
                "SELECT set_config('app.tenant_id', {}, true), "
                "set_config('app.token_id', {}, true), set_config('app.person_id', '', true)",
                str(org_id),
                str(token_id),
            )
        )


async def start(engine: Engine, pool_min: int, pool_max: int, role: str | None = None) -> None:
    global _app_role, _walled_engine
    if isinstance(engine, PostgresEngine):
        kwargs: dict[str, Any] = {"min_size": pool_min, "max_size": pool_max}
        if role:
            set_role = f'SET ROLE "{role}";'

            async def init(connection: Any) -> None:
                await connection.execute(set_role)

            async def reset(connection: Any) -> None:
                """Nothing to undo on release (the pool has already rolled back a transaction
                left open): every setting the app makes is local to its transaction
                (``set_config(…, true)``), and the role, the one thing set for the session,
                must stay. The default reset (RESET ALL and more) was a round trip per
                request."""

            kwargs["init"] = init
            kwargs["reset"] = reset
            _app_role, _walled_engine = role, engine
        await engine.start_connection_pool(**kwargs)
    if isinstance(engine, CountingSQLiteEngine):
        engine.start_reusing()


async def stop(engine: Engine) -> None:
    """Close ``engine``; the wall goes with the engine it was started with (stopping another,
    such as a second app's in a test, leaves it up)."""
    global _app_role, _walled_engine
    if engine is _walled_engine:
        _app_role, _walled_engine = None, None
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await close_pool(engine.pool)
        engine.pool = None
    if isinstance(engine, CountingSQLiteEngine):
        await engine.stop_reusing()


async def close_pool(pool: asyncpg.Pool) -> None:
    """Close ``pool`` gracefully for up to ``POOL_CLOSE_SECONDS``, then cut what is left."""
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_SECONDS)
    except TimeoutError:
        log.error(
            "database connections still in use after %ss at shutdown were cut",
            POOL_CLOSE_SECONDS,
        )
        pool.terminate()


def is_unique_violation(error: Exception) -> bool:
    """A unique key refused the write (asyncpg and sqlite3 word it differently)."""
    text = f"{type(error).__name__} {error}".lower()
    return "unique" in text or "duplicate" in text
