"""Reading the audit trail: one record's history, the organisation's page (filters, keyset
pages) and its export. A fixed number of queries whatever the number of entries: the entries
with their person and token, then the names of the people their values name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.audit import labels as audit_labels
from tracker.audit.queries import ENTRIES, HISTORY, NAMES, PEOPLE, TITLES
from tracker.audit.rules import BY_TABLE, PAGE_SIZE, Filters, changes_of, day_bounds, tables_of
from tracker.errors import NotFound
from tracker.sql import fetch_unscoped
from tracker.tenancy import MAX_ID, TenantScope


@dataclass(frozen=True)
class Line:
    field: str
    old: str
    new: str
    secret: bool


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    who: str
    by_token: bool
    person: int | None
    what: str
    table: str
    row_id: int | None
    operation: str
    lines: list[Line]


async def record_title(org_id: int, subject: str, record_id: int) -> str:
    """The record's name, or 404 (another organisation's record is a missing one)."""
    if not 0 < record_id <= MAX_ID:
        raise NotFound()
    rows = await TenantScope(org_id).fetch(TITLES[subject], id=record_id)
    if not rows:
        raise NotFound()
    return str(rows[0]["title"] or "")


async def _names(rows: list[dict[str, Any]]) -> dict[int, str]:
    """The names of the people that the entries' values name (owners, authors …)."""
    ids: set[int] = set()
    for row in rows:
        for change in changes_of(row["changes"]):
            if change.field in audit_labels.PERSON_COLUMNS:
                ids.update(v for v in (change.old, change.new) if isinstance(v, int))
    if not ids:
        return {}
    found = await fetch_unscoped(NAMES, ids=sorted(ids))
    return {r["id"]: r["name"] for r in found}


def _entry(row: dict[str, Any], names: dict[int, str], system: str, in_history: bool) -> Entry:
    table = row["table_name"]
    audited = BY_TABLE.get(table)
    parent = None
    if in_history and audited and audited.subject_column != "id":
        parent = audited.subject_column
    lines = [
        Line(
            audit_labels.field_label(table, c.field),
            "" if c.secret else audit_labels.value_label(table, c.field, c.old, names),
            "" if c.secret else audit_labels.value_label(table, c.field, c.new, names),
            c.secret,
        )
        for c in changes_of(row["changes"])
        if c.field != parent  # the record the History is of: said once, in its title
    ]
    who = row["person_name"] or (row["token_name"] and f"API · {row['token_name']}") or system
    return Entry(
        id=row["id"],
        at=row["at"],
        who=who,
        by_token=row["token"] is not None,
        person=row["person"],
        what=audit_labels.table_label(table),
        table=table,
        row_id=row["row_id"],
        operation=audit_labels.operation_label(row["operation"]),
        lines=lines,
    )


async def _entries(rows: list[dict[str, Any]], in_history: bool = False) -> list[Entry]:
    from tracker.i18n import gettext as _

    names = await _names(rows)
    system = _("System (job or database)")
    return [_entry(row, names, system, in_history) for row in rows]


async def history(
    org_id: int, subject: str, record_id: int, before: int | None
) -> tuple[list[Entry], int | None]:
    """A record's changes, newest first, a page at a time; the id the next page starts
    below (None on the last page)."""
    rows = await TenantScope(org_id).fetch(
        HISTORY, subject=subject, record=record_id, before=before or None, limit=PAGE_SIZE + 1
    )
    return await _page(rows, in_history=True)


async def _page(
    rows: list[dict[str, Any]], in_history: bool = False
) -> tuple[list[Entry], int | None]:
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    entries = await _entries(rows, in_history)
    return entries, (rows[-1]["id"] if more else None)


def _filtered(filters: Filters) -> dict[str, Any]:
    """The values of the ENTRIES statement's optional parts for the page's filters."""
    since, until = day_bounds(filters)
    return {
        "person": filters.person or None,
        "nobody": 1 if filters.person == 0 else None,
        "tables": tuple(tables_of(filters.kind)) if filters.kind else None,
        "since": since,
        "until": until,
    }


async def org_page(
    org_id: int, filters: Filters, before: int | None
) -> tuple[list[Entry], int | None]:
    rows = await TenantScope(org_id).fetch(
        ENTRIES, **_filtered(filters), before=before or None, limit=PAGE_SIZE + 1
    )
    return await _page(rows)


EXPORT_LIMIT = 100_000


async def export(org_id: int, filters: Filters) -> list[Entry]:
    rows = await TenantScope(org_id).fetch(ENTRIES, **_filtered(filters), limit=EXPORT_LIMIT)
    return await _entries(rows)


async def people(org_id: int) -> list[dict[str, Any]]:
    """The organisation's members, for the person filter."""
    return await TenantScope(org_id).fetch(PEOPLE)
