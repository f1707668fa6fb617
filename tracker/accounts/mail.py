"""Mail about a person's own account: confirming the address, a sign-up tried with an address
that already has an account, the link that unlocks log-in from a browser during an attack.

The outbox row holds only what the mail is and for whom; its text and link are made when it is
sent (in the person's language), so no working link sits in the database. Without SMTP the
mail is held; in development its text goes to the log so a developer can follow the link.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage

from tracker.accounts import links
from tracker.accounts.tables import AccountMail
from tracker.db import is_unique_violation
from tracker.digests import rules
from tracker.i18n import gettext as _
from tracker.i18n import language
from tracker.settings import get_settings

log = logging.getLogger("tracker.mail")

CONFIRM_SECONDS = 3 * 86400
UNLOCK_SECONDS = 3600


async def queue(person_id: int, kind: str, key: str) -> bool:
    """Queue one mail; False when one with the same key exists (sent once per key)."""
    try:
        await AccountMail.insert(AccountMail(person=person_id, kind=kind, key=key))
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return False
    return True


def hour_key() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H")


def confirm_link(person: dict) -> str:
    token = links.sign("confirm", person["id"], person["email"], CONFIRM_SECONDS)
    return f"{get_settings().base_url}/confirm/{token}"


def unlock_link(person: dict) -> str:
    token = links.sign("unlock", person["id"], person["password_hash"], UNLOCK_SECONDS)
    return f"{get_settings().base_url}/unlock/{token}"


def render(kind: str, person: dict) -> tuple[str, str]:
    """Subject and text of a mail, in the person's language, with a fresh link."""
    base = get_settings().base_url
    with language(person["language"] or "en"):
        if kind == "confirm":
            return _("Confirm your e-mail address"), _(
                "Welcome to the improvement tracker. Confirm your e-mail address to start "
                "(the link works for 3 days): %(url)s",
                url=confirm_link(person),
            )
        if kind == "unlock":
            return _("Many failed log-ins on your account"), _(
                "Someone has tried many wrong passwords on your account. If it was not you, "
                "your password held and nothing is needed. To log in from your browser now, "
                "open this link there (it works for one hour): %(url)s",
                url=unlock_link(person),
            )
        text = _(
            "Someone, perhaps you, tried to sign up with this e-mail address. You already "
            "have an account: log in here: %(url)s. If it was not you, ignore this mail.",
            url=f"{base}/login",
        )
        if not person["email_confirmed"]:
            text += "\n\n" + _(
                "Your address is not confirmed yet; confirm it here: %(url)s",
                url=confirm_link(person),
            )
        return _("Sign-up with your e-mail address"), text


def mime(to: str, subject: str, text: str) -> MimeMessage:
    mail = MimeMessage()
    mail["From"] = get_settings().smtp.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(text)
    return mail


async def deliver_account_mail(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """One sweep of the account outbox; returns counts by outcome."""
    from tracker.digests.mailer import send

    now = now or datetime.now(UTC)
    counts = {"sent": 0, "retry": 0, "failed": 0, "held": 0}
    settings = get_settings()
    due = (
        await AccountMail.select(
            AccountMail.id,
            AccountMail.kind,
            AccountMail.attempts,
            AccountMail.person.id,
            AccountMail.person.email,
            AccountMail.person.language,
            AccountMail.person.password_hash,
            AccountMail.person.email_confirmed,
        )
        .where(
            # mail held while SMTP was not configured goes out once it is
            AccountMail.status.is_in(["pending", "held"] if settings.smtp.host else ["pending"]),
            AccountMail.next_attempt_at <= now,
        )
        .order_by(AccountMail.next_attempt_at)
        .limit(limit)
    )
    for row in due:
        person = {k.removeprefix("person."): v for k, v in row.items() if k.startswith("person.")}
        subject, text = render(row["kind"], person)
        if not settings.smtp.host:
            if not settings.is_production:
                log.info("mail held (no SMTP_HOST) to %s: %s\n%s", person["email"], subject, text)
            await _mark(row["id"], status="held", last_error="SMTP is not configured (SMTP_HOST).")
            counts["held"] += 1
            continue
        try:
            await send(mime(person["email"], subject, text))
        except Exception as error:  # any SMTP or network failure: retry later
            attempts = row["attempts"] + 1
            retry_at = rules.next_attempt(attempts, now)
            await _mark(
                row["id"],
                status="pending" if retry_at else "failed",
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=retry_at or now,
            )
            counts["retry" if retry_at else "failed"] += 1
            continue
        await _mark(row["id"], status="sent", attempts=row["attempts"] + 1, sent_at=now)
        counts["sent"] += 1
    return counts


async def _mark(mail_id: int, **values: object) -> None:
    await AccountMail.update({getattr(AccountMail, k): v for k, v in values.items()}).where(
        AccountMail.id == mail_id
    )
