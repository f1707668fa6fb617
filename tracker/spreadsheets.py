"""The one writer of spreadsheets (CSV and XLSX) for every export of the app.

Every cell goes through ``_cell``, so no export can put a live formula into a spreadsheet
(issue 17, finding 2; OWASP "CSV injection"): a text that starts with ``= + - @``, a tab or
a carriage return is

- in CSV, prefixed with an apostrophe (the spreadsheet then shows it as text);
- in XLSX, written as a text cell with Excel's quote prefix (never a formula, and it stays
  text when someone edits the cell).

Control characters that XLSX cannot hold are dropped rather than failing the export.
A test (tests/security/test_spreadsheet_exports.py) fails when another module writes CSV or
XLSX itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from litestar import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv"  # Litestar adds "; charset=utf-8" to text types itself (defect 11)


@dataclass
class Table:
    """One sheet: a title, optional lines above the header, a header row and the rows."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    preface: Sequence[Sequence[Any]] = ()
    marked: set[int] = field(default_factory=set)  # indexes of rows to highlight (XLSX)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | str):
        return value
    return str(value)


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    value = _plain(value)
    return "'" + value if is_formula_like(value) else value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in table.preface:
        writer.writerow([csv_cell(v) for v in line])
    writer.writerow([csv_cell(v) for v in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    # a byte-order mark lets Excel open UTF-8 Chinese text correctly
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(raw: Any) -> Any:
    """Dates stay dates and numbers stay numbers in a workbook (sorting and sums work)."""
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None)  # XLSX has no time zones
    if isinstance(raw, date):
        return raw
    return _plain(raw)


def _put_row(
    sheet: Any, line: int, values: Sequence[Any], widths: dict[int, int], style: dict
) -> None:
    for column, raw in enumerate(values, start=1):
        value = _xlsx_value(raw)
        if isinstance(value, datetime):
            sheet.cell(row=line, column=column, value=value).number_format = "yyyy-mm-dd hh:mm"
            widths[column] = max(widths.get(column, 0), 16)
            continue
        if isinstance(value, date):
            sheet.cell(row=line, column=column, value=value).number_format = "yyyy-mm-dd"
            widths[column] = max(widths.get(column, 0), 10)
            continue
        if isinstance(value, str):
            value = ILLEGAL_XML.sub("", value)
        cell = sheet.cell(row=line, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, never a formula
            cell.quotePrefix = is_formula_like(value)
        for name, look in style.items():
            setattr(cell, name, look)
        widths[column] = max(widths.get(column, 0), _width(str(value)))


def _width(text: str) -> int:
    """Columns wide enough for the text: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def to_xlsx(*tables: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    bold, red = {"font": Font(bold=True)}, {"fill": PatternFill("solid", fgColor="FDECEA")}
    for table in tables:
        title = ILLEGAL_XML.sub("", re.sub(r"[\[\]:*?/\\]", " ", table.title))[:31].strip()
        sheet = workbook.create_sheet(title or "Sheet1")
        widths: dict[int, int] = {}
        line = 0
        for line, values in enumerate(table.preface, start=1):
            _put_row(sheet, line, values, widths, {})
        line += 1
        _put_row(sheet, line, table.headers, widths, bold)
        sheet.freeze_panes = sheet.cell(row=line + 1, column=1)  # the header stays in view
        for index, row in enumerate(table.rows):
            _put_row(sheet, line + 1 + index, row, widths, red if index in table.marked else {})
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, width + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attachment(body: bytes, media: str, filename: str, format: str) -> Response:
    safe_name = re.sub(r"[^\w.\- ]+", "_", filename, flags=re.ASCII).strip() or "export"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{safe_name}.{format}"'},
    )


def download_workbook(tables: Sequence[Table], filename: str) -> Response:
    """Several tables as one XLSX attachment, a sheet each; ``filename`` without extension."""
    return _attachment(to_xlsx(*tables), XLSX_MEDIA, filename, "xlsx")


def download(table: Table, format: str, filename: str) -> Response:
    """The table as a CSV or XLSX attachment; ``filename`` without its extension."""
    if format == "xlsx":
        body, media = to_xlsx(table), XLSX_MEDIA
    else:
        body, media = to_csv(table), CSV_MEDIA
    return _attachment(body, media, filename, format)
