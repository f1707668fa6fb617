"""The impact–urgency matrix: the whole portfolio's and an initiative's, both bounded (issue 19).
A cell shows its oldest problems (``CELL_LIMIT`` of the portfolio's, ``INITIATIVE_CELL_LIMIT``
of an initiative's) — within a cell they share their impact, urgency and so their priority, and
the oldest waited longest — with the count of all of them; "Show all N" opens the cell's own
page, a page of ``PAGE`` at a time. The problems shown come from 25 reads of an index that stop
at their limit; the portfolio's counts are kept by triggers (``problem_cell``), an initiative's
counted from its own range of the index: two queries whatever the size of either, and an
initiative that gathered thousands of problems renders the same few hundred at most."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from tracker.i18n import gettext as _
from tracker.problems import queries as q
from tracker.tenancy import TenantScope

CELL_LIMIT = q.CELL_LIMIT
INITIATIVE_CELL_LIMIT = q.INITIATIVE_CELL_LIMIT
PAGE = 50  # problems per page of one cell
CELLS = [(i, u) for i in q.SCORES for u in q.SCORES]


@dataclass(frozen=True)
class Matrix:
    cells: dict[tuple[int, int], list[dict[str, Any]]]  # the problems shown, per cell
    counts: dict[tuple[int, int], int]  # all the cell's problems

    @property
    def count(self) -> int:
        return sum(self.counts.values())


def shown_key(matrix: Matrix) -> tuple[Any, ...]:
    """All the grid shows of a matrix, as a key (tracker.fragments): each cell's problems (id,
    title, the initiative's code) and the counts."""
    return (
        tuple(
            (p["id"], p["title"], p.get("initiative.process_code"))
            for cell in CELLS
            for p in matrix.cells[cell]
        ),
        tuple(len(matrix.cells[cell]) for cell in CELLS),
        tuple(matrix.counts[cell] for cell in CELLS),
    )


_SLOT = "\x00"  # the title's place in a translated label (never in a translation)
MoveLabels = Callable[[str], tuple[Markup, Markup, Markup, Markup]]


def move_labeller() -> MoveLabels:
    """The aria-labels of a problem's four move buttons (up, down, left, right), from its title:
    the four texts translated once per render, the title escaped (it is the user's) and put in
    each where the translation has it. The grid of 125 problems asked ``_()`` for 500 labels,
    each a translation and an escaping ``Markup`` %-format: a fifth of the page's time."""
    up, down, left, right = (
        _("More impact: %(t)s", t=_SLOT),
        _("Less impact: %(t)s", t=_SLOT),
        _("Less urgent: %(t)s", t=_SLOT),
        _("More urgent: %(t)s", t=_SLOT),
    )

    def labels(title: str) -> tuple[Markup, Markup, Markup, Markup]:
        # what Markup(translation) % {"t": title} gives: the translation, the title escaped
        t = escape(title)
        return (
            Markup(up.replace(_SLOT, t)),
            Markup(down.replace(_SLOT, t)),
            Markup(left.replace(_SLOT, t)),
            Markup(right.replace(_SLOT, t)),
        )

    return labels


def _counts(rows: list[dict[str, Any]]) -> dict[tuple[int, int], int]:
    counts = dict.fromkeys(CELLS, 0)
    for row in rows:
        counts[(row["impact"], row["urgency"])] = int(row["n"])
    return counts


def _cells(rows: list[dict[str, Any]]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {cell: [] for cell in CELLS}
    for row in sorted(rows, key=lambda r: (r["created_at"], r["id"])):
        cells[(row["impact"], row["urgency"])].append(row)
    return cells


async def portfolio(scope: TenantScope) -> Matrix:
    rows = await scope.fetch_dicts(q.CELL_TOPS)
    return Matrix(_cells(rows), _counts(await scope.fetch_dicts(q.CELL_COUNTS)))


async def of_initiative(scope: TenantScope, initiative_id: int) -> Matrix:
    """One initiative's open or analysing problems, the oldest few of each cell."""
    rows = await scope.fetch_dicts(q.INITIATIVE_CELL_TOPS, initiative=initiative_id)
    counts = await scope.fetch_dicts(q.INITIATIVE_CELL_COUNTS, initiative=initiative_id)
    return Matrix(_cells(rows), _counts(counts))


@dataclass(frozen=True)
class CellPage:
    rows: list[dict[str, Any]]
    total: int  # the cell's problems
    next_after: int | None  # the problem the next page starts after (None: the last page)


async def cell_page(
    scope: TenantScope,
    impact: int,
    urgency: int,
    after: int | None,
    initiative_id: int | None = None,
) -> CellPage:
    """One cell's problems of the portfolio (or of one initiative), oldest first, a page after
    the problem ``after`` (the first page without it)."""
    size = PAGE
    where = {"impact": impact, "urgency": urgency}
    rows = await scope.fetch_dicts(
        q.CELL_PAGE, **where, after=after, initiative=initiative_id, limit=size + 1
    )
    if initiative_id is None:
        counted = await scope.fetch_dicts(q.CELL_COUNTS, **where)
    else:
        counted = await scope.fetch_dicts(
            q.INITIATIVE_CELL_COUNTS, **where, initiative=initiative_id
        )
    more = len(rows) > size
    rows = rows[:size]
    return CellPage(
        rows=rows,
        total=int(counted[0]["n"]) if counted else 0,
        next_after=rows[-1]["id"] if more else None,
    )
