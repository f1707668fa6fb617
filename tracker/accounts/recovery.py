"""A forgotten password: the request (the same work whether or not the address has an
account), the job that mails the single-use link, and setting the new password.

The request only records the address typed and the client's address (the rate limit counts
them); ``process_requests`` (a background job, run with the outbox) looks the address up and,
for an account, stores a SHA-256 of a new token and queues the link in the person's language.
So the answer and the work done while answering never depend on whether an account exists.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.accounts import mail, rules
from tracker.accounts.hooks import QUEUE_MAIL
from tracker.accounts.mail import local_time
from tracker.accounts.queries import RESET_REQUESTS
from tracker.accounts.recovery_tables import PasswordReset
from tracker.accounts.rules import is_valid_email, normalise_email
from tracker.accounts.service import check_password
from tracker.accounts.tables import Membership, Person, Session
from tracker.auth import hash_password, token_hash
from tracker.db import tenant_transaction, write_transaction
from tracker.errors import NotFound, TrackerError
from tracker.i18n import gettext as _
from tracker.i18n import language
from tracker.settings import get_settings
from tracker.sql import fetch_unscoped
from tracker.values import Checks, Submitted

log = logging.getLogger("tracker.accounts")
KEEP_DAYS = 7  # how long requests are kept (the rate limit looks back one hour)


class TooManyRequests(TrackerError):
    """Over the rate limit of reset requests (429); nothing was recorded."""

    status_code = 429


async def request_reset(values: Submitted, client: str, lang: str) -> str:
    """Record a request for a reset link; returns the address as kept. ``Invalid`` for an
    address that is not one, ``TooManyRequests`` over the rate limit (nothing recorded)."""
    checks = Checks(values)
    email = checks.keep("email", normalise_email(checks.get("email"))[:254])
    if not is_valid_email(email):
        checks.error("email", _("Enter a valid e-mail address."))
    checks.done()
    now = datetime.now(UTC)
    since = now - timedelta(seconds=rules.RESET_WINDOW_SECONDS)
    client = client[:64]
    rows = await fetch_unscoped(RESET_REQUESTS, since=since, email=email, client=client)
    wait = rules.reset_wait_seconds(
        [r["created_at"].timestamp() for r in rows if r["email"] == email],
        [r["created_at"].timestamp() for r in rows if r["client"] == client],
        now.timestamp(),
    )
    if wait:
        message = _(
            "Too many requests for a new password. Try again in %(n)s minutes.",
            n=max(1, round(wait / 60)),
        )
        raise TooManyRequests(message, {"email": message}, {"email": email})
    await PasswordReset.insert(PasswordReset(email=email, client=client, language=lang))
    return email


async def home_org(person_id: int) -> int | None:
    """The organisation whose outbox carries a person's own mail: their first one joined."""
    async with tenant_transaction(None, person_id):
        row = (
            await Membership.select(Membership.org)
            .where(Membership.person == person_id)
            .order_by(Membership.created_at)
            .order_by(Membership.id)
            .first()
        )
    return None if row is None else int(row["org"])


async def process_requests(now: datetime | None = None, limit: int = 200) -> int:
    """Mail a link for each new request whose address has an account; returns links queued."""
    now = now or datetime.now(UTC)
    queued = 0
    async with tenant_transaction(None):
        # requests older than the window and their links are of no use any more
        await PasswordReset.delete().where(
            PasswordReset.created_at < now - timedelta(days=KEEP_DAYS)
        )
        pending = (
            await PasswordReset.select(PasswordReset.id)
            .where(PasswordReset.processed_at.is_null())
            .order_by(PasswordReset.id)
            .limit(limit)
        )
    for row in pending:
        async with tenant_transaction(None):
            claimed = (
                await PasswordReset.update({PasswordReset.processed_at: now})
                .where(PasswordReset.id == row["id"], PasswordReset.processed_at.is_null())
                .returning(PasswordReset.email, PasswordReset.language)
            )
        if claimed:
            queued += await _mail_link(row["id"], claimed[0], now)
    return queued


async def _mail_link(request_id: int, request: dict[str, Any], now: datetime) -> int:
    person = (
        await Person.select(Person.id, Person.email, Person.language, Person.timezone)
        .where(Person.email == request["email"])
        .first()
    )
    if person is None:
        return 0  # no account: nothing to send, and the requester was told the same anyway
    org = await home_org(person["id"])
    if org is None:
        log.info("password reset for person %s: no organisation's outbox to carry it", person["id"])
        return 0
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=rules.RESET_LINK_SECONDS)
    link = f"{get_settings().base_url}/password/reset/{token}"
    with language(person["language"] or request["language"]):
        subject = _("Set a new password for the improvement tracker")
        text = _(
            "Someone, we hope you, asked to set a new password for %(email)s.\n\n"
            "Set it here (the link works once, until %(time)s):\n%(url)s\n\n"
            "If you did not ask, ignore this message: your password stays as it is.",
            email=person["email"],
            time=local_time(expires, person["timezone"]),
            url=link,
        )
    async with tenant_transaction(org, person["id"]):
        await PasswordReset.update(
            {
                PasswordReset.person: person["id"],
                PasswordReset.token_hash: token_hash(token),
                PasswordReset.expires_at: expires,
            }
        ).where(PasswordReset.id == request_id)
        await QUEUE_MAIL.call(
            org,
            person["id"],
            f"password_reset:{request_id}",
            "password_reset",
            person["email"],
            subject,
            text,
        )
    return 1


async def reset_for_token(token: str) -> dict[str, Any] | None:
    """The request behind a reset link, while the link works (unused, not expired)."""
    if not token or len(token) > 100:
        return None
    row = (
        await PasswordReset.select(
            PasswordReset.id,
            PasswordReset.person,
            PasswordReset.expires_at,
            PasswordReset.used_at,
            PasswordReset.person.email,
        )
        .where(PasswordReset.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["person"] is None or row["expires_at"] is None:
        return None
    now = datetime.now(UTC)
    if not rules.link_usable(row["expires_at"].timestamp(), bool(row["used_at"]), now.timestamp()):
        return None
    return row


async def set_new_password(token: str, values: Submitted) -> int:
    """Set the password through a reset link; returns the person's id. ``NotFound`` when the
    link does not work (any more, or used meanwhile), ``Invalid`` for a password refused.
    Every session of the person ends and every other link of theirs stops working."""
    reset = await reset_for_token(token)
    if reset is None:
        raise NotFound()
    person_id: int = reset["person"]
    checks = Checks(values)
    password = check_password(checks, "new", reset["person.email"])
    if checks.get("new") != checks.get("confirm"):
        checks.error("confirm", _("The two new passwords differ."))
    checks.done()
    password_hash = await hash_password(password)
    now = datetime.now(UTC)
    async with write_transaction():
        claimed = (
            await PasswordReset.update({PasswordReset.used_at: now})
            .where(PasswordReset.id == reset["id"], PasswordReset.used_at.is_null())
            .returning(PasswordReset.id)
        )
        if not claimed:
            raise NotFound()
        await Person.update({Person.password_hash: password_hash}).where(Person.id == person_id)
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            PasswordReset.person == person_id, PasswordReset.used_at.is_null()
        )
        await Session.delete().where(Session.person == person_id)
    return person_id


async def notify_changed(person_id: int) -> None:
    """Tell the person by e-mail that their password was set through a reset link (so a
    reset they did not make does not go unnoticed)."""
    await mail.notify(person_id, "password_reset_done")
