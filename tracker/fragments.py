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

The key is one frozen object, ``Shown``: the template, the language, who looks (``Member``) and
every value the template receives (``Shown.context``), with the revision or the rows' key in
``read``. A controller builds it, then renders the part from it alone, so a value the template
receives cannot be left out of the key (one member's render served to another).

A part with forms is kept with ``CSRF_MARK`` where each form's CSRF input goes (render it with
``csrf_input=CSRF_MARK``), and ``with_csrf`` puts the request's own input there when the part
is shown: the token, which belongs to the visitor, is never kept.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

from markupsafe import Markup

from tracker.i18n import get_language
from tracker.tenancy import OrgContext

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Kept(Generic[K, T]):
    """Values by key, the least recently used first out past ``max_entries``.

    With ``slot``, a key's slot is the key without what moves with each change (a revision,
    the rows' key): a slot keeps only its latest value, so a part kept under revision after
    revision of a busy organisation holds one entry, not ``max_entries`` stale ones (the board's
    open alerts, 200 rows under each revision of an organisation that writes all day, grew a
    worker past 150 MB).

    With ``max_size``, the values' sizes (``size_of``) add up to at most that much: the oldest
    go first, and a value larger on its own is made each time, never kept. A count alone did
    not bound a part that grows with its data (an initiative's matrix of thousands of
    problems, kept under each new problem's revision, grew a worker to 7 GB in a 10-minute
    soak).

    ``Kept.enabled`` off (``TRACKER_KEPT_PARTS=off``, for benchmarks) keeps nothing: every
    part is rendered and every kept read made anew, as on a first visit after a change."""

    enabled = True
    default_max_size: int | None = None  # ``max_size`` when none is given

    def __init__(
        self,
        max_entries: int,
        slot: Callable[[K], Hashable] | None = None,
        max_size: int | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.max_size = max_size if max_size is not None else self.default_max_size
        self.size = 0  # the values' sizes added up (with ``max_size``)
        self._values: OrderedDict[K, T] = OrderedDict()
        self._slot = slot
        self._latest: dict[Hashable, K] = {}  # each slot's key kept last
        self.hits = self.misses = 0

    def size_of(self, value: T) -> int:
        """A value's size, for ``max_size``."""
        return 1

    def get(self, key: K) -> T | None:
        """The value kept for ``key``, if any."""
        value = self._values.get(key) if Kept.enabled else None
        if value is not None:
            self._values.move_to_end(key)
            self.hits += 1
        return value

    def keep(self, key: K, value: T) -> T:
        self.misses += 1
        size = self.size_of(value) if self.max_size is not None else 0
        if self.max_size is not None and size > self.max_size:
            return value  # too large to keep: made on each request
        if self._slot is not None:
            slot = self._slot(key)
            before = self._latest.get(slot)
            if before is not None and before != key:
                self._drop(before)
            self._latest[slot] = key
        self._drop(key)
        self._values[key] = value
        self.size += size
        while len(self._values) > self.max_entries or (
            self.max_size is not None and self.size > self.max_size
        ):
            oldest = next(iter(self._values))
            self._drop(oldest)
            if self._slot is not None and self._latest.get(self._slot(oldest)) == oldest:
                del self._latest[self._slot(oldest)]
        return value

    def _drop(self, key: K) -> None:
        value = self._values.pop(key, None)
        if value is not None and self.max_size is not None:
            self.size -= self.size_of(value)

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()
        self._latest.clear()
        self.size = 0


class Member(NamedTuple):
    """Who looks at a kept part: all its template may use of the request's ``OrgContext``.

    ``Member`` and ``Shown`` are named tuples rather than frozen dataclasses: a key is made,
    hashed and compared for every part of every page, and a tuple does each in C (a frozen
    dataclass's ``__init__``, ``__hash__`` and ``__eq__`` were 30 µs of a kept board)."""

    org_id: int
    slug: str
    person_id: int
    role: str

    @classmethod
    def of(cls, ctx: OrgContext) -> Member:
        return cls(ctx.org_id, ctx.slug, ctx.person_id, ctx.role)


class Shown(NamedTuple):
    """Everything a kept part is made from, and so its key: the template, the language it is
    rendered in, who looks (None for a part that is the same for everyone, such as a chart
    made of its points), the values the template receives by name (each hashable), and what
    was read (the database's revision, or ``rows_key`` of the rows the part shows)."""

    template: str
    language: str
    ctx: Member | None
    values: tuple[tuple[str, Hashable], ...]
    read: Hashable = None

    @classmethod
    def of(
        cls, template: str, ctx: OrgContext | None, read: Hashable = None, **values: Hashable
    ) -> Shown:
        member = Member.of(ctx) if ctx is not None else None
        return cls(template, get_language(), member, tuple(sorted(values.items())), read)

    def context(self) -> dict[str, Any]:
        """What the template receives of the key: ``ctx`` and the values."""
        return {"ctx": self.ctx, **dict(self.values)}


def shown_slot(key: Shown) -> Shown:
    """A ``Shown`` key's slot: the key without what was read (see ``Kept``)."""
    return key._replace(read=None)


def first_slot(key: Hashable) -> Hashable:
    """A ``(what, revision)`` key's slot: its first member (see ``Kept``)."""
    assert isinstance(key, tuple)
    return key[0]


# A cache of rendered parts holds at most this many characters (8–32 MB, as the text is ASCII
# or not) whatever its count of entries.
PART_CHARS = 8_000_000


class FragmentCache(Kept[Shown, Markup]):
    default_max_size = PART_CHARS

    def size_of(self, value: Markup) -> int:
        return len(value)

    def render(self, key: Shown, make: Callable[[], str]) -> Markup:
        """The part for ``key``: kept, or made now by ``make`` (from ``key`` and what was
        read) and kept."""
        part = self.get(key)
        return part if part is not None else self.keep(key, Markup(make()))


class KeptReads(Kept[Hashable, T]):
    """What was read, kept under a key that changes whenever it would read differently (a
    revision the database keeps)."""

    async def read(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        value = self.get(key)
        return value if value is not None else self.keep(key, await load())


# Unguessable, so no text a visitor writes can stand for it.
CSRF_MARK = Markup(f"<!--csrf-{secrets.token_hex(16)}-->")


# Where a kept part shows the address of the page it is on (the top bar's language form).
NEXT_MARK = Markup(f"<!--next-{secrets.token_hex(16)}-->")


def with_csrf(part: Markup, csrf_input: str) -> Markup:
    """A kept part with the request's CSRF input where it was kept with ``CSRF_MARK``."""
    return Markup(str.replace(part, CSRF_MARK, csrf_input))  # Markup.replace would escape it


def with_marks(part: Markup, csrf_input: str, next_url: str) -> Markup:
    """``with_csrf``, and the page's escaped address where it was kept with ``NEXT_MARK``."""
    return Markup(str.replace(str.replace(part, CSRF_MARK, csrf_input), NEXT_MARK, next_url))


def rows_key(rows: Iterable[Mapping[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """The rows' values as a key (database rows, from PostgreSQL or SQLite)."""
    return tuple(tuple(row.values()) for row in rows)


class RowsKey:
    """``rows_key`` hashed once: a page that keeps several parts of the same rows (a KPI's
    chart, control chart and table of 60 measurements) makes one key for them all, instead of
    hashing hundreds of values for each part."""

    __slots__ = ("_hash", "rows")

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.rows = rows_key(rows)
        self._hash = hash(self.rows)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowsKey) and self._hash == other._hash and self.rows == other.rows
