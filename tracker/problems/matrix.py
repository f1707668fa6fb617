"""The impact–urgency matrix: an initiative's (all its problems: they are few) and the whole
portfolio's, bounded (issue 19). A portfolio cell shows its oldest ``CELL_LIMIT`` problems —
within a cell they share their impact, urgency and so their priority, and the oldest waited
longest — with the count of all of them; "Show all N" opens the cell's own page, a page of
``PAGE`` at a time. The counts are kept by triggers (``problem_cell``), the problems shown
come from 25 reads of the index that stop at their limit: two queries whatever the size of
the portfolio, neither of which counts its problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from tracker.i18n import gettext as _
from tracker.problems import queries as q
from tracker.problems import rules, service
from tracker.tenancy import TenantScope

CELL_LIMIT = q.CELL_LIMIT
PAGE = 50  # problems per page of one cell
CELLS = [(i, u) for i in q.SCORES for u in q.SCORES]
LIVE = (rules.ProblemStatus.OPEN, rules.ProblemStatus.ANALYSING)


@dataclass(frozen=True)
class Matrix:
    cells: dict[tuple[int, int], list[dict[str, Any]]]  # the problems shown, per cell
    counts: dict[tuple[int, int], int]  # all the cell's problems
    bounded: bool  # a cell shows at most CELL_LIMIT, with "Show all N" to its page

    @property
    def count(self) -> int:
        return sum(self.counts.values())


def shown_key(matrix: Matrix) -> tuple[Any, ...]:
    """All the grid shows of a matrix, as a key (tracker.fragments): each cell's problems (id,
    title, the initiative's code), the counts, whether it is bounded."""
    return (
        tuple(
            (p["id"], p["title"], p.get("initiative.process_code"))
            for cell in CELLS
            for p in matrix.cells[cell]
        ),
        tuple(len(matrix.cells[cell]) for cell in CELLS),
        tuple(matrix.counts[cell] for cell in CELLS),
        matrix.bounded,
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


async def portfolio(scope: TenantScope) -> Matrix:
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {cell: [] for cell in CELLS}
    rows = await scope.fetch_dicts(q.CELL_TOPS)
    for row in sorted(rows, key=lambda r: (r["created_at"], r["id"])):
        cells[(row["impact"], row["urgency"])].append(row)
    return Matrix(cells, _counts(await scope.fetch_dicts(q.CELL_COUNTS)), bounded=True)


async def of_initiative(scope: TenantScope, initiative_id: int) -> Matrix:
    """Every open or analysing problem of one initiative, in priority order."""
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {cell: [] for cell in CELLS}
    for row in await service.problems(scope, initiative_id):
        if row["status"] in LIVE:
            cells[(row["impact"], row["urgency"])].append(row)
    return Matrix(cells, {cell: len(rows) for cell, rows in cells.items()}, bounded=False)


@dataclass(frozen=True)
class CellPage:
    rows: list[dict[str, Any]]
    total: int  # the cell's problems
    next_after: int | None  # the problem the next page starts after (None: the last page)


async def cell_page(scope: TenantScope, impact: int, urgency: int, after: int | None) -> CellPage:
    """One cell's problems of the portfolio, oldest first, a page after the problem ``after``
    (the first page without it)."""
    size = PAGE
    rows = await scope.fetch_dicts(
        q.CELL_PAGE, impact=impact, urgency=urgency, after=after, limit=size + 1
    )
    counted = await scope.fetch_dicts(q.CELL_COUNTS, impact=impact, urgency=urgency)
    more = len(rows) > size
    rows = rows[:size]
    return CellPage(
        rows=rows,
        total=int(counted[0]["n"]) if counted else 0,
        next_after=rows[-1]["id"] if more else None,
    )
