"""Files of each kind, multipart bodies built as streams, and the app called over ASGI with a
receive and a send that never hold a whole large file (for memory measurements)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import struct
import uuid
import zipfile
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests import conftest
from tracker.gates.tables import GateReview, ReviewCriterion
from tracker.pilots.tables import Pilot
from tracker.problems.tables import Problem
from tracker.sops.tables import SopDocument, SopVersion

MIB = 1024 * 1024


def pdf(body: bytes = b"1 0 obj << /Type /Catalog >> endobj\n") -> bytes:
    return b"%PDF-1.4\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def office(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return office({"word/document.xml": b"<w:document/>"})


def large_pdf_chunks(size: int, seed: int = 7) -> Iterator[bytes]:
    """A PDF of exactly ``size`` bytes, made as it is sent (random, so incompressible)."""
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    rng = random.Random(seed)
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        n = min(256 * 1024, left)
        yield rng.randbytes(n)
        left -= n
    yield tail


@dataclass
class Body:
    """A multipart/form-data body as a stream: the CSRF token and fields first, the file."""

    filename: str
    chunks: Iterator[bytes] | bytes
    fields: dict[str, str] = field(default_factory=dict)
    csrf: bool = True
    boundary: str = field(default_factory=lambda: uuid.uuid4().hex)
    sha256: str = ""
    size: int = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    file_size: int | None = None  # of an iterator of chunks (for Content-Length)

    def prefix(self) -> bytes:
        fields = dict(self.fields)
        if self.csrf:
            fields = {"_csrf_token": conftest.CSRF_TOKEN, **fields}
        out = b""
        for name, value in fields.items():
            out += (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n"
            ).encode()
        quoted = (  # as browsers send it (WHATWG HTML)
            self.filename.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
        )
        return (
            out
            + (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{quoted}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
        )

    def suffix(self) -> bytes:
        return f"\r\n--{self.boundary}--\r\n".encode()

    def length(self) -> int:
        size = len(self.chunks) if isinstance(self.chunks, bytes) else self.file_size
        assert size is not None
        return len(self.prefix()) + size + len(self.suffix())

    def parts(self) -> Iterator[bytes]:
        yield self.prefix()
        digest = hashlib.sha256()
        chunks = [self.chunks] if isinstance(self.chunks, bytes) else self.chunks
        for chunk in chunks:
            digest.update(chunk)
            self.size += len(chunk)
            yield chunk
        self.sha256 = digest.hexdigest()
        yield self.suffix()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    size: int
    sha256: str
    text: str  # the first 200 KB, decoded


async def call(
    world: Any,
    org: Any,
    role: str,
    method: str,
    path: str,
    body: Body | None = None,
    announce: bool = True,
    csrf_header: bool = False,
) -> Answer:
    """The app called over ASGI; the request body is sent chunk by chunk and the answer is
    hashed as it arrives, so only the app's own memory use shows in tracemalloc."""
    headers = [
        (
            b"cookie",
            f"csrftoken={conftest.CSRF_TOKEN}; tracker_session={org.tokens[role]}".encode(),
        ),
        (b"host", b"testserver"),
    ]
    if csrf_header:
        headers.append((b"x-csrftoken", conftest.CSRF_TOKEN.encode()))
    parts: Iterator[bytes] = iter(())
    if body is not None:
        headers.append((b"content-type", body.content_type.encode()))
        if announce:
            headers.append((b"content-length", str(body.length()).encode()))
        parts = body.parts()
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 123),
        "server": ("testserver", 80),
    }
    done = False
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal done
        if done:  # as a server does: a disconnect only once the answer is sent
            await finished.wait()
            return {"type": "http.disconnect"}
        chunk = next(parts, None)
        if chunk is None:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    answer = Answer(0, {}, 0, "", "")
    digest = hashlib.sha256()
    head = bytearray()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            for key, value in message.get("headers", []):
                answer.headers[key.decode().lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            data = message.get("body", b"")
            digest.update(data)
            answer.size += len(data)
            if len(head) < 200_000:
                head.extend(data[: 200_000 - len(head)])
            if not message.get("more_body", False):
                finished.set()

    await world.asgi(scope, receive, send)
    answer.sha256 = digest.hexdigest()
    answer.text = head.decode("utf-8", errors="replace")
    return answer


async def upload(world, org, role, kind, subject_id, body: Body, **kw: Any) -> Answer:
    return await call(
        world, org, role, "POST", f"/o/{org.slug}/attachments/on/{kind}/{subject_id}", body, **kw
    )


async def subjects(org: Any, initiative: int) -> dict[str, int]:
    """A problem, a pilot, an open review with two criteria and a draft SOP version."""
    problem = await Problem.insert(
        Problem(
            org=org.id,
            initiative=initiative,
            title="Slow replies",
            category="efficiency",
            impact=4,
            urgency=4,
        )
    )
    pilot = await Pilot.insert(
        Pilot(
            org=org.id,
            initiative=initiative,
            process="Complaints",
            scope="Team A",
            start_date=date.today(),
        )
    )
    review = await GateReview.insert(
        GateReview(
            org=org.id,
            initiative=initiative,
            gate=2,
            status="open",
            proposed_decision="go",
            due_date=date.today() + timedelta(days=7),
            rule_snapshot="{}",
        )
    )
    for position, text in enumerate(("Problems registered", "Questionnaire results")):
        await ReviewCriterion.insert(
            ReviewCriterion(
                org=org.id,
                review=review[0]["id"],
                position=position,
                text=text,
                kind="should",
                weight=1,
            )
        )
    document = await SopDocument.insert(
        SopDocument(
            org=org.id,
            initiative=initiative,
            process_name="Complaint handling",
            number=f"SOP-T-{uuid.uuid4().hex[:8]}",
        )
    )
    version = await SopVersion.insert(SopVersion(org=org.id, document=document[0]["id"]))
    return {
        "problem": problem[0]["id"],
        "pilot": pilot[0]["id"],
        "review": review[0]["id"],
        "sop_version": version[0]["id"],
    }


async def criteria(review_id: int) -> list[int]:
    rows = (
        await ReviewCriterion.select(ReviewCriterion.id)
        .where(ReviewCriterion.review == review_id)
        .order_by(ReviewCriterion.position)
    )
    return [r["id"] for r in rows]


async def stream_of(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
