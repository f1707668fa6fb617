"""Accounts and tenancy: sign-up, log-in with throttling, organisations, members, invitations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tracker.accounts.hooks import INVITATION_ACCEPTED, NEW_ORGANISATION
from tracker.accounts.links import invitation_token
from tracker.accounts.mail import hour_key, notify
from tracker.accounts.mail import queue as queue_mail
from tracker.accounts.queries import MEMBERSHIPS_OF_PERSON
from tracker.accounts.rules import (
    Role,
    is_reserved_slug,
    is_valid_email,
    is_valid_slug,
    normalise_email,
    password_problems,
    slugify,
)
from tracker.accounts.tables import (
    Invitation,
    Membership,
    Organisation,
    Person,
    Session,
)
from tracker.auth import hash_password, token_hash, verify_password
from tracker.db import is_unique_violation, set_local, write_transaction
from tracker.i18n import get_language
from tracker.i18n import gettext as _
from tracker.settings import get_settings
from tracker.sql import fetch_unscoped
from tracker.tenancy import Membership as MembershipView
from tracker.values import Checks, Submitted

INVITATION_DAYS = 14


async def memberships_of(person_id: int) -> list[MembershipView]:
    rows = await fetch_unscoped(MEMBERSHIPS_OF_PERSON, person=person_id)
    return [
        MembershipView(
            r["id"], r["slug"], r["name"], r["role"], r["require_2fa"], int(r["unread"] or 0)
        )
        for r in rows
    ]


def check_password(checks: Checks, field: str, email: str, name: str = "") -> str:
    """The password rule (``rules.password_problems``) with its reasons beside the field."""
    password = checks.get(field)
    problems = password_problems(password, email, name)
    if problems:
        checks.error(field, " ".join(_(p) for p in problems))
    return password


def check_org(checks: Checks) -> tuple[str, str]:
    name = checks.require("org_name", _("Name the organisation."), 200)
    slug = checks.get("org_slug") or slugify(name)
    if not checks.get("org_slug") and name and not slug:
        slug = "org-" + secrets.token_hex(3)
    if is_reserved_slug(slug):
        checks.error("org_slug", _("This address is reserved by the application; choose another."))
    elif not is_valid_slug(slug):
        checks.error(
            "org_slug",
            _("Use 1–60 lower-case letters, digits and hyphens (not at the start or end)."),
        )
    checks.keep("org_slug", slug)
    return name, slug


async def slug_taken(slug: str) -> bool:
    return await Organisation.exists().where(Organisation.slug == slug)


async def signup(values: Submitted) -> str:
    """Sign up: a new person (unconfirmed), their organisation and admin membership, and a
    mail with the confirmation link. An address that already has an account gets a mail
    saying so instead, and the answer is the same (no one learns which addresses exist).
    Returns the address the mail goes to; ``Invalid`` when the form is not."""
    checks = Checks(values)
    name = checks.require("name", _("Enter your name."), 120)
    email = checks.keep("email", normalise_email(checks.get("email")))
    if not is_valid_email(email):
        checks.error("email", _("Enter a valid e-mail address."))
    password = check_password(checks, "password", email, name)
    org_name, slug = check_org(checks)
    if checks.ok and await slug_taken(slug):
        checks.error("org_slug", _("This address is taken; choose another."))
    checks.done()
    password_hash = await hash_password(password)  # the same work either way
    existing = await Person.select(Person.id).where(Person.email == email).first()
    if existing is not None:
        await queue_mail(existing["id"], "signup_attempt", f"signup:{existing['id']}:{hour_key()}")
        return email
    try:
        async with write_transaction():
            person = (
                await Person.insert(
                    # the language the person reads the app in: every mail to them uses it
                    Person(
                        email=email,
                        name=name,
                        password_hash=password_hash,
                        email_confirmed=False,
                        language=get_language(),  # the confirmation mail's language
                    )
                )
            )[0]["id"]
            org = (
                await Organisation.insert(
                    Organisation(name=org_name, slug=slug, language=get_language())
                )
            )[0]["id"]
            await set_local("app.tenant_id", str(org))
            await Membership.insert(Membership(org=org, person=person, role=Role.ADMIN))
            await NEW_ORGANISATION.call(org)  # the gates' defaults
    except Exception as error:
        if not is_unique_violation(error):
            raise
        if await Person.exists().where(Person.email == email):
            return email  # signed up at the same moment: that owner has the confirmation mail
        checks.error("org_slug", _("This address is taken; choose another."))
        checks.done()
    await queue_mail(person, "confirm", f"confirm:{person}:{hour_key()}")
    return email


async def create_org(person_id: int, values: Submitted) -> str:
    """A new organisation with the person as its admin; returns its address (``Invalid``
    when the form is not valid or the address is taken)."""
    checks = Checks(values)
    org_name, slug = check_org(checks)
    if checks.ok and await slug_taken(slug):
        checks.error("org_slug", _("This address is taken; choose another."))
    checks.done()
    try:
        async with write_transaction():
            org = (
                await Organisation.insert(
                    Organisation(name=org_name, slug=slug, language=get_language())
                )
            )[0]["id"]
            await set_local("app.tenant_id", str(org))
            await Membership.insert(Membership(org=org, person=person_id, role=Role.ADMIN))
            await NEW_ORGANISATION.call(org)  # the gates' defaults
    except Exception as error:
        if not is_unique_violation(error):
            raise
        checks.error("org_slug", _("This address is taken; choose another."))
        checks.done()
    return slug


async def change_password(person_id: int, email: str, values: Submitted, keep_session: str) -> None:
    """A new password (``Invalid`` when the current one is wrong or the new one refused);
    every other session of the person ends."""
    checks = Checks(values)
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    if not await verify_password(row["password_hash"] if row else None, checks.get("current")):
        checks.error("current", _("This is not your current password."))
    name = await Person.select(Person.name).where(Person.id == person_id).first()
    password = check_password(checks, "new", email, name["name"] if name else "")
    if checks.get("new") != checks.get("confirm"):
        checks.error("confirm", _("The two new passwords differ."))
    checks.done()
    await Person.update({Person.password_hash: await hash_password(password)}).where(
        Person.id == person_id
    )
    # Every other session of this person ends: a changed password locks out old devices.
    await Session.delete().where(
        Session.person == person_id, Session.token_hash != token_hash(keep_session)
    )
    await notify(person_id, "password_changed")


async def person_email(person_id: int) -> str:
    row = await Person.select(Person.email).where(Person.id == person_id).first()
    return row["email"] if row else ""


async def set_language(person_id: int, lang: str) -> None:
    await Person.update({Person.language: lang}).where(Person.id == person_id)


async def remember_language(person_id: int, lang: str) -> None:
    """Keep the language a person reads the app in, unless they have one already (people
    from before languages were remembered at sign-up)."""
    await Person.update({Person.language: lang}).where(
        Person.id == person_id, Person.language.is_null()
    )


# --- members and invitations (always within one organisation) ---


async def members(org_id: int) -> list[dict[str, Any]]:
    return (
        await Membership.select(
            Membership.id,
            Membership.role,
            Membership.person.name,
            Membership.person.email,
            Membership.person.id,
            Membership.created_at,
        )
        .where(Membership.org == org_id)
        .order_by(Membership.person.name)
    )


async def pending_invitations(org_id: int) -> list[dict[str, Any]]:
    return (
        await Invitation.select(
            Invitation.id,
            Invitation.email,
            Invitation.role,
            Invitation.created_at,
            Invitation.expires_at,
            Invitation.invited_by.name,
        )
        .where(
            Invitation.org == org_id,
            Invitation.accepted_at.is_null(),
            Invitation.revoked_at.is_null(),
            Invitation.expires_at > datetime.now(UTC),
        )
        .order_by(Invitation.created_at, ascending=False)
    )


@dataclass(frozen=True)
class Invited:
    token: str  # the secret of the link (shown once)
    email: str  # the address invited, as kept


async def invite(org_id: int, invited_by: int, values: Submitted) -> Invited:
    """Create an invitation (``Invalid`` for an address or role refused)."""
    checks = Checks(values)
    email = checks.keep("email", normalise_email(checks.get("email")))
    if not is_valid_email(email):
        checks.error("email", _("Enter a valid e-mail address."))
    role = checks.get("role")
    if role not in {r.value for r in Role}:
        checks.error("role", _("Choose a role."))
    if checks.ok and await Membership.exists().where(
        Membership.org == org_id, Membership.person.email == email
    ):
        checks.error("email", _("This person is already a member."))
    checks.done()
    link_key = secrets.token_urlsafe(24)
    token = invitation_token(link_key)
    await Invitation.insert(
        Invitation(
            org=org_id,
            email=email,
            role=role,
            token_hash=token_hash(token),
            link_key=link_key,
            invited_by=invited_by,
            expires_at=datetime.now(UTC) + timedelta(days=INVITATION_DAYS),
        )
    )
    return Invited(token, email)


async def renew_invitation_link(org_id: int, invitation_id: int) -> dict[str, Any] | None:
    """A new link for an open invitation (the old one stops working), for sending it again."""
    link_key = secrets.token_urlsafe(24)
    rows = (
        await Invitation.update(
            {
                Invitation.link_key: link_key,
                Invitation.token_hash: token_hash(invitation_token(link_key)),
                Invitation.expires_at: datetime.now(UTC) + timedelta(days=INVITATION_DAYS),
            }
        )
        .where(
            Invitation.org == org_id,
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_null(),
            Invitation.revoked_at.is_null(),
        )
        .returning(Invitation.id, Invitation.email)
    )
    return rows[0] if rows else None


async def invitation_link(invitation_id: int) -> str | None:
    """The link of an open invitation, made from its key (for the mail, when it is sent)."""
    row = (
        await Invitation.select(Invitation.link_key)
        .where(
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_null(),
            Invitation.revoked_at.is_null(),
            Invitation.expires_at > datetime.now(UTC),
        )
        .first()
    )
    if row is None or not row["link_key"]:
        return None
    return f"{get_settings().base_url}/invite/{invitation_token(row['link_key'])}"


async def revoke_invitation(org_id: int, invitation_id: int) -> bool:
    rows = (
        await Invitation.update({Invitation.revoked_at: datetime.now(UTC)})
        .where(
            Invitation.org == org_id,
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_null(),
        )
        .returning(Invitation.id)
    )
    return bool(rows)


async def invitation_for_token(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    await set_local("app.invitation", token_hash(token))  # the wall lets this one row through
    row = (
        await Invitation.select(
            Invitation.id,
            Invitation.email,
            Invitation.role,
            Invitation.org.id,
            Invitation.org.name,
            Invitation.org.slug,
            Invitation.expires_at,
            Invitation.accepted_at,
            Invitation.revoked_at,
            Invitation.invited_by.name,
        )
        .where(Invitation.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["revoked_at"] or row["accepted_at"]:
        return None
    if row["expires_at"] < datetime.now(UTC):
        return None
    await set_local("app.tenant_id", str(row["org.id"]))
    return row


async def accept_invitation(invitation: dict[str, Any], person_id: int) -> None:
    async with write_transaction():
        claimed = (
            await Invitation.update({Invitation.accepted_at: datetime.now(UTC)})
            .where(Invitation.id == invitation["id"], Invitation.accepted_at.is_null())
            .returning(Invitation.id)
        )
        if not claimed:
            return
        exists = await Membership.exists().where(
            Membership.org == invitation["org.id"], Membership.person == person_id
        )
        if not exists:
            await Membership.insert(
                Membership(org=invitation["org.id"], person=person_id, role=invitation["role"])
            )
        await INVITATION_ACCEPTED.call(invitation, person_id)  # the admins are told


async def create_invited_person(invitation: dict[str, Any], values: Submitted) -> int:
    """The account of someone invited who has none yet (``Invalid`` when refused)."""
    checks = Checks(values)
    name = checks.require("name", _("Enter your name."), 120)
    password = check_password(checks, "password", invitation["email"], name)
    if checks.ok and await Person.exists().where(Person.email == invitation["email"]):
        checks.error("name", _("This e-mail address already has an account. Log in instead."))
    checks.done()
    rows = await Person.insert(
        Person(
            email=invitation["email"],
            name=name,
            password_hash=await hash_password(password),
            language=get_language(),  # as at sign-up: mail to them follows it
        )
    )
    return int(rows[0]["id"])


async def admin_count(org_id: int) -> int:
    return await Membership.count().where(Membership.org == org_id, Membership.role == Role.ADMIN)


async def change_role(org_id: int, membership_id: int, role: str) -> str | None:
    """Change a member's role; returns an error message, or None when done."""
    if role not in {r.value for r in Role}:
        return _("Choose a role.")
    async with write_transaction():
        row = (
            await Membership.select(Membership.role)
            .where(Membership.org == org_id, Membership.id == membership_id)
            .first()
        )
        if row is None:
            return "missing"
        if row["role"] == Role.ADMIN and role != Role.ADMIN and await admin_count(org_id) <= 1:
            return _("An organisation needs at least one admin.")
        await Membership.update({Membership.role: role}).where(
            Membership.org == org_id, Membership.id == membership_id
        )
    return None


async def remove_member(org_id: int, membership_id: int) -> str | None:
    async with write_transaction():
        row = (
            await Membership.select(Membership.role)
            .where(Membership.org == org_id, Membership.id == membership_id)
            .first()
        )
        if row is None:
            return "missing"
        if row["role"] == Role.ADMIN and await admin_count(org_id) <= 1:
            return _("An organisation needs at least one admin.")
        await Membership.delete().where(Membership.org == org_id, Membership.id == membership_id)
    return None
