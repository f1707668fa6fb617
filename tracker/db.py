"""Database engines: built from settings, counting queries, bound to every table at start-up.

Piccolo binds a table to the engine found in ``piccolo_conf`` when the table class is
created. ``use_engine`` rebinds every table of the app (and ``piccolo_conf.DB``) so the
same process can talk to the database named by the settings: the app at start-up and the
test suite, which runs the same tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

# SQLite's LIKE already ignores case for ASCII; Piccolo warns on every ILIKE it rewrites.
warnings.filterwarnings("ignore", message="SQLite doesn't support ILIKE")


@dataclass
class QueryCounter:
    count: int = 0
    statements: list[str] = field(default_factory=list)


_counter: contextvars.ContextVar[QueryCounter | None] = contextvars.ContextVar(
    "query_counter", default=None
)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the queries run in this context (and the tasks it starts)."""
    counter = QueryCounter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


def _note(query: Any) -> None:
    counter = _counter.get()
    if counter is not None:
        counter.count += 1
        counter.statements.append(str(query)[:300])


class CountingPostgresEngine(PostgresEngine):
    async def run_querystring(self, querystring: QueryString, in_pool: bool = True):
        _note(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        _note(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)


class CountingSQLiteEngine(SQLiteEngine):
    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        _note(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        _note(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)


def postgres_config(url: str) -> dict[str, Any]:
    parts = urlparse(url)
    config: dict[str, Any] = {"database": (parts.path or "/").lstrip("/") or "postgres"}
    if parts.hostname:
        config["host"] = parts.hostname
    if parts.port:
        config["port"] = parts.port
    if parts.username:
        config["user"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def make_engine(database_url: str) -> Engine:
    if database_url.startswith(("postgres://", "postgresql://")):
        return CountingPostgresEngine(config=postgres_config(database_url))
    path = database_url.removeprefix("sqlite:///")
    return CountingSQLiteEngine(path=path, timeout=30)


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


def write_transaction() -> Any:
    """A transaction that takes the write lock at once on SQLite (no upgrade deadlocks)."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def start(engine: Engine, pool_min: int, pool_max: int) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=pool_min, max_size=pool_max)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


def is_unique_violation(error: Exception) -> bool:
    """A unique key refused the write (asyncpg and sqlite3 word it differently)."""
    text = f"{type(error).__name__} {error}".lower()
    return "unique" in text or "duplicate" in text
