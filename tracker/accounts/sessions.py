"""A person's active sessions: the list (device and browser, address, last seen) and logging
out one device or every other one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.accounts.rules import describe_user_agent
from tracker.accounts.tables import Session
from tracker.auth import token_hash


async def of_person(person_id: int, current_token: str) -> list[dict[str, Any]]:
    """Sessions still valid, the current one first, then the most recently seen."""
    now = datetime.now(UTC)
    rows = (
        await Session.select(
            Session.id,
            Session.token_hash,
            Session.created_at,
            Session.last_seen_at,
            Session.idle_seconds,
            Session.user_agent,
            Session.address,
        )
        .where(Session.person == person_id, Session.expires_at > now)
        .order_by(Session.last_seen_at, ascending=False)
    )
    current = token_hash(current_token) if current_token else ""
    for r in rows:
        r["last_seen_at"] = r["last_seen_at"] or r["created_at"]  # None: not since it started
    alive = [
        {
            **r,
            "current": r["token_hash"] == current,
            "device": describe_user_agent(r["user_agent"]),
        }
        for r in rows
        if r["last_seen_at"] + timedelta(seconds=r["idle_seconds"]) > now
    ]
    return sorted(alive, key=lambda r: not r["current"])


async def end(person_id: int, session_id: int) -> bool:
    """Log out one of the person's own sessions; False when it is not theirs."""
    rows = (
        await Session.delete()
        .where(Session.person == person_id, Session.id == session_id)
        .returning(Session.id)
    )
    return bool(rows)


async def end_others(person_id: int, current_token: str) -> None:
    await Session.delete().where(
        Session.person == person_id, Session.token_hash != token_hash(current_token)
    )
