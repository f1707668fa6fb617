"""API tokens: created by an admin with a name and a scope, shown once, stored as a SHA-256
hash, revoked at any time. ``authenticate`` turns a bearer token into the organisation it
belongs to, or nothing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.api.tables import ApiToken
from tracker.db import act_as_token, set_local
from tracker.errors import Forbidden
from tracker.i18n import gettext as _
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted

PREFIX = "trk_"
WRITES = "writes"  # the option of an API route that writes: a read-only token is refused there
SCOPES = ("read", "write")
LAST_USED_GRANULARITY = timedelta(minutes=5)  # do not write on every request


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiClient:
    token_id: int
    org_id: int
    scope: str

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    @property
    def tenant(self) -> TenantScope:
        return TenantScope(self.org_id)


async def authenticate(token: str, writing: bool = False) -> ApiClient | None:
    """The client of a token, or None when it is not one (or revoked). A read-only token on
    a route that writes (``writing``) is refused: ``Forbidden``."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    digest = hash_token(token)
    await set_local("app.api_token", digest)  # the tenant wall lets this one row through
    row = (
        await ApiToken.select(
            ApiToken.id, ApiToken.org, ApiToken.scope, ApiToken.revoked_at, ApiToken.last_used_at
        )
        .where(ApiToken.token_hash == digest)
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    await act_as_token(row["org"], row["id"])
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_GRANULARITY:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    client = ApiClient(token_id=row["id"], org_id=row["org"], scope=row["scope"])
    if writing and not client.can_write:
        raise Forbidden("This token may only read; ask an admin for a write token.")
    return client


async def tokens(scope: TenantScope) -> list[dict[str, Any]]:
    return (  # type: ignore[no-any-return]
        await scope.select(
            ApiToken,
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            ApiToken.created_by.name,
        ).order_by(ApiToken.created_at, ascending=False)
    )


async def create(scope: TenantScope, values: Submitted, person_id: int | None) -> str:
    """A new token; returns its secret (shown once, never stored). ``Invalid`` without a name
    or with an unknown scope."""
    checks = Checks(values)
    name = checks.require("name", _("Name the token after the system that uses it."), 100)
    kind = checks.get("scope") or "read"
    if kind not in SCOPES:
        checks.error("scope", _("Choose one of the options."))
    checks.done()
    secret = new_secret()
    await scope.insert(
        ApiToken,
        {
            "name": name,
            "scope": kind,
            "token_hash": hash_token(secret),
            "prefix": secret[:10],
            "created_by": person_id,
        },
    )
    return secret


async def revoke(scope: TenantScope, token_id: int) -> None:
    await scope.get(ApiToken, token_id, ApiToken.id)
    await scope.update(
        ApiToken,
        {ApiToken.revoked_at: datetime.now(UTC)},
        ApiToken.id == token_id,
        ApiToken.revoked_at.is_null(),
    )
