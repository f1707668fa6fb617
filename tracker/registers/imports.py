"""What the imports of the registers share (each area's own is in its ``imports.py``, e.g.
tracker/problems/imports.py): values as keys or labels in either language, a preview of
every row's errors, and ``Importer``, which an area declares and tracker/wiring.py lists in
``IMPORTERS`` for the import pages (tracker/registers/controller.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.accounts.tables import Membership
from tracker.i18n import gettext as _
from tracker.registers.importing import Sheet
from tracker.tenancy import TenantScope

VALUE_ALIASES = {
    "效率": "efficiency",
    "效率问题": "efficiency",
    "质量": "quality",
    "质量问题": "quality",
    "协同": "coordination",
    "协同问题": "coordination",
    "风险": "risk",
    "风险问题": "risk",
    "人": "people",
    "机": "machine",
    "料": "material",
    "法": "method",
    "环": "environment",
    "未解决": "open",
    "打开": "open",
    "分析中": "analysing",
    "已解决": "solved",
    "暂缓": "deferred",
    "应对中": "mitigating",
    "已关闭": "closed",
}


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)  # parsed values per row
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message
    updates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _value(text: str) -> str:
    return VALUE_ALIASES.get(text.strip(), text.strip().lower())


def _score(preview: Preview, row: int, column: str, text: str) -> int | None:
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    preview.errors.append((row, column, _("Score from 1 to 5.")))
    return None


async def _owners(org_id: int) -> dict[str, int]:
    rows = await Membership.select(Membership.person.id, Membership.person.email).where(
        Membership.org == org_id
    )
    return {r["person.email"].lower(): r["person.id"] for r in rows}


def _translate(sheet: Sheet, preview: Preview) -> None:
    for row, column, message in sheet.errors:
        preview.errors.append((row, column, _(message)))


@dataclass(frozen=True)
class Importer:
    """One register's import: its columns (names in either language), the ones required, the
    preview of an uploaded sheet and the all-or-nothing write (returns the rows written)."""

    columns: dict[str, list[str]]
    required: frozenset[str]
    preview: Callable[[TenantScope, int, Sheet], Awaitable[Preview]]
    write: Callable[[TenantScope, int, Preview, int], Awaitable[int]]


# register name → its import, filled by tracker/wiring.py
IMPORTERS: dict[str, Importer] = {}
