"""Passwords (argon2), server-side sessions and the middleware that knows who is asking.

The session cookie holds a random token; the database keeps only its SHA-256, so a leaked
table cannot be replayed. Log-out deletes the row; log-in always makes a new token.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tracker.accounts.queries import IDENTIFY, SESSION_PERSON
from tracker.accounts.tables import Session
from tracker.db import acting, request_transaction, tenant_wall
from tracker.i18n import language, pick_language
from tracker.layers import Layer
from tracker.settings import get_settings
from tracker.sql import fetch_unscoped
from tracker.tenancy import Membership as MembershipView

SESSION_COOKIE = "tracker_session"
LANGUAGE_COOKIE = "tracker_lang"
SESSION_DAYS = 14  # the default lifetime (SESSION_LIFETIME_HOURS)
TOUCH_SECONDS = 60  # a session's last-seen time is written at most once a minute
_LIVE_STREAM = re.compile(r"^/o/[^/]+/live$")  # tracker.live.controller.STREAM_PATH

_hasher: PasswordHasher | None = None


def hasher() -> PasswordHasher:
    global _hasher
    if _hasher is None:
        if get_settings().password_hash_fast:
            _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            _hasher = PasswordHasher()
    return _hasher


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(hasher().hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the person exists (no timing oracle for e-mails)."""
    target = password_hash or _DUMMY_HASH()

    def check() -> bool:
        try:
            return hasher().verify(target, password)
        except (VerificationError, InvalidHashError):
            return False

    ok = await anyio.to_thread.run_sync(check)
    return ok and password_hash is not None


_dummy: str | None = None


def _DUMMY_HASH() -> str:
    global _dummy
    if _dummy is None:
        _dummy = hasher().hash(secrets.token_urlsafe(16))
    return _dummy


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(person_id: int, user_agent: str = "", address: str = "") -> str:
    """A new session: it ends after the configured lifetime, or sooner when idle."""
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    await Session.insert(
        Session(
            token_hash=token_hash(token),
            person=person_id,
            expires_at=datetime.now(UTC) + timedelta(hours=settings.session_lifetime_hours),
            last_seen_at=datetime.now(UTC),
            idle_seconds=settings.session_idle_minutes * 60,
            user_agent=user_agent[:300],
            address=address[:45],
        )
    )
    return token


async def end_session(token: str | None) -> None:
    if token:
        await Session.delete().where(Session.token_hash == token_hash(token))


@dataclass(frozen=True)
class CurrentPerson:
    id: int
    name: str
    email: str
    language: str | None
    two_factor: bool = False  # logs in with a second factor


async def person_for_token(token: str | None) -> CurrentPerson | None:
    if not token or len(token) > 100:
        return None
    rows = await fetch_unscoped(SESSION_PERSON, token=token_hash(token))
    row = rows[0] if rows else None
    now = datetime.now(UTC)
    if row is None or row["expires_at"] < now:
        return None
    idle = (now - (row["last_seen_at"] or row["created_at"])).total_seconds()
    if idle > row["idle_seconds"]:
        return None
    if idle > TOUCH_SECONDS:
        await Session.update({Session.last_seen_at: now}).where(
            Session.token_hash == token_hash(token)
        )
    return CurrentPerson(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        language=row["language"],
        two_factor=row["totp_enabled_at"] is not None,
    )


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _slug_of(path: str) -> str | None:
    """The organisation slug of an /o/<slug>/ path (None for one no organisation can have,
    such as one holding a NUL byte, which the database refuses to compare: the input guard
    then answers the request 400)."""
    slug = path[3:].split("/", 1)[0] if path.startswith("/o/") else None
    return None if slug is None or "\x00" in slug else slug


async def identify_walled(
    token: str | None, path: str
) -> tuple[CurrentPerson | None, list[MembershipView], int | None, tuple[int | None, ...] | None]:
    """Behind the tenant wall, inside the request's transaction, in one round trip: the
    signed-in person, their memberships, the board's revision of the organisation named by
    an /o/<slug>/ path (None while nothing was ever written there) and its parts' revisions
    (migration 2026-11-30T21:10), and the wall's settings for
    the transaction (that organisation, the person). An unknown slug or session leaves the
    setting empty, so every tenant table answers nothing (the policies fail closed).
    ``tracker_identify`` is a database function (migrations 2026-11-23T07:00 and T08:00)."""
    valid = token is not None and len(token) <= 100
    rows = await fetch_unscoped(
        IDENTIFY, token=token_hash(token) if token and valid else "", slug=_slug_of(path) or ""
    )
    if not rows:
        return None, [], None, None
    first = rows[0]
    person = CurrentPerson(
        id=first["person_id"],
        name=first["person_name"],
        email=first["person_email"],
        language=first["person_language"],
        two_factor=first["person_two_factor"],
    )
    memberships = [
        MembershipView(
            r["org_id"],
            r["org_slug"],
            r["org_name"],
            r["role"],
            r["org_require_2fa"],
            int(r["unread_notifications"] or 0),
        )
        for r in rows
        if r["org_id"] is not None
    ]
    parts = first["board_parts"]
    return person, memberships, first["board_revision"], tuple(parts) if parts else None


class IdentityMiddleware(Layer):
    """Finds the signed-in person (one query) and the request's language."""

    skip = ("/static/", "/healthz", "/readyz")

    def __init__(self, connections: int = 10) -> None:
        # Behind the wall each request holds one pooled connection from start to end. Requests
        # take their turn for one here, first come first served (asyncio's semaphore does not
        # let a newcomer overtake a waiter; the pool's own queue does): under load every
        # request waits about as long as the others, instead of a few waiting many turns.
        self.turns = asyncio.Semaphore(connections)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[assignment]
        token = _cookie(scope, SESSION_COOKIE)
        if not tenant_wall():
            person = await person_for_token(token)
            state["person"] = person
            with language(self._language(scope, person)), acting(person.id if person else None):
                await next_app(scope, receive, send)
            return
        if _LIVE_STREAM.match(scope.get("path", "")):
            await self._stream(scope, receive, send, next_app, token)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        # One connection and one transaction for the whole request (the identity, the wall's
        # settings and the handler's queries). The transaction commits after the handler
        # returns, and the response waits for the commit: a client that follows a redirect at
        # once must find what was just written. A request that failed (5xx) writes nothing.
        # A streamed download (route opt "streamed_upload", see tracker/uploads/receive.py)
        # writes nothing: its chunks go out as they are read, inside the transaction, instead
        # of being held whole in memory.
        handler = scope.get("route_handler")
        passing = (
            scope.get("method") == "GET"
            and handler is not None
            and handler.opt.get("streamed_upload")
        )
        async with self.turns, request_transaction() as transaction:
            person, memberships, board_revision, board_parts = await identify_walled(
                token, scope.get("path", "")
            )
            state["person"] = person
            state["memberships"] = memberships
            state["board_revision"] = board_revision
            state["board_parts"] = board_parts
            with language(self._language(scope, person)), acting(person.id if person else None):
                await next_app(scope, receive, send if passing else hold)
            status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
            if status >= 500:
                await transaction.rollback()
        for message in held:
            await send(message)

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, token: str | None
    ) -> None:
        """A live stream (``tracker.live``) stays open for minutes: behind the wall it is
        identified in a short transaction of its own, then runs without holding a pooled
        connection or its turn (its few queries open their own tenant transactions)."""
        state: dict[str, Any] = scope["state"]  # type: ignore[assignment]
        async with self.turns, request_transaction():
            person, memberships, board_revision, board_parts = await identify_walled(
                token, scope.get("path", "")
            )
        state["person"] = person
        state["memberships"] = memberships
        state["board_revision"] = board_revision
        state["board_parts"] = board_parts
        with language(self._language(scope, person)):
            await next_app(scope, receive, send)

    @staticmethod
    def _language(scope: Scope, person: CurrentPerson | None) -> str:
        lang = pick_language(
            person.language if person else _cookie(scope, LANGUAGE_COOKIE),
            _header(scope, b"accept-language"),
        )
        scope["state"]["language"] = lang  # type: ignore[index]
        return lang
