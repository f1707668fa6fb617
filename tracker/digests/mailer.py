"""Delivering the outbox over SMTP: claim, check the recipient still belongs, send, and on
failure retry with back-off (visible to admins); give up after the last attempt."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from typing import Any
from urllib.parse import urlparse

from tracker.accounts.mail import send
from tracker.accounts.tables import Membership, Organisation
from tracker.db import current_engine, tenant_transaction, tenant_wall
from tracker.digests import rules
from tracker.digests.outbox import SECRET_KINDS, SENT_SECRET_BODY
from tracker.digests.tables import EmailMessage
from tracker.settings import get_settings

log = logging.getLogger("tracker.mail")
STALE_CLAIM = timedelta(minutes=10)


def mime(message: dict) -> MimeMessage:
    settings = get_settings()
    mail = MimeMessage()
    mail["From"] = settings.smtp.sender
    mail["To"] = message["to_email"]
    mail["Subject"] = message["subject"]
    # The same for every attempt: a message sent again is recognisable as the same one.
    host = urlparse(settings.base_url).hostname or "localhost"
    mail["Message-ID"] = f"<tracker.{message['org']}.{message['id']}@{host}>"
    if message["kind"] == "notification":  # RFC 2369: where the person turns these off
        mail["List-Unsubscribe"] = f"<{settings.base_url}/account/notifications>"
    mail.set_content(message["body_text"])
    if message["body_html"]:
        mail.add_alternative(message["body_html"], subtype="html")
    return mail


async def deliver_pending(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """One sweep of the outbox, organisation by organisation; returns counts by outcome, and
    the messages sent by kind ("sent:digest", "sent:review_reminder", …)."""
    now = now or datetime.now(UTC)
    counts = {"sent": 0, "failed": 0, "retry": 0, "cancelled": 0, "held": 0}
    for org in await Organisation.select(Organisation.id):
        for outcome, n in (await _deliver_org(org["id"], now, limit)).items():
            counts[outcome] = counts.get(outcome, 0) + n
    return counts


async def _deliver_org(org_id: int, now: datetime, limit: int) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "retry": 0, "cancelled": 0, "held": 0}
    async with tenant_transaction(org_id):
        # a worker that died while sending on SQLite leaves a claim behind: release it
        await EmailMessage.update({EmailMessage.status: "pending"}).where(
            EmailMessage.status == "sending", EmailMessage.claimed_at < now - STALE_CLAIM
        )
        due = (
            await EmailMessage.select()
            .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at <= now)
            .order_by(EmailMessage.next_attempt_at)
            .limit(limit)
        )
        if not get_settings().smtp.host:
            if due:
                await EmailMessage.update(
                    {
                        EmailMessage.status: "held",
                        EmailMessage.last_error: "SMTP is not configured (SMTP_HOST).",
                    }
                ).where(EmailMessage.id.is_in([m["id"] for m in due]))
            counts["held"] = len(due)
            return counts
    for message in due:
        outcome = await _deliver_one(org_id, message, now)
        if outcome:
            counts[outcome] += 1
        if outcome == "sent":  # and by kind, for tracker run-jobs
            counts[f"sent:{message['kind']}"] = counts.get(f"sent:{message['kind']}", 0) + 1
    return counts


@asynccontextmanager
async def _one_message(org_id: int) -> AsyncIterator[None]:
    """A message's claim, sending and outcome in one transaction of its own on PostgreSQL: a
    worker killed in between rolls back to "pending" and the next sweep sends it at once, while
    the messages sent before stay sent (one transaction per organisation re-sent them all).
    SQLite commits each statement (holding its one write lock while mail is sent would stall
    every writer); a claim left there by a crash is released after STALE_CLAIM."""
    if tenant_wall():
        async with tenant_transaction(org_id):
            yield
    elif current_engine().engine_type == "postgres":
        async with current_engine().transaction():
            yield
    else:
        yield


async def _deliver_one(org_id: int, message: dict, now: datetime) -> str | None:
    """Send one message of the outbox; its outcome, or None when another worker has it."""
    async with _one_message(org_id):
        claimed = (
            await EmailMessage.update(
                {EmailMessage.status: "sending", EmailMessage.claimed_at: now}
            )
            .where(EmailMessage.id == message["id"], EmailMessage.status == "pending")
            .returning(EmailMessage.id)
        )
        if not claimed:
            return None  # another worker has it (or sent it meanwhile)
        if message["person"] is not None and not await Membership.exists().where(
            Membership.org == message["org"], Membership.person == message["person"]
        ):
            await EmailMessage.update(
                {
                    EmailMessage.status: "cancelled",
                    EmailMessage.last_error: "The recipient left the organisation.",
                }
            ).where(EmailMessage.id == message["id"])
            return "cancelled"
        if message["kind"] == "invitation":
            linked = await _with_invitation_link(message)
            if linked is None:
                return "cancelled"
            message = linked
        try:
            await send(mime(message))
        except Exception as error:  # any SMTP or network failure: retry later
            attempts = message["attempts"] + 1
            retry_at = rules.next_attempt(attempts, now)
            await EmailMessage.update(
                {
                    EmailMessage.status: "pending" if retry_at else "failed",
                    EmailMessage.attempts: attempts,
                    EmailMessage.last_error: f"{type(error).__name__}: {error}"[:2000],
                    EmailMessage.next_attempt_at: retry_at or now,
                }
            ).where(EmailMessage.id == message["id"])
            log.warning(
                "mail %s to %s failed (attempt %s): %s",
                message["id"],
                message["to_email"],
                attempts,
                error,
            )
            return "retry" if retry_at else "failed"
        sent: dict[Any, Any] = {
            EmailMessage.status: "sent",
            EmailMessage.sent_at: datetime.now(UTC),
            EmailMessage.attempts: message["attempts"] + 1,
            EmailMessage.last_error: "",
        }
        if message["kind"] in SECRET_KINDS:  # a sent link is kept nowhere but in the mailbox
            sent[EmailMessage.body_text] = SENT_SECRET_BODY
        await EmailMessage.update(sent).where(EmailMessage.id == message["id"])
        return "sent"


async def _with_invitation_link(message: dict) -> dict | None:
    """The invitation's text with its link, made now; None (and the mail cancelled) when the
    invitation was accepted, revoked or has expired meanwhile, or its link was renewed."""
    from tracker.accounts.service import invitation_link
    from tracker.digests.reminders import INVITATION_LINK

    invitation_id = message["key"].split(":")[1]
    link = await invitation_link(int(invitation_id)) if invitation_id.isdigit() else None
    if link is None or INVITATION_LINK not in message["body_text"]:
        await EmailMessage.update(
            {
                EmailMessage.status: "cancelled",
                EmailMessage.last_error: "The invitation is no longer open.",
            }
        ).where(EmailMessage.id == message["id"])
        return None
    return {**message, "body_text": message["body_text"].replace(INVITATION_LINK, link)}


async def retry(message_id: int, org_id: int) -> bool:
    """An admin's "retry now" for a failed or held message of their organisation."""
    rows = (
        await EmailMessage.update(
            {
                EmailMessage.status: "pending",
                EmailMessage.next_attempt_at: datetime.now(UTC),
                EmailMessage.attempts: 0,
            }
        )
        .where(
            EmailMessage.id == message_id,
            EmailMessage.org == org_id,
            EmailMessage.status.is_in(["failed", "held", "cancelled"]),
        )
        .returning(EmailMessage.id)
    )
    return bool(rows)
