"""Reading a seed table back in: an XLSX or CSV file (UTF-8 with or without a byte-order mark,
or GBK) in a seed's layout, its header found below any title rows and matched in Chinese or
English, in any order. Within limits (size, rows, cells, what an XLSX expands to), so a hostile
file cannot exhaust memory. Nothing here touches the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tracker import uploads
from tracker.i18n import LANGUAGES, language
from tracker.registers.importing import decode
from tracker.seedtables.layouts import Layout

MAX_ROWS = 10_000
MAX_COLUMNS = 40
MAX_CELLS = 200_000
HEADER_SEARCH = 20  # title rows above the header: at most this many are skipped
FORMULA_START = ("=", "+", "@")
ESCAPED = ("'=", "'+", "'-", "'@", "'\t", "'\r")  # how our own CSV export writes such texts


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # line, key → text
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, message id
    headers: dict[str, str] = field(default_factory=dict)  # key → the header as the file has it

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append((line, column, message))


def header_names(layout: Callable[[], Layout], keys: Sequence[str | None]) -> dict[str, str]:
    """Every header of the layout in every language (lower case) → its field key."""
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        with language(lang):
            for header, key in zip(layout().headers, keys, strict=False):
                if key:
                    names[header.strip().lower()] = key
    return names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(data: bytes) -> list[list[Any]] | str:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > MAX_ROWS + HEADER_SEARCH:
            return "The file has more rows than an import takes (%(n)s)."
        table = []
        for row in sheet.iter_rows(
            values_only=True, max_row=MAX_ROWS + HEADER_SEARCH + 1, max_col=MAX_COLUMNS
        ):
            cells = list(row)  # openpyxl pads each row to max_col: drop the padding
            while cells and cells[-1] is None:
                cells.pop()
            table.append(cells)
        workbook.close()
    except Exception:
        return "The file is not a readable XLSX workbook."
    return table


def _csv(data: bytes) -> list[list[Any]] | str:
    text = decode(data)
    if text is None:
        return "The file is neither UTF-8 nor GBK text."
    table: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            table.append(row[:MAX_COLUMNS])
            if len(table) > MAX_ROWS + HEADER_SEARCH:
                return "The file has more rows than an import takes (%(n)s)."
    except csv.Error:
        return "The file is not a readable CSV file."
    return table


def _find_header(table: list[list[Any]], names: dict[str, str], first: str) -> int | None:
    """The first row (of the top ones) that names the table's first column."""
    for index, row in enumerate(table[:HEADER_SEARCH]):
        found = {names.get(_text(c).lower()) for c in row}
        if first in found:
            return index
    return None


def read(
    filename: str, data: bytes, layout: Callable[[], Layout], keys: Sequence[str | None]
) -> Parsed:
    """The rows of ``layout`` in the file; ``keys`` names the field of each of the layout's
    headers (None: a column the import ignores, such as a computed score)."""
    parsed = Parsed()
    try:
        kind = uploads.check(filename, data)
    except uploads.UploadRefused as refused:
        parsed.error(0, "", refused.message)
        return parsed
    table = _xlsx(data) if kind == "xlsx" else _csv(data)
    if isinstance(table, str):
        parsed.error(0, "", table)
        return parsed
    if sum(len(r) for r in table) > MAX_CELLS:
        parsed.error(0, "", "The workbook holds more than 200,000 cells; split it.")
        return parsed
    names = header_names(layout, keys)
    first = next(k for k in keys if k)
    at = _find_header(table, names, first)
    if at is None:
        with language("zh_Hans"):
            zh = layout().columns[0]
        parsed.error(0, "", "No header row naming the table's first column (%(name)s).")
        parsed.headers[""] = zh
        return parsed
    positions: dict[str, int] = {}
    for index, cell in enumerate(table[at]):
        key = names.get(_text(cell).lower())
        if key and key not in positions:
            positions[key] = index
            parsed.headers[key] = _text(cell)
    for line, raw in enumerate(table[at + 1 :], start=at + 2):
        if not any(_text(c) for c in raw):
            continue
        row: dict[str, str] = {}
        for key, index in positions.items():
            text = _text(raw[index]) if index < len(raw) else ""
            if text.startswith(ESCAPED):
                text = text[1:]
            elif text.startswith(FORMULA_START):
                parsed.error(line, key, "Formulas are not accepted; enter the value.")
            row[key] = text
        parsed.rows.append((line, row))
    if len(parsed.rows) > MAX_ROWS:
        parsed.rows = []
        parsed.error(0, "", "The file has more rows than an import takes (%(n)s).")
    return parsed
