"""The database engines: PostgreSQL's and SQLite's as the app runs them, counting their queries
(``count_queries``, for the tests' fixed query counts), naming the person who acts (``acting``,
read by the audit triggers), and giving a connection back whatever a cancelled transaction did
(``ResilientPostgresTransaction``). ``tracker.db`` binds them to the tables and holds the
transactions; everything here is reached through it.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, dict_factory
from piccolo.querystring import QueryString


@dataclass
class QueryCounter:
    count: int = 0
    queries: list[Any] = field(default_factory=list)
    seconds: float = 0.0  # PostgreSQL: waited for the queries' answers (the benchmarks' "sql")

    @property
    def statements(self) -> list[str]:
        """The SQL of each query (rendered on demand: rendering costs more than counting)."""
        return [str(query)[:300] for query in self.queries]


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


@dataclass
class Actor:
    """Who makes the writes of a request (the audit trail's "who"): a person, or an API token.
    One object per request, so a value set by a dependency running in a task of its own is
    seen by the handler."""

    person: int | None = None
    token: int | None = None


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


@contextmanager
def acting(person_id: int | None) -> Iterator[Actor]:
    """The body's writes are made by ``person_id`` (SQLite: read by the audit triggers through
    the connection's ``tracker_actor_person()``; PostgreSQL reads ``app.person_id``)."""
    actor = Actor(person_id)
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def current_actor() -> Actor | None:
    return _actor.get()


async def _actor_functions(connection: aiosqlite.Connection) -> None:
    """Give a SQLite connection the two functions the audit triggers call. Their values are
    put in ``connection.tracker_actor`` before each statement (``_as_actor``): a connection
    runs one statement at a time, for one task."""
    box: list[int | None] = [None, None]
    connection.tracker_actor = box  # type: ignore[attr-defined]
    await connection.create_function("tracker_actor_person", 0, lambda: box[0])
    await connection.create_function("tracker_actor_token", 0, lambda: box[1])


def _as_actor(connection: Any) -> None:
    box = getattr(connection, "tracker_actor", None)
    if box is not None:
        actor = _actor.get()
        box[0], box[1] = (actor.person, actor.token) if actor else (None, None)


def _note(query: Any) -> None:
    counter = _counter.get()
    if counter is not None:
        counter.count += 1
        counter.queries.append(query)


# A connection the server cut (a restart, a fail-over, pg_terminate_backend) fails on its next
# use; the pool keeps idle ones, so after a restart each of them failed one request with a 500
# (three in a row in the suite). Nothing has run when BEGIN fails, so the transaction closes
# that connection, gives it back (the pool opens a new one in its place; Piccolo's own
# transaction did not give it back when BEGIN failed) and begins on another.
CUT = (
    asyncpg.PostgresConnectionError,  # the connection is gone
    asyncpg.exceptions.OperatorInterventionError,  # "terminating connection due to …"
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
)


class ResilientPostgresTransaction(PostgresTransaction):
    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        pool = self.engine.pool
        attempts = (pool.get_max_size() if pool else 0) + 1
        for attempt in range(attempts):
            self.connection = await self.get_connection()
            self.transaction = self.connection.transaction()
            try:
                await self.begin()
                break
            except CUT:
                # Closed, and back to the pool, which opens a new one in its place (unless
                # the pool saw the connection go and took it back itself).
                with suppress(asyncpg.InterfaceError):
                    self.connection.terminate()
                    if pool:
                        await pool.release(self.connection)
                if attempt == attempts - 1:
                    raise
            except BaseException:
                # Cancelled mid-BEGIN (a client gone, a shutdown): Piccolo would never give the
                # connection back and, a few of these later, the pool is empty for good.
                await self._give_back(cut=True)
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        """Piccolo's, except that the connection goes back whatever COMMIT or ROLLBACK does
        (cancelled or cut on the wire): closed, as its state is unknown."""
        if self._parent:
            return exception is None
        cut = True
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            cut = False
        finally:
            await self._give_back(cut)
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _give_back(self, cut: bool) -> None:
        pool = self.engine.pool
        if cut:
            with suppress(asyncpg.InterfaceError):
                self.connection.terminate()
        if pool:
            with suppress(asyncpg.InterfaceError):  # a pool already cut (a stop past its bound)
                await pool.release(self.connection)
        else:
            await self.connection.close()


class CountingPostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return ResilientPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True):
        _note(querystring)
        counter = _counter.get()
        if counter is None:
            return await super().run_querystring(querystring, in_pool=in_pool)
        started = time.perf_counter()
        try:
            return await super().run_querystring(querystring, in_pool=in_pool)
        finally:
            counter.seconds += time.perf_counter() - started

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        _note(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)

    async def fetch_text(self, sql: str, args: Sequence[Any], shown: Any) -> list[Any]:
        """Rows of SQL already in PostgreSQL's form (``$1``, ``$2``…): what
        ``run_querystring`` does (on the transaction's connection, else a pooled one; counted
        and timed alike) without compiling a QueryString on every call, about 15 µs a query.
        ``tracker.sql.run`` uses it for the app's hand-written statements."""
        _note(shown)
        counter = _counter.get()
        started = time.perf_counter()
        try:
            transaction = self.current_transaction.get()
            if transaction:
                return await transaction.connection.fetch(sql, *args)  # type: ignore[no-any-return]
            if self.pool:
                async with self.pool.acquire() as connection:
                    return await connection.fetch(sql, *args)  # type: ignore[no-any-return]
            connection = await self.get_new_connection()
            try:
                return await connection.fetch(sql, *args)  # type: ignore[no-any-return]
            finally:
                await connection.close()
        finally:
            if counter is not None:
                counter.seconds += time.perf_counter() - started


class CountingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and its aiosqlite thread) for every query
    outside a transaction: 1 to 12 ms each, most of a page's time with a dozen queries
    (issue 14, defect 13). Between ``start`` and ``stop`` this one keeps a few connections
    open (autocommit, as Piccolo opens them) and reuses them; transactions still get a
    connection of their own, as before."""

    POOL_SIZE = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._pooling = False

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        _note(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        _note(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)

    async def get_connection(self) -> aiosqlite.Connection:
        return await self._open()  # a transaction's connection: with the audit's functions

    async def _run_in_existing_connection(self, connection: Any, *args: Any, **kwargs: Any):
        _as_actor(connection)
        return await super()._run_in_existing_connection(connection, *args, **kwargs)

    def start_reusing(self) -> None:
        self._pooling = True

    async def stop_reusing(self) -> None:
        self._pooling = False
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def _open(self) -> aiosqlite.Connection:
        pending = aiosqlite.connect(**self.connection_kwargs)
        # a kept connection's thread must never keep a finished process alive
        thread = getattr(pending, "_thread", None)
        if thread is not None:
            thread.daemon = True
        connection = await pending
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await _actor_functions(connection)
        return connection

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ):
        connection = self._idle.pop() if self._idle else await self._open()
        _as_actor(connection)
        try:
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
        except BaseException:
            await connection.close()  # whatever state it is in, it is not handed on
            raise
        if self._pooling and len(self._idle) < self.POOL_SIZE:
            self._idle.append(connection)
        else:
            await connection.close()
        return rows


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
