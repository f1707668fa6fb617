"""Telling people: ``notify`` (called by the services whose changes notify, in the same
transaction as the change), the centre's list, marking read, and the preferences.

Exactly once: a notification is one row per organisation, person and key (a database key);
the insert that finds the key taken does nothing, and only an inserted row queues its e-mail
(in the organisation's outbox, ``email_message``, keyed by the notification) and its live
event. Never another organisation: recipients are filtered to the members of the
organisation the change happened in, and every query names it.

This module imports no other area (the areas that notify import it).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tracker import live
from tracker.i18n import language
from tracker.notifications import queries as q
from tracker.notifications import rules, texts
from tracker.notifications.rules import Channel, Kind
from tracker.settings import get_settings
from tracker.sql import fetch_unscoped
from tracker.tenancy import TenantScope

SETTINGS_PATH = "/account/notifications"
# True while the demo is made through the services: its people get their notifications in
# the app, but no e-mail goes to its made-up addresses.
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("notify_quiet", default=False)


@contextmanager
def without_mail() -> Iterator[None]:
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def settings_url() -> str:
    return get_settings().base_url + SETTINGS_PATH


async def _recipients(org_id: int, people: list[int], kind: str) -> list[dict[str, Any]]:
    """The members of the organisation among ``people``, with their choice for ``kind``."""
    return await TenantScope(org_id).fetch_dicts(q.RECIPIENTS, kind=kind, people=tuple(people))


async def notify(
    scope_or_org: TenantScope | int,
    *,
    kind: str,
    recipients: Iterable[int | None],
    actor_id: int | None,
    subject_kind: str,
    subject_id: int | None,
    url: str,
    key: str,
    title: str = "",
    detail: str = "",
    mail: bool = True,
) -> list[int]:
    """Tell ``recipients`` (never the actor, only members of the organisation, each as they
    chose for ``kind``) that something happened; returns whom it told now.

    ``url`` is a path in the app (``/o/<slug>/…``); ``key`` names the event (the same event
    gives the same key: ``"vote_requested:review:12"``), so calling again tells nobody twice.
    ``mail=False``: the caller e-mails itself (the reminder and KPI alert jobs).
    """
    assert kind in set(rules.KINDS), kind
    org_id = scope_or_org.org_id if isinstance(scope_or_org, TenantScope) else int(scope_or_org)
    people = rules.recipients(recipients, actor_id)
    if not people:
        return []
    told: list[int] = []
    now = datetime.now(UTC)
    for person in await _recipients(org_id, people, kind):
        channel = rules.channel_for(kind, {kind: person["channel"]} if person["channel"] else {})
        if channel == Channel.OFF:
            continue
        inserted = await TenantScope(org_id).fetch(
            q.INSERT,
            person=person["person"],
            kind=kind,
            subject_kind=subject_kind[:30],
            subject_id=subject_id,
            title=title[:300],
            detail=detail[:100],
            url=url[:500],
            actor=actor_id,
            key=key[:200],
            channel=channel.value,
            at=now,
        )
        if not inserted:
            continue  # told before (a double submit, a retried job, another worker)
        told.append(person["person"])
        live.after_commit(live.person_channel(org_id, person["person"]), live.PERSON_EVENT, "new")
        if channel == Channel.IMMEDIATE and mail and not _quiet.get():
            await _queue_mail(org_id, person, inserted[0]["id"], kind, title, detail, url, now)
    return told


async def _queue_mail(
    org_id: int,
    person: dict[str, Any],
    notification_id: int,
    kind: str,
    title: str,
    detail: str,
    url: str,
    now: datetime,
) -> None:
    """The e-mail of one new notification, in the recipient's language, in the outbox of the
    organisation (the mailer adds ``List-Unsubscribe`` for this kind of mail)."""
    row = {"kind": kind, "title": title, "detail": detail}
    with language(person["language"] or "en"):
        subject = texts.headline(row)
        body = texts.mail_text(row, get_settings().base_url + url, settings_url())
    await TenantScope(org_id).fetch(
        q.QUEUE_MAIL,
        person=person["person"],
        key=f"notification:{org_id}:{notification_id}",
        to_email=person["email"],
        subject=subject[:300],
        body=body,
        at=now,
    )
    live.mail_queued()


async def wants_mail(org_id: int, person_id: int, kind: str) -> bool:
    """Whether the person wants ``kind`` e-mailed at once (for jobs that write their own
    mail)."""
    rows = await TenantScope(org_id).fetch(q.CHOICE, person=person_id, kind=kind)
    chosen = {kind: rows[0]["channel"]} if rows else {}
    return rules.channel_for(kind, chosen) == Channel.IMMEDIATE


# --- the centre --------------------------------------------------------------------------


async def page(org_id: int, person_id: int, before: int | None = None) -> list[dict[str, Any]]:
    """The person's notifications, newest first (a page, older than ``before``), with the
    actor's name and the person's time zone."""
    return await TenantScope(org_id).fetch_dicts(q.PAGE, person=person_id, before=before or None)


async def timezone_of(person_id: int) -> str | None:
    rows = await fetch_unscoped(q.TIMEZONE, person=person_id)
    return rows[0]["timezone"] if rows else None


async def mark_read(org_id: int, person_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of the person read; how many changed."""
    changed = await TenantScope(org_id).fetch(
        q.MARK_READ, person=person_id, notification=notification_id, at=datetime.now(UTC)
    )
    if changed:  # the person's other tabs update their bell
        live.after_commit(live.person_channel(org_id, person_id), live.PERSON_EVENT, "read")
    return len(changed)


async def target_of(org_id: int, person_id: int, notification_id: int) -> str | None:
    rows = await TenantScope(org_id).fetch(q.TARGET, person=person_id, notification=notification_id)
    return rows[0]["url"] if rows else None


async def unread_count(org_id: int, person_id: int) -> int:
    rows = await TenantScope(org_id).fetch(q.UNREAD, person=person_id)
    return int(rows[0]["n"])


# --- preferences ------------------------------------------------------------------------


async def choices(org_id: int, person_id: int) -> dict[str, Channel]:
    """Every kind with the person's channel in the organisation (their choice or the
    default)."""
    rows = await TenantScope(org_id).fetch(q.CHOICES, person=person_id)
    chosen = {r["kind"]: r["channel"] for r in rows}
    return {kind.value: rules.channel_for(kind, chosen) for kind in Kind}


async def save_choices(org_id: int, person_id: int, chosen: dict[str, Channel]) -> None:
    now = datetime.now(UTC)
    for kind, channel in chosen.items():
        scope = TenantScope(org_id)
        values = {"person": person_id, "kind": kind, "channel": channel.value, "at": now}
        updated = await scope.fetch(q.UPDATE_CHOICE, **values)
        if not updated:
            await scope.fetch(q.INSERT_CHOICE, **values)


async def settle_demo(org_id: int) -> None:
    """The demo's made history: its notifications date from their steps and are read; what
    waits for people now is not."""
    scope = TenantScope(org_id)
    await scope.fetch(q.DEMO_DATES)
    await scope.fetch(q.DEMO_READ)


async def invitation_accepted(invitation: dict[str, Any], person_id: int) -> None:
    """The organisation's admins learn that the invitation was accepted (in its
    transaction)."""
    org_id = invitation["org.id"]
    rows = await TenantScope(org_id).fetch(q.ADMINS_WITH_NEWCOMER, newcomer=person_id)
    if rows:
        await notify(
            org_id,
            kind=Kind.INVITATION_ACCEPTED,
            recipients=[r["person"] for r in rows],
            actor_id=person_id,
            subject_kind="invitation",
            subject_id=invitation["id"],
            url=f"/o/{invitation['org.slug']}/settings/members",
            key=f"invitation_accepted:invitation:{invitation['id']}",
            title=rows[0]["name"],
        )
