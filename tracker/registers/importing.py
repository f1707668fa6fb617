"""Reading an uploaded CSV or XLSX register into rows keyed by column, with every problem
reported by row and column. Nothing here writes to the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from tracker import uploads

MAX_ROWS = 2000
MAX_COLUMNS = 50
FORMULA_START = ("=", "+", "@")


@dataclass
class Sheet:
    rows: list[dict[str, str]] = field(default_factory=list)  # column key → text
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message id

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, message))


def uploaded(form: Any) -> tuple[str, bytes]:
    """The file of an import form: a fresh upload, or the checked file sent back (base64) with
    the confirmation, so the preview and the write read the same bytes."""
    import base64
    import binascii

    from litestar.datastructures import UploadFile

    upload = form.get("file")
    if isinstance(upload, UploadFile):
        return upload.filename or "", upload.file.read()
    try:
        data = base64.b64decode(str(form.get("payload") or ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    return str(form.get("filename") or ""), data


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without a byte-order mark), else GB18030 (covers GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _xlsx_table(data: bytes) -> list[list[Any]] | str:
    """The first sheet's rows, checked against the limits before and while reading."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        # the sheet's declared extent first (a workbook may declare none)
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            return "The file has more than 2000 rows."
        if (sheet.max_column or 0) > MAX_COLUMNS:
            return "The file has more than 50 columns."
        table = []
        # then what it really holds, reading no more than the limits allow
        for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1):
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] is not None:
                return "The file has more than 50 columns."
            table.append(list(row[:MAX_COLUMNS]))
        workbook.close()
    except Exception:
        return "The file is not a readable XLSX workbook."
    return table


def _table(kind: str, data: bytes) -> list[list[Any]] | str:
    if kind == "xlsx":
        return _xlsx_table(data)
    text = decode(data)
    if text is None:
        return "The file is neither UTF-8 nor GBK text."
    try:
        return [row[: MAX_COLUMNS + 1] for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        return "The file is not a readable CSV file."


async def read_upload(
    filename: str, data: bytes, columns: dict[str, list[str]], required: AbstractSet[str]
) -> Sheet:
    """``read`` in a worker thread: parsing a workbook never holds up other requests."""
    return await uploads.in_worker(read, filename, data, columns, required)


def read(
    filename: str, data: bytes, columns: dict[str, list[str]], required: AbstractSet[str]
) -> Sheet:
    """``columns`` maps each column key to the header names accepted for it (any language)."""
    sheet = Sheet()
    try:
        kind = uploads.check(filename, data)
    except uploads.UploadRefused as refused:
        sheet.error(0, "", refused.message)
        return sheet
    table = _table(kind, data)
    if isinstance(table, str):
        sheet.error(0, "", table)
        return sheet
    table = [row for row in table if any(str(c).strip() for c in row if c is not None)]
    if not table:
        sheet.error(0, "", "The file is empty.")
        return sheet
    if len(table) - 1 > MAX_ROWS:
        sheet.error(0, "", "The file has more than 2000 rows.")
        return sheet
    header = [str(h or "").strip().lower() for h in table[0]]
    lookup = {name.lower(): key for key, names in columns.items() for name in names}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in lookup:
            positions[lookup[name]] = index
        elif name:
            sheet.error(1, name, "Unknown column.")
    for key in sorted(required - set(positions)):
        sheet.error(1, columns[key][0], "This column is missing.")
    if sheet.errors:
        return sheet
    for number, raw in enumerate(table[1:], start=2):
        row: dict[str, str] = {}
        for key, index in positions.items():
            value = raw[index] if index < len(raw) else None
            text = "" if value is None else str(value).strip()
            if isinstance(value, float) and value.is_integer():
                text = str(int(value))
            if text.startswith(FORMULA_START):
                sheet.error(number, columns[key][0], "Formulas are not accepted; enter the value.")
            row[key] = text
        sheet.rows.append(row)
    return sheet
