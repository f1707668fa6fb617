"""Mail about a person's own account: confirming the address, a sign-up tried with an address
that already has an account, the link that unlocks log-in from a browser during an attack, and
a notice after each change of how they log in (ASVS 2.2.3, 2.5.5): the password (signed in or
by a reset link), two-factor log-in on or off, new recovery codes, the e-mail address (told to
the old address).

The outbox row holds only what the mail is and for whom; its text and link are made when it is
sent (in the person's language), so no working link sits in the database. Without SMTP the
mail is held; in development its text goes to the log so a developer can follow the link.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from zoneinfo import ZoneInfo

import aiosmtplib

from tracker.accounts import links, rules
from tracker.accounts.tables import AccountMail
from tracker.db import is_unique_violation
from tracker.i18n import gettext as _
from tracker.i18n import language
from tracker.settings import get_settings

log = logging.getLogger("tracker.mail")

CONFIRM_SECONDS = 3 * 86400
UNLOCK_SECONDS = 3600


# the notices after a change of how a person logs in; each change queues one
NOTICES = (
    "password_changed",
    "password_reset_done",
    "two_factor_on",
    "two_factor_off",
    "recovery_codes",
    "email_changed",
)


async def queue(person_id: int, kind: str, key: str, to_email: str | None = None) -> bool:
    """Queue one mail; False when one with the same key exists (sent once per key). It goes to
    ``to_email`` when given, else to the person's address when it is sent."""
    try:
        await AccountMail.insert(
            AccountMail(person=person_id, kind=kind, key=key, to_email=to_email)
        )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return False
    return True


async def notify(person_id: int, kind: str, to_email: str | None = None) -> None:
    """Queue the notice of one change (a kind of ``NOTICES``): one mail per change."""
    assert kind in NOTICES
    await queue(person_id, kind, f"{kind}:{person_id}:{secrets.token_hex(8)}", to_email)


def local_time(moment: datetime, timezone: str | None) -> str:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def hour_key() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H")


def confirm_link(person: dict) -> str:
    token = links.sign("confirm", person["id"], person["email"], CONFIRM_SECONDS)
    return f"{get_settings().base_url}/confirm/{token}"


def unlock_link(person: dict) -> str:
    token = links.sign("unlock", person["id"], person["password_hash"], UNLOCK_SECONDS)
    return f"{get_settings().base_url}/unlock/{token}"


def render(kind: str, person: dict, at: datetime | None = None) -> tuple[str, str]:
    """Subject and text of a mail, in the person's language, with a fresh link."""
    base = get_settings().base_url
    with language(person["language"] or "en"):
        if kind in NOTICES:
            return notice(kind, person, at or datetime.now(UTC))
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


def notice(kind: str, person: dict, at: datetime) -> tuple[str, str]:
    """A notice of a change of how the person logs in (in the language already chosen)."""
    email, time = person["email"], local_time(at, person.get("timezone"))
    forgot = f"{get_settings().base_url}/password/forgot"
    if kind == "password_reset_done":
        return _("Your password was changed"), _(
            "The password of %(email)s was set through a reset link at %(time)s, and every "
            "session of the account was ended. If it was not you, ask for a new link at "
            "%(url)s and tell your organisation's admin.",
            email=email,
            time=time,
            url=forgot,
        )
    if kind == "email_changed":
        return _("Your e-mail address was changed"), _(
            "The improvement tracker account that used this address now uses %(new)s "
            "(changed at %(time)s); mail about it goes there from now on. If it was not you, "
            "tell your organisation's admin at once.",
            new=email,
            time=time,
        )
    subject, what = {
        "password_changed": (
            _("Your password was changed"),
            _("The password of %(email)s was changed at %(time)s.", email=email, time=time),
        ),
        "two_factor_on": (
            _("Two-factor log-in is on"),
            _(
                "Two-factor log-in was turned on for %(email)s at %(time)s: log-in asks for "
                "a code from your app from now on.",
                email=email,
                time=time,
            ),
        ),
        "two_factor_off": (
            _("Two-factor log-in is off"),
            _(
                "Two-factor log-in was turned off for %(email)s at %(time)s: log-in asks "
                "only for the password now.",
                email=email,
                time=time,
            ),
        ),
        "recovery_codes": (
            _("New recovery codes"),
            _(
                "New recovery codes were made for %(email)s at %(time)s; the old ones no "
                "longer work.",
                email=email,
                time=time,
            ),
        ),
    }[kind]
    return subject, what + "\n\n" + _(
        "If it was not you, someone knows your password: set a new one at %(url)s, check "
        "Account › Security and tell your organisation's admin.",
        url=forgot,
    )


def mime(to: str, subject: str, text: str) -> MimeMessage:
    mail = MimeMessage()
    mail["From"] = get_settings().smtp.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(text)
    return mail


async def send(mail: MimeMessage) -> None:
    """One message over SMTP (the account mail and the organisations' outboxes)."""
    smtp = get_settings().smtp
    await aiosmtplib.send(
        mail,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password,
        start_tls=smtp.use_tls or None,
        timeout=30,
    )


async def deliver_account_mail(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """One sweep of the account outbox; returns counts by outcome."""
    now = now or datetime.now(UTC)
    counts = {"sent": 0, "retry": 0, "failed": 0, "held": 0}
    settings = get_settings()
    due = (
        await AccountMail.select(
            AccountMail.id,
            AccountMail.kind,
            AccountMail.attempts,
            AccountMail.to_email,
            AccountMail.created_at,
            AccountMail.person.id,
            AccountMail.person.email,
            AccountMail.person.language,
            AccountMail.person.password_hash,
            AccountMail.person.email_confirmed,
            AccountMail.person.timezone,
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
        subject, text = render(row["kind"], person, row["created_at"])
        to = row["to_email"] or person["email"]
        if not settings.smtp.host:
            if not settings.is_production:
                log.info("mail held (no SMTP_HOST) to %s: %s\n%s", to, subject, text)
            await _mark(row["id"], status="held", last_error="SMTP is not configured (SMTP_HOST).")
            counts["held"] += 1
            continue
        try:
            await send(mime(to, subject, text))
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
