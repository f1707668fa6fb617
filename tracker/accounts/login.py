"""Log-in: limits per client address and per account, the owner's way through an attack
(a browser they logged in with before, or the e-mailed unlock link), unconfirmed addresses,
and the hand-over to the second factor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.accounts import links, mail
from tracker.accounts.queries import LOGIN_FAILURES
from tracker.accounts.rules import (
    THROTTLE_WINDOW_SECONDS,
    Failures,
    Refusal,
    login_refusal,
    normalise_email,
)
from tracker.accounts.tables import LoginFailure, Person
from tracker.auth import verify_password
from tracker.sql import fetch_unscoped

DEVICE_COOKIE = "tracker_device"  # "this browser logged in to this account before"
DEVICE_SECONDS = 365 * 86400
PENDING_COOKIE = "tracker_2fa"  # password checked, second factor awaited
PENDING_SECONDS = 300


@dataclass(frozen=True)
class LoginResult:
    person_id: int | None = None
    refusal: Refusal = Refusal.NONE
    wait_seconds: int = 0
    unconfirmed: bool = False  # right password, address not confirmed yet (mail sent again)
    needs_code: bool = False  # right password, two-factor log-in on
    password_hash: str = ""


def _counts(rows: list[dict[str, Any]], now: datetime) -> Failures:
    if not rows:
        return Failures()
    latest = max(r["at"] for r in rows)
    return Failures(len(rows), (now - latest).total_seconds())


async def recent_failures(email: str, address: str) -> tuple[Failures, Failures, Failures]:
    """Failures in the window: from this address, on this account from it, on this account."""
    now = datetime.now(UTC)
    rows = await fetch_unscoped(
        LOGIN_FAILURES,
        since=now - timedelta(seconds=THROTTLE_WINDOW_SECONDS),
        email=email,
        address=address,
    )
    return (
        _counts([r for r in rows if r["address"] == address], now),
        _counts([r for r in rows if r["address"] == address and r["email"] == email], now),
        _counts([r for r in rows if r["email"] == email], now),
    )


def device_token(person_id: int, email: str) -> str:
    return links.sign("device", person_id, email, DEVICE_SECONDS)


def known_browser(cookie: str | None, person: dict | None) -> bool:
    if not cookie or person is None or links.subject_of(cookie) != person["id"]:
        return False
    return links.verify("device", cookie, person["email"])


async def record_failure(email: str, address: str) -> None:
    await LoginFailure.insert(LoginFailure(email=email, address=address[:45]))


async def authenticate(email: str, password: str, address: str, device: str | None) -> LoginResult:
    email = normalise_email(email)[:254]
    person = (
        await Person.select(
            Person.id,
            Person.email,
            Person.password_hash,
            Person.email_confirmed,
            Person.totp_enabled_at,
        )
        .where(Person.email == email)
        .first()
    )
    by_address, pair, account = await recent_failures(email, address)
    refusal, wait = login_refusal(by_address, pair, account, known_browser(device, person))
    if refusal:
        if refusal == Refusal.UNLOCK and person is not None:
            await mail.queue(person["id"], "unlock", f"unlock:{person['id']}:{mail.hour_key()}")
        return LoginResult(refusal=refusal, wait_seconds=wait)
    if not await verify_password(person["password_hash"] if person else None, password):
        await record_failure(email, address)
        return LoginResult()
    assert person is not None
    await LoginFailure.delete().where(LoginFailure.email == email, LoginFailure.address == address)
    if not person["email_confirmed"]:
        await mail.queue(person["id"], "confirm", f"confirm:{person['id']}:{mail.hour_key()}")
        return LoginResult(unconfirmed=True)
    return LoginResult(
        person_id=person["id"],
        needs_code=person["totp_enabled_at"] is not None,
        password_hash=person["password_hash"],
    )


def pending_token(person_id: int, password_hash: str) -> str:
    return links.sign("2fa", person_id, password_hash, PENDING_SECONDS)


async def pending_person(cookie: str | None) -> dict | None:
    """The person whose password was checked and whose second factor is awaited."""
    person_id = links.subject_of(cookie or "")
    if person_id is None:
        return None
    person = (
        await Person.select(Person.id, Person.email, Person.password_hash)
        .where(Person.id == person_id)
        .first()
    )
    if person is None or not links.verify("2fa", cookie or "", person["password_hash"]):
        return None
    return person


async def confirm_address(token: str) -> int | None:
    """Confirm the address a link was sent to; the person's id, or None for a bad link."""
    person_id = links.subject_of(token)
    if person_id is None:
        return None
    person = await Person.select(Person.id, Person.email).where(Person.id == person_id).first()
    if person is None or not links.verify("confirm", token, person["email"]):
        return None
    await Person.update({Person.email_confirmed: True}).where(Person.id == person_id)
    return person_id


async def unlocked_person(token: str) -> dict | None:
    """The person an unlock link was sent to (still valid: same password, within the hour)."""
    person_id = links.subject_of(token)
    if person_id is None:
        return None
    person = (
        await Person.select(Person.id, Person.email, Person.password_hash)
        .where(Person.id == person_id)
        .first()
    )
    if person is None or not links.verify("unlock", token, person["password_hash"]):
        return None
    return person
