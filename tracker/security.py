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


# Over https only (a browser ignores it over http): stay on https for a year. Behind a proxy
# that terminates TLS, the scheme comes from its X-Forwarded-Proto when the proxy's address is
# in TRUSTED_PROXIES (uvicorn's proxy headers, set up by ``tracker serve``).
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

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


class QueryCountMiddleware(ASGIMiddleware):
    """Adds ``X-Query-Count``: the database queries a request made (for the load benchmark)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        from tracker.db import count_queries

        with count_queries() as counted:

            async def send_with_count(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    headers.append((b"x-query-count", str(counted.count).encode()))
                    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
                await send(message)

            await next_app(scope, receive, send_with_count)
