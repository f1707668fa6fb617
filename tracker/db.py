"""Database engines: built from settings, counting queries, bound to every table at start-up.

Piccolo binds a table to the engine found in ``piccolo_conf`` when the table class is
created. ``use_engine`` rebinds every table of the app (and ``piccolo_conf.DB``) so the
same process can talk to the database named by the settings: the app at start-up and the
test suite, which runs the same tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString

# SQLite's LIKE already ignores case for ASCII; Piccolo warns on every ILIKE it rewrites.
warnings.filterwarnings("ignore", message="SQLite doesn't support ILIKE")

log = logging.getLogger("tracker.db")

# Stopping waits this long for connections still checked out (a request or a background cycle
# finishing its statement), then cuts them: a stop must end, or a server never shuts down.
POOL_CLOSE_SECONDS = 10.0


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
    actor = _actor.get()
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
