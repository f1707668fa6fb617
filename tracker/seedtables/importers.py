"""The seed tables that import: for each, the field of every column of its layout, how a row
becomes values, its natural key (a re-import updates the row with the same key) and the
all-or-nothing write. The preview and the write read the same rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.seedtables import layouts, reading
from tracker.seedtables.builders import BUILDERS, _key
from tracker.seedtables.values import Row
from tracker.tenancy import TenantScope

CHUNK = 100  # rows written between two progress reports


@dataclass
class Spec:
    layout: Callable[[], layouts.Layout]
    keys: tuple[str | None, ...]  # the field of each header of the layout (None: ignored)
    natural: str  # the field that identifies a row


SPECS: dict[str, Spec] = {
    "as-is-survey": Spec(
        layouts.as_is_survey,
        ("process", "departments", "step", "role", "minutes", "kind", "problem"),
        "step",
    ),
    "matrix": Spec(
        layouts.matrix,
        ("title", "impact", "urgency", None, "category", "status", "owner"),
        "title",
    ),
    "risks": Spec(
        layouts.risks,
        (
            "description",
            "manifestation",
            "mitigation",
            "category",
            "likelihood",
            "impact",
            None,
            "owner",
            "status",
        ),
        "description",
    ),
    "design": Spec(
        layouts.design,
        ("goal", "problem", "measure", "department", "completion_date", "expected_effect"),
        "measure",
    ),
    "kpi-monitoring": Spec(
        layouts.kpi_monitoring,
        (
            "name",
            "formula",
            "data_source",
            "frequency",
            "target",
            "actual",
            "department",
            "unit",
            "measured_on",
        ),
        "name",
    ),
    "optimisation-log": Spec(
        layouts.optimisation_log,
        ("logged_on", "process", "background", "measures", "effect", "owner", "notes"),
        "logged_on",
    ),
}


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, message
    updates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def messages(parsed: reading.Parsed, preview: Preview) -> None:
    for line, key, message in parsed.errors:
        column = parsed.headers.get(key, key)
        preview.errors.append(
            (line, column, _(message, n=reading.MAX_ROWS, name=parsed.headers.get("", "")))
        )


def _collect(parsed: reading.Parsed, preview: Preview, row: Row, limit: int = 300) -> None:
    for key, message in row.errors:
        text = _(message, n=limit, name=row.names.get(key, ""))
        preview.errors.append((row.line, parsed.headers.get(key, key), text))


async def preview(scope: TenantScope, key: str, initiative: int, parsed: reading.Parsed) -> Preview:
    """Every row read and checked; nothing written."""
    result = Preview()
    messages(parsed, result)
    if not result.errors and not parsed.rows:
        result.errors.append((0, "", _("The file has no rows below its header.")))
    if result.errors:
        return result
    build = BUILDERS[key]
    context = await build.context(scope, initiative)
    seen: set[str] = set()
    for line, raw in parsed.rows:
        row = Row(line, raw)
        row_values = build.values(row, context)
        natural = _natural(key, row_values)
        if natural in seen:
            row.errors.append((SPECS[key].natural, "This row appears twice in the file."))
        seen.add(natural)
        _collect(parsed, result, row, build.limit)
        existing = natural in context["existing"]
        result.updates += existing
        result.rows.append({"line": line, "values": row_values, "existing": existing})
    return result


def _natural(key: str, row_values: dict[str, Any]) -> str:
    if key == "as-is-survey":
        return f"{_key(row_values['problem'])}|{_key(row_values['step'])}"
    if key == "optimisation-log":
        return f"{row_values['logged_on']}|{_key(row_values['process'])}"
    return _key(row_values[SPECS[key].natural])


async def write(
    scope: TenantScope,
    key: str,
    initiative: int,
    result: Preview,
    person: int,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """All rows in one transaction, or none (``progress`` may raise to roll everything back)."""
    rows = [dict(r["values"]) for r in result.rows]
    async with write_transaction():
        for start in range(0, len(rows), CHUNK):
            await BUILDERS[key].write(scope, initiative, rows[start : start + CHUNK], person)
            if progress is not None:
                await progress(min(start + CHUNK, len(rows)))
    return len(rows)


def _messages() -> list[str]:
    """Never called: the message ids of reading and values, for extraction."""
    return [
        _("The file has more rows than an import takes (%(n)s)."),
        _("No header row naming the table's first column (%(name)s)."),
        _("Give the time limit as a number and a unit, e.g. within 2 hours."),
        _("Enter a number."),
        _("No member of this organisation has this name or e-mail."),
        _("No problem of this initiative has this title."),
        _("Name the goal."),
        _("Describe the measure."),
        _("Name the indicator."),
        _("Use daily, weekly or monthly."),
        _("Name the process."),
        _("This row appears twice in the file."),
        _("Use at most %(n)s characters."),
        _("Enter a date as YYYY-MM-DD."),
        _(
            "“%(name)s” is not a kind of problem: use low efficiency, poor quality, poor "
            "coordination or high risk, several joined by commas."
        ),  # values.UNKNOWN_KIND
    ]
