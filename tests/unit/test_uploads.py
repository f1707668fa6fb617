"""The checks every upload passes (tracker/uploads.py): size, type by content, and what an
XLSX archive expands to, declared and real; the sheet's rows and columns while reading."""

import io
import struct
import zipfile

import pytest
from openpyxl import Workbook

from tracker.registers import importing
from tracker.uploads import checks as uploads


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_member(data: bytes, name: str, size: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, source.read(member))
        target.writestr(name, b"A" * size)
    return out.getvalue()


def refused(filename: str, data: bytes) -> str:
    with pytest.raises(uploads.UploadRefused) as error:
        uploads.check(filename, data)
    return error.value.message


def test_kind_comes_from_the_content_not_only_the_name():
    assert uploads.check("p.csv", "标题,影响\nA,3\n".encode("gbk")) == "csv"
    assert uploads.check("p.XLSX", workbook([["title"]])) == "xlsx"
    assert refused("p.pdf", b"%PDF") == "Upload a .csv or .xlsx file."
    assert refused("p.csv", workbook([["title"]])).startswith("This is not a text file")
    assert refused("p.csv", b"title\x00\x01").startswith("This is not a text file")
    assert refused("p.xlsx", b"title,impact\n") == "The file is not a readable XLSX workbook."
    assert refused("p.xlsx", b"x" * (uploads.MAX_BYTES + 1)) == "The file is larger than 2 MB."


def test_an_archive_that_declares_too_much_is_refused_before_reading():
    bomb = with_member(workbook([["title"]]), "xl/big.xml", uploads.MAX_EXPANDED + 1)
    assert len(bomb) < 100_000
    assert refused("b.xlsx", bomb) == "The workbook expands to more than 20 MB; split it."


def test_an_archive_that_lies_about_its_sizes_is_refused_while_expanding():
    bomb = bytearray(with_member(workbook([["title"]]), "xl/big.xml", 8 * 1024 * 1024))
    # claim 1 KB for the big member, in its local header and in the central directory
    local = bomb.rindex(b"PK\x03\x04" + b"\x14\x00", 0, bomb.index(b"PK\x01\x02"))
    struct.pack_into("<I", bomb, local + 22, 1024)
    central = bomb.rindex(b"PK\x01\x02")
    struct.pack_into("<I", bomb, central + 24, 1024)
    assert sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(bytes(bomb))).infolist()) < 10**6
    assert refused("b.xlsx", bytes(bomb)) == "The file is not a readable XLSX workbook."


def test_rows_and_columns_are_limited_while_reading():
    columns = {"title": ["title"]}
    wide = importing.read("w.xlsx", workbook([["title", *range(60)]]), columns, {"title"})
    assert wide.errors == [(0, "", "The file has more than 50 columns.")]
    long = workbook([["title"], *([["x"]] * (importing.MAX_ROWS + 5))])
    assert importing.read("l.xlsx", long, columns, {"title"}).errors == [
        (0, "", "The file has more than 2000 rows.")
    ]


def test_a_workbook_with_xml_entities_is_refused():
    """openpyxl reads through defusedxml: no entity expansion (billion laughs), no XXE."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML
    source = zipfile.ZipFile(io.BytesIO(workbook([["title"], ["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet',
                    1,
                ).replace(b"<v>", b"<v>&x;", 1)
            target.writestr(member, data)
    sheet = importing.read("e.xlsx", out.getvalue(), {"title": ["title"]}, {"title"})
    assert sheet.errors == [(0, "", "The file is not a readable XLSX workbook.")]


def test_cells_and_texts_are_counted_before_reading(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_CELLS", 4)
    monkeypatch.setattr(uploads, "CHUNK", 7)  # tags straddle chunks: each is counted once
    assert uploads.check("ok.xlsx", workbook([["title", "impact"], ["a", "b"]])) == "xlsx"
    many = workbook([["title", "impact"], ["a", "b"], ["c"]])
    assert refused("many.xlsx", many) == "The workbook holds more than 200,000 cells; split it."


def test_a_million_short_texts_are_refused_before_openpyxl_reads_them():
    body = "<si><t>ab</t></si>" * 1_000_000
    data = with_member(workbook([["title"]]), "xl/sharedStrings.xml", 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != "xl/sharedStrings.xml":
                target.writestr(member, source.read(member))
        target.writestr("xl/sharedStrings.xml", f"<sst>{body}</sst>")
    assert len(out.getvalue()) < uploads.MAX_BYTES
    assert refused("t.xlsx", out.getvalue()).startswith("The workbook holds more than")
