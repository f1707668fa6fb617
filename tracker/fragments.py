"""Rendered parts of pages, kept by what they show.

A part's key holds everything the part shows: its rows as just read from the database, the
language, the day, the organisation, the filter. A kept part is therefore never stale: when
anything it shows changes, its key changes and it is rendered anew, and keys nobody asks for
any more age out (least recently used first). The data is still read on every request; only
the rendering (the larger share of a busy page) is saved. Each web process keeps its own.

Where the database keeps a revision for what a part shows (the portfolio board's, see migration
2026-11-23T08:00), the revision stands in for the rows in the key, and the rows need not be
read at all while it is unchanged: ``FragmentCache.get`` before reading, ``KeptReads`` for rows
a page shows outside a kept part.

A part with forms is kept with ``CSRF_MARK`` where each form's CSRF input goes (render it with
``csrf_input=CSRF_MARK``), and ``with_csrf`` puts the request's own input there when the part
is shown: the token, which belongs to the visitor, is never kept.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from markupsafe import Markup

T = TypeVar("T")


class Kept(Generic[T]):
    """Values by key, the least recently used first out past ``max_entries``.

    ``Kept.enabled`` off (``TRACKER_KEPT_PARTS=off``, for benchmarks) keeps nothing: every
    part is rendered and every kept read made anew, as on a first visit after a change."""

    enabled = True

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> T | None:
        """The value kept for ``key``, if any."""
        value = self._values.get(key) if Kept.enabled else None
        if value is not None:
            self._values.move_to_end(key)
            self.hits += 1
        return value

    def keep(self, key: Hashable, value: T) -> T:
        self.misses += 1
        self._values[key] = value
        if len(self._values) > self.max_entries:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()


class FragmentCache(Kept[Markup]):
    def render(self, key: Hashable, make: Callable[[], str]) -> Markup:
        """The part for ``key``: kept, or made now by ``make`` and kept."""
        part = self.get(key)
        return part if part is not None else self.keep(key, Markup(make()))


class KeptReads(Kept[T]):
    """What was read, kept under a key that changes whenever it would read differently (a
    revision the database keeps)."""

    async def read(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        value = self.get(key)
        return value if value is not None else self.keep(key, await load())


# Unguessable, so no text a visitor writes can stand for it.
CSRF_MARK = Markup(f"<!--csrf-{secrets.token_hex(16)}-->")


def with_csrf(part: Markup, csrf_input: str) -> Markup:
    """A kept part with the request's CSRF input where it was kept with ``CSRF_MARK``."""
    return Markup(str.replace(part, CSRF_MARK, csrf_input))  # Markup.replace would escape it


def rows_key(rows: Iterable[Mapping[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """The rows' values as a key (database rows, from PostgreSQL or SQLite)."""
    return tuple(tuple(row.values()) for row in rows)
