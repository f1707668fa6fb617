"""What a file is, from its content (never its name): the kinds an attachment may be.

``identify(filename, source)`` reads the file as a stream (a 20 MiB file is never read whole
into memory) and returns the ``Kind`` or raises ``UploadRefused`` with a message for the
person: HTML (or SVG, XML, scripts) is refused whatever the name says, a name that says one
kind over content of another is refused, Office files pass the zip-bomb guards of
``checks.check_zip``, text must be UTF-8 or GBK without NUL or other binary bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from typing import BinaryIO

from tracker.uploads.checks import BINARY_BYTES, CHUNK, UploadRefused, check_zip, kind_of

MAX_ATTACHMENT = 20 * 1024 * 1024  # bytes of one attachment, as sent
MAX_OFFICE_EXPANDED = 100 * 1024 * 1024  # an Office file's members together, unpacked


@dataclass(frozen=True)
class Kind:
    name: str  # pdf | png | jpeg | gif | webp | xlsx | docx | pptx | text
    media_type: str
    label: str  # shown in messages (not translated: format names)
    extensions: tuple[str, ...]
    inline: bool = False  # may be previewed in the browser (sandboxed)


KINDS = {
    k.name: k
    for k in (
        Kind("pdf", "application/pdf", "PDF", ("pdf",), inline=True),
        Kind("png", "image/png", "PNG", ("png",), inline=True),
        Kind("jpeg", "image/jpeg", "JPEG", ("jpg", "jpeg", "jpe", "jfif"), inline=True),
        Kind("gif", "image/gif", "GIF", ("gif",), inline=True),
        Kind("webp", "image/webp", "WebP", ("webp",), inline=True),
        Kind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "XLSX",
            ("xlsx",),
        ),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "DOCX",
            ("docx",),
        ),
        Kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PPTX",
            ("pptx",),
        ),
        Kind("text", "text/plain; charset=utf-8", "CSV / TXT", ("csv", "txt", "text", "md", "tsv")),
    )
}
OFFICE_PARTS = {
    "xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    "docx": ("[Content_Types].xml", "word/document.xml"),
    "pptx": ("[Content_Types].xml", "ppt/presentation.xml"),
}
# Markup a browser would run or render if it ever took the file for a page
MARKUP = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<svg|<\?xml|<!--|<meta|<a\s)",
    re.IGNORECASE,
)

# Message ids (English; translated where shown)
NOT_ALLOWED = (
    "This kind of file cannot be attached. Attach a PDF, an image (PNG, JPEG, GIF, WebP), "
    "an Office file (XLSX, DOCX, PPTX) or a CSV or text file."
)
IS_MARKUP = (
    "The file is named “%(name)s” but its content is a web page (HTML or other markup), "
    "which cannot be attached. Save it as PDF and attach that."
)
MISMATCH = (
    "The file is named “%(name)s” but its content is %(kind)s. Give it the right name, or "
    "attach the file you meant."
)
BAD_TEXT = "The file is neither UTF-8 nor GBK text, or it holds binary bytes such as NUL."
BAD_OFFICE = "The file is not a readable %(kind)s file."
TOO_EXPANDED = "The file expands to more than 100 MB when unpacked; it cannot be attached."
EMPTY = "The file is empty."


def identify(filename: str, source: BinaryIO) -> Kind:
    """The file's kind, from its content; raises UploadRefused with the reason."""
    source.seek(0)
    head = source.read(4096)
    if not head:
        raise UploadRefused(EMPTY)
    kind = _magic(head, source)
    ext = kind_of(filename)
    named = next((k for k in KINDS.values() if ext in k.extensions), None)
    if kind is None:
        if head.startswith(b"PK\x03\x04") and named is not None and named.name in OFFICE_PARTS:
            raise UploadRefused(BAD_OFFICE, kind=named.label)
        if MARKUP.match(_decoded_head(head)):
            raise UploadRefused(IS_MARKUP, name=filename)
        encoding = _text_encoding(source)
        if encoding == "gbk":
            kind = replace(KINDS["text"], media_type="text/plain; charset=gbk")
        elif encoding:
            kind = KINDS["text"]
        elif ext in KINDS["text"].extensions:
            raise UploadRefused(BAD_TEXT)
        else:
            raise UploadRefused(NOT_ALLOWED)
    if named is not None and named.name != kind.name:
        raise UploadRefused(MISMATCH, name=filename, kind=kind.label)
    if kind.name in OFFICE_PARTS:
        try:
            check_zip(
                source,
                OFFICE_PARTS[kind.name],
                BAD_OFFICE,
                max_expanded=MAX_OFFICE_EXPANDED,
                count_cells=False,
                too_expanded=TOO_EXPANDED,
            )
        except UploadRefused as refused:
            if refused.message == BAD_OFFICE:
                raise UploadRefused(BAD_OFFICE, kind=kind.label) from None
            raise
    return kind


def _magic(head: bytes, source: BinaryIO) -> Kind | None:
    if head.startswith(b"%PDF-"):
        if not _pdf_ends(source):  # cut short, or something else behind a PDF's first bytes
            raise UploadRefused(BAD_OFFICE, kind="PDF")
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return KINDS["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return KINDS["webp"]
    if head.startswith(b"PK\x03\x04"):
        return _office(source)
    return None


def _pdf_ends(source: BinaryIO) -> bool:
    """A PDF ends with its end-of-file marker (within its last KiB)."""
    source.seek(0, 2)
    size = source.tell()
    source.seek(max(0, size - 1024))
    return b"%%EOF" in source.read()


def _office(source: BinaryIO) -> Kind | None:
    """Which Office file a zip archive is, by the parts it names (read from its directory)."""
    import zipfile

    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    for name, parts in OFFICE_PARTS.items():
        if all(p in names for p in parts):
            return KINDS[name]
    return None


def _decoded_head(head: bytes) -> bytes:
    """The start of a text file as ASCII-compatible bytes (UTF-16 markup is markup too)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
        except UnicodeError:
            return head
    return head.removeprefix(codecs.BOM_UTF8)


def _text_encoding(source: BinaryIO) -> str | None:
    """UTF-8 (a BOM allowed) or else GBK all through, with no NUL or other binary byte."""
    for encoding in ("utf-8-sig", "gbk"):
        source.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := source.read(CHUNK):
                if any(b in BINARY_BYTES for b in set(chunk)):
                    return None
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return None
