"""A person's own settings: name, language, time zone, and a change of e-mail address that
takes effect when the new address confirms (the old one keeps working until then and is told).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from tracker.accounts import rules
from tracker.accounts.hooks import QUEUE_MAIL
from tracker.accounts.mail import notify
from tracker.accounts.recovery import home_org, local_time
from tracker.accounts.recovery_tables import EmailChange
from tracker.accounts.rules import is_valid_email, normalise_email
from tracker.accounts.tables import Person
from tracker.auth import CurrentPerson, token_hash, verify_password
from tracker.db import is_unique_violation, tenant_transaction, write_transaction
from tracker.i18n import LANGUAGES, get_language, language
from tracker.i18n import gettext as _
from tracker.settings import get_settings
from tracker.values import Checks, Submitted


async def person_row(person_id: int) -> dict[str, Any]:
    row = (
        await Person.select(Person.id, Person.name, Person.email, Person.language, Person.timezone)
        .where(Person.id == person_id)
        .first()
    )
    assert row is not None  # the signed-in person exists
    return row


async def save_profile(person_id: int, values: Submitted) -> None:
    """Name, language and time zone (``Invalid`` when one is refused)."""
    checks = Checks(values)
    name = checks.require("name", _("Enter your name."), 120)
    lang = checks.get("language")
    if lang not in LANGUAGES:
        checks.error("language", _("Choose a language."))
    zone = checks.get("timezone")
    if zone and zone not in available_timezones():
        checks.error("timezone", _("Choose a time zone such as Asia/Shanghai."))
    checks.done()
    await Person.update(
        {Person.name: name, Person.language: lang, Person.timezone: zone or None}
    ).where(Person.id == person_id)


async def pending_email_change(person_id: int) -> dict[str, Any] | None:
    return (
        await EmailChange.select(EmailChange.new_email, EmailChange.expires_at)
        .where(
            EmailChange.person == person_id,
            EmailChange.confirmed_at.is_null(),
            EmailChange.expires_at > datetime.now(UTC),
        )
        .order_by(EmailChange.id, ascending=False)
        .first()
    )


async def request_email_change(person: CurrentPerson, values: Submitted) -> str:
    """Check the new address and the password, then mail a confirmation link to the new
    address and a notice to the current one; returns the new address as kept (``Invalid``
    when refused)."""
    checks = Checks(values)
    new_email = checks.keep("new_email", normalise_email(checks.get("new_email")))
    if not is_valid_email(new_email):
        checks.error("new_email", _("Enter a valid e-mail address."))
    elif new_email == person.email:
        checks.error("new_email", _("This is already your e-mail address."))
    row = await Person.select(Person.password_hash).where(Person.id == person.id).first()
    if not await verify_password(row["password_hash"] if row else None, checks.get("password")):
        checks.error("password", _("This is not your current password."))
    if checks.ok and await Person.exists().where(Person.email == new_email):
        checks.error("new_email", _("Another account uses this e-mail address."))
    org = await home_org(person.id)
    if checks.ok and org is None:
        checks.error("new_email", _("Join or create an organisation first: its outbox sends mail."))
    checks.done()
    assert org is not None  # refused above otherwise
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(seconds=rules.EMAIL_CHANGE_LINK_SECONDS)
    timezone = (await person_row(person.id))["timezone"]
    change_id = (
        await EmailChange.insert(
            EmailChange(
                person=person.id,
                new_email=new_email,
                token_hash=token_hash(token),
                expires_at=expires,
            )
        )
    )[0]["id"]
    link = f"{get_settings().base_url}/account/email/{token}"
    with language(person.language or get_language()):
        confirm = (
            _("Confirm your new e-mail address"),
            _(
                "%(name)s, confirm that %(new)s is your new address for the improvement "
                "tracker (the link works once, until %(time)s):\n%(url)s\n\n"
                "Until you confirm, you keep logging in with %(old)s.",
                name=person.name,
                new=new_email,
                old=person.email,
                time=local_time(expires, timezone),
                url=link,
            ),
        )
        notice = (
            _("Your e-mail address is about to change"),
            _(
                "Someone signed in as you asked to use %(new)s instead of %(old)s for the "
                "improvement tracker. Nothing changes until the new address confirms. "
                "If it was not you, change your password now.",
                new=new_email,
                old=person.email,
            ),
        )
    async with tenant_transaction(org, person.id):
        await QUEUE_MAIL.call(
            org, person.id, f"email_confirm:{change_id}", "email_confirm", new_email, *confirm
        )
        await QUEUE_MAIL.call(
            org, person.id, f"email_notice:{change_id}", "email_notice", person.email, *notice
        )
    return new_email


async def email_change_for_token(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    row = (
        await EmailChange.select(
            EmailChange.id,
            EmailChange.person,
            EmailChange.new_email,
            EmailChange.expires_at,
            EmailChange.confirmed_at,
            EmailChange.person.email,
        )
        .where(EmailChange.token_hash == token_hash(token))
        .first()
    )
    now = datetime.now(UTC).timestamp()
    if row is None or not rules.link_usable(
        row["expires_at"].timestamp(), bool(row["confirmed_at"]), now
    ):
        return None
    return row


async def confirm_email_change(change: dict[str, Any]) -> str | None:
    """Make the new address the person's; an error message when it cannot be (any more)."""
    try:
        async with write_transaction():
            claimed = (
                await EmailChange.update({EmailChange.confirmed_at: datetime.now(UTC)})
                .where(EmailChange.id == change["id"], EmailChange.confirmed_at.is_null())
                .returning(EmailChange.id)
            )
            if not claimed:
                return _("This link is not valid any more.")
            await Person.update({Person.email: change["new_email"]}).where(
                Person.id == change["person"]
            )
            # any other pending change of this person stops working
            await EmailChange.delete().where(
                EmailChange.person == change["person"], EmailChange.confirmed_at.is_null()
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        return _("Another account uses this e-mail address.")
    await notify(change["person"], "email_changed", to_email=change["person.email"])
    return None
