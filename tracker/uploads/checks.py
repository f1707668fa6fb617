"""Checks every uploaded file passes before anything reads it: its size, its type by content
(not by name) and, for a zip-based Office file, what it expands to.

Used by the imports now (``tracker/registers/importing.py``) and meant for attachments:
``check(filename, data, kinds)`` returns the kind or raises ``UploadRefused`` with a message
for the person; ``in_worker(func, …)`` runs the parsing that follows off the event loop.
The per-organisation storage quota is in ``tracker/uploads_quota.py``.

Why (issue 17, finding 3): a 300 KB XLSX whose shared strings expand to 300 MB took the
server to 1.9 GB and stalled every request for seconds. The archive's declared sizes are
checked first, then every member is decompressed as a stream with a cap (a declared size
can lie), and only then does openpyxl read it, in a worker thread.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from io import BytesIO
from typing import Any, BinaryIO, TypeVar

import anyio
import anyio.to_thread

MAX_BYTES = 2 * 1024 * 1024  # an upload, as sent
MAX_EXPANDED = 20 * 1024 * 1024  # all members of an XLSX together, uncompressed
MAX_MEMBERS = 200
MAX_CELLS = 200_000  # cells of the sheets, and texts of the shared strings, each
CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
TEXT = re.compile(rb"<(?:\w+:)?si[\s>/]")
CHUNK = 64 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
TOO_EXPANDED = "The workbook expands to more than 20 MB; split it."
# Control characters that never occur in text files (tab, line feed, carriage return and
# form feed do); a CSV holding one is binary.
BINARY_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])

# At most two uploads are parsed at once per process, whatever the number of requests.
_LIMITER: anyio.CapacityLimiter | None = None
T = TypeVar("T")


class UploadRefused(ValueError):
    """An upload that fails a check; ``message`` is an English message id (translate it)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def kind_of(filename: str) -> str:
    return filename.lower().rsplit(".", 1)[-1] if "." in filename else ""


def check(filename: str, data: bytes, kinds: tuple[str, ...] = ("csv", "xlsx")) -> str:
    """The file's kind ("csv" or "xlsx") once its size and content are checked."""
    kind = kind_of(filename)
    if kind not in kinds:
        raise UploadRefused("Upload a .csv or .xlsx file.")
    if len(data) > MAX_BYTES:
        raise UploadRefused("The file is larger than 2 MB.")
    if kind == "xlsx":
        check_xlsx(data)
    elif kind == "csv" and any(b in BINARY_BYTES for b in set(data)):
        raise UploadRefused("This is not a text file; save the sheet as CSV and upload that.")
    return kind


def check_xlsx(data: bytes) -> None:
    """A zip archive with a workbook's parts that expands to at most MAX_EXPANDED bytes and
    holds at most MAX_CELLS cells and shared texts."""
    check_zip(BytesIO(data), XLSX_PARTS, "The file is not a readable XLSX workbook.")


def check_zip(
    source: BinaryIO,
    parts: tuple[str, ...],
    unreadable: str,
    max_expanded: int = MAX_EXPANDED,
    count_cells: bool = True,
    too_expanded: str = TOO_EXPANDED,
) -> None:
    """A zip archive holding ``parts`` whose members expand, really, to at most
    ``max_expanded`` bytes together (a zip bomb is refused as it unpacks, whatever the sizes
    it declares); ``unreadable`` is the message otherwise. ``source`` is read as a stream."""
    source.seek(0)
    if source.read(4) != b"PK\x03\x04":
        raise UploadRefused(unreadable)
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if len(members) > MAX_MEMBERS or not all(p in names for p in parts):
                raise UploadRefused(unreadable)
            if sum(m.file_size for m in members) > max_expanded:  # what the archive declares
                raise UploadRefused(too_expanded)
            expanded = 0
            for member in members:  # what it really holds: never trust the declared sizes
                expanded = _expand(archive, member, expanded, max_expanded, count_cells)
                if expanded > max_expanded:
                    raise UploadRefused(too_expanded)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        if isinstance(error, UploadRefused):
            raise
        raise UploadRefused(unreadable) from None
    except NotImplementedError:  # an unsupported compression method
        raise UploadRefused(unreadable) from None


def _expand(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    expanded: int,
    max_expanded: int = MAX_EXPANDED,
    count_cells: bool = True,
) -> int:
    """Decompress one member as a stream, counting its bytes against MAX_EXPANDED and, in a
    sheet or the shared strings, its cells or texts against MAX_CELLS: openpyxl builds an
    object of about 100 bytes for each, from as little as 20 bytes of XML (a million texts
    within the 20 MB took 140 MB and 7 s to read)."""
    name = member.filename
    counted = (
        CELL if name.startswith("xl/worksheets/") else TEXT if "sharedStrings" in name else None
    )
    if not count_cells:
        counted = None
    found, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            expanded += len(chunk)
            if expanded > max_expanded:
                return expanded  # the caller refuses it, with its own message
            if counted is not None:
                buffer = tail + chunk  # a tag may straddle two chunks: count it once
                found += sum(1 for m in counted.finditer(buffer) if m.end() > len(tail))
                tail = buffer[-16:]
                if found > MAX_CELLS:
                    raise UploadRefused("The workbook holds more than 200,000 cells; split it.")
    return expanded


async def in_worker(func: Callable[..., T], *args: Any) -> T:
    """Run ``func`` in a worker thread (never on the event loop), two at most at a time."""
    global _LIMITER
    if _LIMITER is None:
        _LIMITER = anyio.CapacityLimiter(2)
    return await anyio.to_thread.run_sync(func, *args, limiter=_LIMITER)
