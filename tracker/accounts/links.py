"""Signed, expiring tokens for links and cookies, made from the secret key (HMAC-SHA256).

Nothing secret is stored: a confirmation or unlock link, the browser a person logged in with,
the half-done log-in waiting for a second factor and an invitation's link are all derived from
``SECRET_KEY`` and what the database holds. A leaked database alone gives no working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tracker.settings import get_settings


def mac(*parts: object, key: str | None = None) -> str:
    secret = (key or get_settings().secret_key).encode()
    message = "\x1f".join(str(p) for p in parts).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(purpose: str, subject: int, bound_to: str, seconds: int, key: str | None = None) -> str:
    """A token for ``subject`` (a person's id) valid for ``seconds``; ``bound_to`` ties it to
    what must not have changed meanwhile (an e-mail address, a password hash). ``key``: another
    secret key than this process's (tests of a separate server)."""
    expires = int(time.time()) + seconds
    return f"{subject}.{expires}.{mac(purpose, subject, expires, bound_to, key=key)}"


def subject_of(token: str) -> int | None:
    """The id a token names, before it is checked (to look up what it is bound to)."""
    head = token.split(".", 1)[0]
    return int(head) if head.isdigit() and len(head) < 12 else None


def verify(purpose: str, token: str, bound_to: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(token) > 200:
        return False
    subject, expires, given = int(parts[0]), int(parts[1]), parts[2]
    if expires < time.time():
        return False
    return hmac.compare_digest(given, mac(purpose, subject, expires, bound_to))


def invitation_token(link_key: str) -> str:
    """The secret of an invitation's link: only its SHA-256 is stored (``token_hash``)."""
    return mac("invitation", link_key)
