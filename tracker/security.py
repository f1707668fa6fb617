"""Security headers on every response, and the guard on every request's input."""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tracker.layers import Layer

log = logging.getLogger("tracker.web")
CSRF_COOKIE = "csrftoken"  # Litestar's CSRFConfig defaults
CSRF_HEADER = "x-csrftoken"
_CSRF_HEADER_RAW = CSRF_HEADER.encode()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# Over https only (a browser ignores it over http): stay on https for a year. Behind a proxy
# that terminates TLS, the scheme comes from its X-Forwarded-Proto when the proxy's address is
# in TRUSTED_PROXIES (uvicorn's proxy headers, set up by ``tracker serve``).
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware(Layer):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in HEADERS if h[0] not in names)
                if https:
                    headers.append(HSTS)
                message["headers"] = headers  # type: ignore[typeddict-unknown-key]
            await send(message)

        await next_app(scope, receive, send_with_headers)


class QueryCountMiddleware(Layer):
    """Adds ``X-Query-Count``: the database queries a request made, and ``Server-Timing``:
    its time in the app, the process's CPU time meanwhile (for the benchmarks; the CPU
    time stays meaningful on a busy machine, where wall times stretch) and, on PostgreSQL,
    the time it waited for its queries' answers."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        import time

        from tracker.db import count_queries

        wall, cpu = time.perf_counter(), time.process_time()
        with count_queries() as counted:

            async def send_with_count(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    headers.append((b"x-query-count", str(counted.count).encode()))
                    app_ms = (time.perf_counter() - wall) * 1000
                    cpu_ms = (time.process_time() - cpu) * 1000
                    sql_ms = counted.seconds * 1000  # PostgreSQL only: 0 on SQLite
                    timing = f"app;dur={app_ms:.1f}, cpu;dur={cpu_ms:.1f}, sql;dur={sql_ms:.1f}"
                    headers.append((b"server-timing", timing.encode()))
                    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
                await send(message)

            await next_app(scope, receive, send_with_count)


class RefusedInput(ClientException):
    """Input the app refuses outright (400), with a message already worded for the person."""


def _refuse_nul(scope: Scope, where: str) -> RefusedInput:
    from tracker.i18n import gettext as _

    log.warning(
        "refused %s %s: a NUL byte in the %s", scope.get("method", ""), scope["path"], where
    )
    return RefusedInput(_("The request holds a character that is not allowed (a NUL byte)."))


def _refuse_csrf(scope: Scope, where: str) -> PermissionDeniedException:
    log.warning(
        "refused %s %s: a CSRF token with non-ASCII characters", scope.get("method", ""), where
    )
    return PermissionDeniedException("CSRF token verification failed")


def _csrf_cookie(cookie: bytes) -> str:
    for part in cookie.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == CSRF_COOKIE:
            return value
    return ""


def _header_refused(name: bytes, value: bytes) -> bool:
    """A CSRF token in the header or the cookie that is not ASCII."""
    if name == _CSRF_HEADER_RAW:
        return not value.isascii()
    if name == b"cookie" and b"csrftoken" in value:
        return not _csrf_cookie(value).isascii()
    return False


class InputGuardMiddleware(Layer):
    """One place that refuses input no handler can use (issue 17, finding 4): a NUL byte in
    the path, the query or any text field of a form or JSON body (PostgreSQL cannot store it;
    asyncpg fails), and CSRF tokens with non-ASCII characters (the comparison would fail).
    It reads the form as Litestar does, which keeps it for the CSRF check and the handler.
    A request without a body costs a scan of its raw headers, nothing parsed."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if "\x00" in scope["path"]:
            raise _refuse_nul(scope, "address")
        query = scope.get("query_string", b"")
        if query and b"\x00" in unquote_to_bytes(query):
            raise _refuse_nul(scope, "query")
        for name, value in scope["headers"]:
            if (name == _CSRF_HEADER_RAW or name == b"cookie") and _header_refused(name, value):
                raise _refuse_csrf(scope, scope["path"])
        if scope.get("method", "") in ("POST", "PUT", "PATCH", "DELETE"):
            handler = scope.get("route_handler")
            if handler is None or not handler.opt.get("streamed_upload"):
                # (a streamed upload checks its own body)
                await self._check_body(scope, Request(scope, receive))
        await next_app(scope, receive, send)

    @staticmethod
    async def _check_body(scope: Scope, request: Request) -> None:
        content_type, _ = request.content_type
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.form()).multi_items():
                if not isinstance(value, str):
                    continue  # an uploaded file: checked by tracker.uploads
                if "\x00" in value or "\x00" in name:
                    raise _refuse_nul(scope, "form")
                if name == "_csrf_token" and not value.isascii():
                    raise _refuse_csrf(scope, scope["path"])
        elif content_type.endswith("json"):
            body = await request.body()
            if b"\\u0000" in body and _json_holds_nul(body):
                raise _refuse_nul(scope, "body")


def _json_holds_nul(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False  # the handler answers that it is not JSON
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
