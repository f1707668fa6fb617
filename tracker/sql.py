"""Hand-written SQL with named parameters: ``Statement`` (tenant data, run through
``TenantScope.fetch``, which binds ``:org`` itself) and ``Unscoped`` (data of no organisation
or of a person across organisations, run by ``fetch_unscoped`` and saying why).

An area keeps its statements in its own ``queries.py``; ``tests/unit/test_scoped_sql.py``
reads every one of them and proves each tenant table it names is filtered by ``:org``.

Syntax: ``:name`` marks a value (a tuple or list value becomes ``{}, {}, …``, for ``IN
(:states)``); ``[ … ]`` is an optional part, kept only when every value it names is given and
not None (``WHERE i.org = :org [AND i.status = :status]``). A statement is compiled once per
shape (which optional parts, how long each list): the text, the order of the values, cached on
the statement; a call only looks its values up. Write no ``{`` ``}`` or ``[`` ``]`` of your own.
"""

from __future__ import annotations

import re
from typing import Any

from piccolo.querystring import QueryString

from tracker import db

_NAME = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")

# compiled form of one shape: the pieces between values (len(names) + 1) and the names
_Compiled = tuple[str, tuple[str, ...], tuple[str, ...]]  # the text, its pieces, the names
# of an INSERT of many rows: the pieces and (row index, or -1 for a common value, name)
_RowsCompiled = tuple[tuple[str, ...], tuple[tuple[int, str], ...]]


class Statement:
    """A statement of tenant data; ``:org`` is bound by the scope that runs it."""

    __slots__ = ("_cache", "_expanded", "_names", "_optional", "_parts", "_rows", "sql")

    def __init__(self, sql: str) -> None:
        if "{" in sql or "}" in sql:
            raise ValueError("write :name for a value, not {}")
        self.sql = sql
        # the text split into (text, optional?) parts; the optional ones without brackets
        parts: list[tuple[str, bool]] = []
        at = 0
        for m in _OPTIONAL.finditer(sql):
            parts.append((sql[at : m.start()], False))
            parts.append((m.group(1), True))
            at = m.end()
        parts.append((sql[at:], False))
        if any(c in text for text, _ in parts for c in "[]"):
            raise ValueError("optional parts [ … ] do not nest")
        self._parts = tuple(
            (text, tuple(_NAME.findall(text)) if optional else ()) for text, optional in parts
        )
        self._names = frozenset(_NAME.findall(sql))
        self._optional = tuple(needs for _, needs in self._parts if needs)
        self._cache: dict[tuple[bool, ...], _Compiled] = {}
        self._expanded: dict[tuple[Any, ...], str] = {}
        self._rows: dict[tuple[Any, ...], _RowsCompiled] = {}
        self._check()

    def _check(self) -> None:
        if "org" not in self._names:
            raise ValueError("a tenant statement filters by :org (else use Unscoped)")

    @property
    def names(self) -> frozenset[str]:
        return self._names

    def variants(self) -> list[str]:
        """The statement's text with every optional part and with none (for the checks)."""
        every = "".join(text for text, _ in self._parts)
        none = "".join(text for text, needs in self._parts if not needs)
        return [every] if every == none else [every, none]

    def _shape(self, values: dict[str, Any]) -> tuple[bool, ...]:
        return tuple(all(values.get(n) is not None for n in needs) for needs in self._optional)

    def _compile(self, shape: tuple[bool, ...]) -> _Compiled:
        kept = iter(shape)
        text = "".join(t for t, needs in self._parts if not needs or next(kept))
        pieces = tuple(_NAME.split(text)[0::2])
        return "{}".join(pieces), pieces, tuple(_NAME.findall(text))

    def bind(self, **values: Any) -> QueryString:
        if not self._names.issuperset(values):
            unknown = sorted(values.keys() - self._names)
            raise TypeError(f"the statement has no :{', :'.join(unknown)}")
        shape = self._shape(values) if self._optional else ()
        compiled = self._cache.get(shape)
        if compiled is None:
            compiled = self._cache[shape] = self._compile(shape)
        template, pieces, names = compiled
        args = [values[n] for n in names]
        for arg in args:
            if type(arg) is tuple or type(arg) is list:
                return self._bind_lists(shape, pieces, args)
        return QueryString(template, *args)

    def _bind_lists(
        self, shape: tuple[bool, ...], pieces: tuple[str, ...], args: list[Any]
    ) -> QueryString:
        """``bind`` where some values are lists: ``{}, {}, …`` each, compiled once per shape
        and lengths."""
        lengths = tuple(len(a) if isinstance(a, tuple | list) else -1 for a in args)
        template = self._expanded.get((shape, lengths))
        if template is None:
            parts = [pieces[0]]
            for length, piece in zip(lengths, pieces[1:], strict=True):
                parts += ["{}" if length < 0 else ", ".join("{}" for _ in range(length)), piece]
            template = self._expanded[shape, lengths] = "".join(parts)
        flat: list[Any] = []
        for arg in args:
            if isinstance(arg, tuple | list):
                flat += arg
            else:
                flat.append(arg)
        return QueryString(template, *flat)

    def bind_rows(self, rows: list[dict[str, Any]], **common: Any) -> QueryString:
        """An INSERT of many rows: the ``VALUES ( … )`` group once per row, the values named in
        ``common`` (``:org``…) the same in each, the others from each row's dict; compiled once
        per row count."""
        key = (len(rows), *sorted(common))
        compiled = self._rows.get(key)
        if compiled is None:
            compiled = self._rows[key] = self._compile_rows(len(rows), set(common))
        pieces, names = compiled
        args = [common[name] if at < 0 else rows[at][name] for at, name in names]
        return QueryString("{}".join(pieces), *args)

    def _compile_rows(self, count: int, common: set[str]) -> _RowsCompiled:
        head, _, tail = self.sql.partition(" VALUES ")
        end = tail.index(")") + 1
        group, rest = tail[:end], tail[end:]
        names: list[tuple[int, str]] = [(-1, n) for n in _NAME.findall(head)]
        for at in range(count):
            names += [(-1 if n in common else at, n) for n in _NAME.findall(group)]
        names += [(-1, n) for n in _NAME.findall(rest)]
        text = f"{head} VALUES {', '.join(group for _ in range(count))}{rest}"
        return tuple(_NAME.split(text)[0::2]), tuple(names)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sql!r})"


class Unscoped(Statement):
    """A statement of no organisation's data (a person, a session, a log-in), or of a person's
    rows across organisations; ``reason`` says which."""

    __slots__ = ("reason",)

    def __init__(self, sql: str, reason: str) -> None:
        self.reason = reason
        super().__init__(sql)

    def _check(self) -> None:
        if not self.reason:
            raise ValueError("say why the statement needs no organisation")


# A statement's text in PostgreSQL's form, by its text with ``{}`` (one per shape and lengths
# of its lists: a bounded number).
_POSTGRES_TEXT: dict[str, str] = {}


def _postgres_text(template: str, count: int) -> str:
    text = _POSTGRES_TEXT.get(template)
    if text is None:
        if len(_POSTGRES_TEXT) > 10_000:
            _POSTGRES_TEXT.clear()
        text = _POSTGRES_TEXT[template] = template.format(*(f"${n}" for n in range(1, count + 1)))
    return text


async def run(query: QueryString) -> list[Any]:
    """The rows of a bound statement. On PostgreSQL its text is compiled once per shape and
    run on the connection (``CountingPostgresEngine.fetch_text``); elsewhere through Piccolo."""
    engine = db.current_engine()
    if isinstance(engine, db.CountingPostgresEngine):
        sql = _postgres_text(query.template, len(query.args))
        return await engine.fetch_text(sql, query.args, query)
    return list(await engine.run_querystring(query))


async def fetch_unscoped(statement: Unscoped, /, **values: Any) -> list[Any]:
    """Rows of a statement of no organisation (see ``Unscoped``)."""
    if not isinstance(statement, Unscoped):
        raise TypeError("a tenant statement runs through TenantScope.fetch")
    return await run(statement.bind(**values))


async def fetch_unscoped_dicts(statement: Unscoped, /, **values: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in await fetch_unscoped(statement, **values)]
