"""Security headers on every response."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeadersMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in HEADERS if h[0] not in names)
                message["headers"] = headers  # type: ignore[typeddict-unknown-key]
            await send(message)

        await next_app(scope, receive, send_with_headers)


class QueryCountMiddleware(ASGIMiddleware):
    """Adds ``X-Query-Count``: the database queries a request made, and ``Server-Timing``:
    its time in the app and the process's CPU time meanwhile (for the benchmarks; the CPU
    time stays meaningful on a busy machine, where wall times stretch)."""

    scopes = (ScopeType.HTTP,)

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
                    timing = f"app;dur={app_ms:.1f}, cpu;dur={cpu_ms:.1f}"
                    headers.append((b"server-timing", timing.encode()))
                    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
                await send(message)

            await next_app(scope, receive, send_with_count)
