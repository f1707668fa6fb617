"""A multipart upload received as a stream: the file goes to a temporary file on disk as it
arrives (hashed and counted on the way), never into memory whole, and is refused as soon as
it is known to be too large: from the announced Content-Length, before anything is read, or
while streaming, the moment it passes the limit.

Routes that use it opt out of Litestar's CSRF middleware and of the input guard (both read
the whole form into memory first; ``STREAMED`` marks them) and check here instead: the CSRF
token from the header or from the ``_csrf_token`` field, which the form sends before the file;
a NUL byte in a text field is refused like the input guard does.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from hmac import compare_digest
from typing import IO, Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from tracker.i18n import gettext as _
from tracker.security import CSRF_COOKIE, CSRF_HEADER, RefusedInput, _refuse_nul
from tracker.settings import get_settings
from tracker.uploads.checks import UploadRefused

STREAMED = "streamed_upload"  # route opt: the handler reads its own body (see above)
FORM_ALLOWANCE = 64 * 1024  # the other fields and the multipart framing, beyond the file
MAX_FIELD = 10_000
SPOOL = 256 * 1024  # a smaller file stays in memory; a larger one is on disk
TOO_LARGE = "The file is larger than %(mb)s MB."


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    file: IO[bytes] | None = None
    size: int = 0
    sha256: str = ""

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _token_ok(request: Request, token: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    config = getattr(request.app, "csrf_config", None)
    secret = config.secret if config is not None else get_settings().secret_key

    def decoded(value: str) -> str | None:
        if len(value) < CSRF_SECRET_LENGTH + 1 or not value.isascii():
            return None
        plain, given = value[:CSRF_SECRET_LENGTH], value[CSRF_SECRET_LENGTH:]
        return plain if compare_digest(given, generate_csrf_hash(plain, secret)) else None

    a, b = decoded(token), decoded(cookie)
    return a is not None and b is not None and compare_digest(a, b)


def refuse_csrf() -> PermissionDeniedException:
    return PermissionDeniedException("CSRF token verification failed")


def check_announced(request: Request, max_bytes: int) -> None:
    """Refuse before reading anything when the announced body is too large."""
    announced = request.content_length
    if announced is not None and announced > max_bytes + FORM_ALLOWANCE:
        raise UploadRefused(TOO_LARGE, mb=max_bytes // (1024 * 1024))


async def receive(request: Request, file_field: str, max_bytes: int) -> Received:
    """The form's text fields and its one file, streamed to a temporary file. Raises
    UploadRefused (too large), 403 (CSRF) or RefusedInput (not a form, NUL byte)."""
    header_token = request.headers.get(CSRF_HEADER, "")
    if header_token and not _token_ok(request, header_token):
        raise refuse_csrf()
    content_type, options = request.content_type
    if content_type != "multipart/form-data" or not options.get("boundary"):
        if not header_token:
            raise refuse_csrf()
        raise RefusedInput(_("The form must be sent as multipart/form-data."))
    check_announced(request, max_bytes)
    received = Received()
    try:
        await _parse(request, received, file_field, max_bytes, trusted=bool(header_token))
    except BaseException:
        received.close()
        raise
    return received


async def _parse(
    request: Request, received: Received, file_field: str, max_bytes: int, trusted: bool
) -> None:
    digest = hashlib.sha256()
    segment: MultipartSegment | None = None
    text = bytearray()
    try:
        with PushMultipartParser(
            request.headers["content-type"].split("boundary=", 1)[1].strip('"'),
            max_segment_count=20,
        ) as parser:
            async for chunk in _body(request, max_bytes):
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment, text = event, bytearray()
                        if segment.filename is not None and received.file is not None:
                            raise RefusedInput(_("Send one file at a time."))
                        if segment.filename is not None and segment.name == file_field:
                            trusted = trusted or _token_ok(
                                request, received.fields.get("_csrf_token", "")
                            )
                            if not trusted:  # nothing of the file is read without a token
                                raise refuse_csrf()
                            received.filename = segment.filename
                            received.file = tempfile.SpooledTemporaryFile(max_size=SPOOL)
                    elif event is None:
                        if segment is not None and segment.filename is None:
                            _keep_field(request, received, segment, bytes(text))
                        segment = None
                    elif segment is not None and segment.name == file_field and received.file:
                        received.size += len(event)
                        if received.size > max_bytes:
                            raise UploadRefused(TOO_LARGE, mb=max_bytes // (1024 * 1024))
                        digest.update(event)
                        received.file.write(event)
                    elif segment is not None:
                        text += event
                        if len(text) > MAX_FIELD:
                            raise RefusedInput(_("The form could not be read."))
    except MultipartError:
        raise RefusedInput(_("The form could not be read.")) from None
    if not (trusted or _token_ok(request, received.fields.get("_csrf_token", ""))):
        raise refuse_csrf()
    received.sha256 = digest.hexdigest()
    if received.file is not None:
        received.file.seek(0)


def _keep_field(
    request: Request, received: Received, segment: MultipartSegment, value: bytes
) -> None:
    decoded = value.decode("utf-8", errors="replace")
    if "\x00" in decoded or "\x00" in (segment.name or ""):
        raise _refuse_nul(request.scope, "form")
    received.fields[segment.name or ""] = decoded


async def _body(request: Request, max_bytes: int) -> Any:
    """The body's chunks as they arrive; past the limit (with the form's allowance) it stops."""
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > max_bytes + FORM_ALLOWANCE:
            raise UploadRefused(TOO_LARGE, mb=max_bytes // (1024 * 1024))
        if chunk:
            yield chunk


async def drain(request: Request, limit: int) -> None:
    """Read and drop what is left of a refused body (up to ``limit`` bytes), so that a browser
    still sending it reads the answer instead of a reset connection; nothing is kept."""
    if not request.is_connected:
        return
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                return
    except Exception:
        return
