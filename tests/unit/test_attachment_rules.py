"""Pure rules of attachments: who removes, the download header, and what a file is by its
content (every kind, an Office zip bomb, a name that lies)."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.integration.attachments.files import docx, office, pdf, png
from tracker.attachments import rules
from tracker.uploads import UploadRefused
from tracker.uploads.sniff import identify


def kind(name: str, data: bytes) -> str:
    return identify(name, io.BytesIO(data)).name


def refused(name: str, data: bytes) -> str:
    with pytest.raises(UploadRefused) as error:
        identify(name, io.BytesIO(data))
    return error.value.message % error.value.params


def test_content_disposition_keeps_a_chinese_name_and_never_breaks_the_header():
    header = rules.content_disposition("问卷 结果.pdf")
    assert (
        header
        == "attachment; filename=\"__ __.pdf\"; filename*=UTF-8''%E9%97%AE%E5%8D%B7%20%E7%BB%93%E6%9E%9C.pdf"
    )
    evil = rules.content_disposition('a"b\\c;d\r\n.txt', inline=True)
    assert evil.startswith("inline; filename=\"a_b_c_d__.txt\"; filename*=UTF-8''")
    assert "\r" not in evil and "\n" not in evil


@pytest.mark.parametrize(
    ("role", "own", "permanent", "allowed"),
    [
        ("viewer", True, False, False),
        ("member", True, False, True),
        ("member", False, False, False),
        ("committee", True, False, True),
        ("committee", False, False, False),
        ("lead", False, False, True),
        ("admin", False, False, True),
        ("admin", True, True, False),
    ],
)
def test_who_removes_a_file(role, own, permanent, allowed):
    assert rules.can_remove(role, 7, 7 if own else 8, permanent) is allowed


def test_each_kind_is_known_by_its_content():
    assert kind("a.pdf", pdf()) == "pdf"
    assert kind("no-name", png()) == "png"
    assert kind("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20) == "jpeg"
    assert kind("x.gif", b"GIF89a" + b"\x00" * 20) == "gif"
    assert kind("x.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert kind("x.docx", docx()) == "docx"
    assert kind("x.xlsx", office({"xl/workbook.xml": b"<workbook/>"})) == "xlsx"
    assert kind("x.pptx", office({"ppt/presentation.xml": b"<p/>"})) == "pptx"
    assert kind("x.csv", "名称,数量\n".encode()) == "text"
    assert kind("x.csv", "名称,数量\n".encode("gbk")) == "text"


def test_names_that_lie_and_markup_are_refused():
    assert "content is a web page" in refused("a.pdf", b"  <HTML><body>x")
    assert "content is a web page" in refused("a.csv", b"<svg onload=alert(1)>")
    assert "its content is PNG" in refused("a.pdf", png())
    assert "not a readable DOCX file" in refused("a.docx", b"PK\x03\x04" + b"\x00" * 40)
    assert "not a readable PDF file" in refused("a.pdf", b"%PDF-1.4 no end marker")
    assert "binary bytes" in refused("a.txt", b"\x01\x02\x03")


def test_an_office_zip_bomb_is_refused_as_it_unpacks():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/big.bin", b"\x00" * (101 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    assert "more than 100 MB when unpacked" in refused("bomb.docx", buffer.getvalue())
