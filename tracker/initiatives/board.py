"""The portfolio board's data: its filter, its columns' cards read (``queries.BOARD``) and
made into what the columns show, the filter form's choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import urlencode

from piccolo.engine.sqlite import SQLiteEngine

from tracker import db
from tracker.accounts.rules import Role
from tracker.i18n import get_language, ngettext
from tracker.initiatives import queries as q
from tracker.initiatives import rules
from tracker.initiatives.rules import PhaseNo, ProcessClass, Status
from tracker.labels import status_label
from tracker.tenancy import MAX_ID, TenantScope

COLUMN_LIMIT = 25  # cards per phase column before "Show all"
_STATUSES = frozenset(Status)
_PROCESS_CLASSES = frozenset(ProcessClass)
_COLUMNS = {str(n.value): n.value for n in PhaseNo}


@dataclass(frozen=True)
class BoardFilter:
    status: str = ""
    owner: int | None = None
    department: str = ""
    process_class: str = ""
    q: str = ""
    column: int | None = None  # the phase column shown in full

    @classmethod
    def from_query(cls, params: Any) -> BoardFilter:
        if not params:
            return UNFILTERED
        owner = params.get("owner") or ""
        status = params.get("status")
        process_class = params.get("process_class")
        return cls(
            status=status if status in _STATUSES else "",
            owner=int(owner) if owner.isdigit() and len(owner) < 10 else None,
            department=(params.get("department") or "")[:100],
            process_class=process_class if process_class in _PROCESS_CLASSES else "",
            q=(params.get("q") or "").strip()[:100],
            column=_COLUMNS.get(params.get("column") or ""),
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.owner or self.department or self.process_class or self.q)

    def query(self, **changes: Any) -> str:
        """The filter as a query string (for links that keep it), with ``changes`` applied."""
        values = {
            "q": self.q,
            "status": self.status,
            "owner": self.owner or "",
            "department": self.department,
            "process_class": self.process_class,
            "column": self.column or "",
        } | changes
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


UNFILTERED = BoardFilter()  # the board as first opened: no filter in the address


class Card(NamedTuple):
    """A card as the board shows it, its texts in the request's language; a tuple, which the
    template unpacks (the board prints about 150 of them, and a tuple's fields are read
    cheapest)."""

    status: str
    id: int
    code: str
    name: str
    status_text: str
    owner: str | None
    days_text: str
    late_text: str  # "" unless overdue
    review_open: bool
    conditions_text: str  # "" without open conditions


# The cards' texts by language, kind and number: a board of 150 cards asks for a hundred or
# more (days in phase, days overdue), the same ones request after request; translations only,
# never a page's data.
_CARD_TEXTS: dict[tuple[str, str, int], str] = {}
_STATUS_TEXTS: dict[str, dict[str, str]] = {}


def _kept_text(key: tuple[str, str, int], text: str) -> str:
    if len(_CARD_TEXTS) < 20_000:
        _CARD_TEXTS[key] = text
    return text


class CardTexts:
    """The cards' texts in the request's language, each distinct text made once."""

    def __init__(self) -> None:
        self.language = language = get_language()
        statuses = _STATUS_TEXTS.get(language)
        if statuses is None:
            statuses = _STATUS_TEXTS[language] = {s.value: status_label(s.value) for s in Status}
        self.statuses = statuses

    def days_in_phase(self, days: int) -> str:
        key = (self.language, "days", days)
        text = _CARD_TEXTS.get(key)
        if text is None:
            text = _kept_text(key, ngettext("%(num)s day in phase", "%(num)s days in phase", days))
        return text

    def overdue(self, days: int) -> str:
        key = (self.language, "late", days)
        text = _CARD_TEXTS.get(key)
        if text is None:
            text = _kept_text(key, ngettext("Overdue %(num)s day", "Overdue %(num)s days", days))
        return text

    def open_conditions(self, count: int) -> str:
        key = (self.language, "conditions", count)
        text = _CARD_TEXTS.get(key)
        if text is None:
            text = _kept_text(
                key,
                ngettext("%(num)s open condition", "%(num)s open conditions", count),
            )
        return text


@dataclass
class Column:
    phase: int
    cards: list[Card] = field(default_factory=list)
    total: int = 0  # cards in the column, shown or not

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def _like(text: str) -> str:
    return "%" + text.replace("%", "").replace("_", "").lower() + "%"


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


FULL_COLUMN = MAX_ID  # the cards of the column shown in full: all of them


async def board_rows(
    scope: TenantScope,
    flt: BoardFilter,
    today: date,
    phases: Iterable[int] = q.PHASE_NUMBERS,
    limit: int = COLUMN_LIMIT,
) -> list[Any]:
    """The cards of the columns ``phases`` as rows: at most ``limit`` in each (all of
    ``flt.column``), with their open review, open conditions and their column's count, in one
    query; without a filter, it reads about 2 × ``limit`` initiatives a column whatever their
    number (see ``queries.BOARD``)."""
    wanted = set(phases)
    limits = {
        f"limit_{n}": (FULL_COLUMN if n == flt.column else limit) if n in wanted else 0
        for n in q.PHASE_NUMBERS
    }
    lite = isinstance(db.current_engine(), SQLiteEngine)
    if flt.active:
        return await scope.fetch(
            q.BOARD_FILTERED_LITE if lite else q.BOARD_FILTERED,
            open_states=rules.REVIEW_OPEN_STATES,
            today=today,
            **filter_values(flt),
            **limits,
        )
    return await scope.fetch(
        q.BOARD_LITE if lite else q.BOARD,
        open_states=rules.REVIEW_OPEN_STATES,
        today=today,
        **limits,
    )


def filter_values(flt: BoardFilter) -> dict[str, Any]:
    """The values of ``queries.BOARD_FILTER`` (the board's filter on the initiative ``i``),
    for every page that filters the portfolio as the board does (the roadmap, the benefits
    roll-up)."""
    return {
        "status": flt.status or None,
        "owner": flt.owner or None,
        "process_class": flt.process_class or None,
        "department": _like(flt.department) if flt.department else None,
        "q": _like(flt.q) if flt.q else None,
    }


def rows_by_phase(rows: list[Any]) -> dict[int, list[Any]]:
    """The board's rows by column (every column, empty ones too)."""
    by_phase: dict[int, list[Any]] = {n: [] for n in q.PHASE_NUMBERS}
    for row in rows:
        by_phase[row["phase_no"]].append(row)
    return by_phase


def board_column(phase: int, rows: list[Any], today: date, texts: CardTexts) -> Column:
    """A column of cards from its rows (``board_rows``), in one pass."""
    column = Column(phase, total=int(rows[0]["total"] or 0) if rows else 0)
    cards = column.cards
    statuses = texts.statuses
    for row in rows:
        due, since, status = _day(row["board_due"]), _day(row["board_since"]), row["status"]
        conditions = row["open_conditions"]
        cards.append(
            Card(
                status,
                row["id"],
                row["process_code"],
                row["name"],
                statuses.get(status, status),
                row["owner_name"],
                texts.days_in_phase((today - since).days if since and since < today else 0),
                texts.overdue((today - due).days) if due and due < today else "",
                bool(row["review_open"]),
                texts.open_conditions(int(conditions)) if conditions else "",
            )
        )
    return column


async def departments(scope: TenantScope) -> list[str]:
    rows = await scope.fetch(q.DEPARTMENTS)
    names: set[str] = set()
    for row in rows:
        names.update(rules.split_departments(row["departments"]))
    return sorted(names)


async def filter_choices(scope: TenantScope) -> tuple[list[dict[str, Any]], list[str]]:
    """The board's filter form's choices, in one query: the people who may own an initiative
    (as ``owner_choices``) and the departments named by the organisation's initiatives."""
    owners: list[dict[str, Any]] = []
    names: set[str] = set()
    for row in await scope.fetch(q.FILTER_CHOICES, roles=(Role.LEAD.value, Role.ADMIN.value)):
        if row["departments"] is None:
            owners.append({"person.id": row["person.id"], "person.name": row["person.name"]})
        else:
            names.update(rules.split_departments(row["departments"]))
    return owners, sorted(names)
