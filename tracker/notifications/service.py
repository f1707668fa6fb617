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
from tracker.db import fetch, fetch_dicts
from tracker.i18n import language
from tracker.notifications import rules, texts
from tracker.notifications.rules import Channel, Kind
from tracker.settings import get_settings
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
    marks = ", ".join("{}" for _ in people)
    return await fetch_dicts(
        "SELECT m.person, p.email, p.language, np.channel FROM membership m "
        "JOIN person p ON p.id = m.person "
        "LEFT JOIN notification_preference np ON np.org = m.org AND np.person = m.person "
        f"AND np.kind = {{}} WHERE m.org = {{}} AND m.person IN ({marks}) ORDER BY m.person",
        kind,
        org_id,
        *people,
    )


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
        inserted = await fetch(
            "INSERT INTO notification (org, person, kind, subject_kind, subject_id, title, "
            "detail, url, actor, key, channel, created_at, read_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL) "
            "ON CONFLICT DO NOTHING RETURNING id",
            org_id,
            person["person"],
            kind,
            subject_kind[:30],
            subject_id,
            title[:300],
            detail[:100],
            url[:500],
            actor_id,
            key[:200],
            channel.value,
            now,
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
    await fetch(
        "INSERT INTO email_message (org, person, key, kind, to_email, subject, body_text, "
        "body_html, status, attempts, last_error, next_attempt_at, claimed_at, sent_at, "
        "created_at) VALUES ({}, {}, {}, 'notification', {}, {}, {}, '', 'pending', 0, '', "
        "{}, NULL, NULL, {}) ON CONFLICT DO NOTHING",
        org_id,
        person["person"],
        f"notification:{org_id}:{notification_id}",
        person["email"],
        subject[:300],
        body,
        now,
        now,
    )
    live.mail_queued()


async def wants_mail(org_id: int, person_id: int, kind: str) -> bool:
    """Whether the person wants ``kind`` e-mailed at once (for jobs that write their own
    mail)."""
    rows = await fetch(
        "SELECT channel FROM notification_preference WHERE org = {} AND person = {} AND kind = {}",
        org_id,
        person_id,
        kind,
    )
    chosen = {kind: rows[0]["channel"]} if rows else {}
    return rules.channel_for(kind, chosen) == Channel.IMMEDIATE


# --- the centre --------------------------------------------------------------------------


async def page(org_id: int, person_id: int, before: int | None = None) -> list[dict[str, Any]]:
    """The person's notifications, newest first (a page, older than ``before``), with the
    actor's name and the person's time zone."""
    older = "AND n.id < {} " if before else ""
    values: list[Any] = [org_id, person_id] + ([before] if before else [])
    return await fetch_dicts(
        'SELECT n.*, a.name AS "actor.name", p.timezone AS "person.timezone" '
        "FROM notification n JOIN person p ON p.id = n.person "
        "LEFT JOIN person a ON a.id = n.actor "
        f"WHERE n.org = {{}} AND n.person = {{}} {older}"
        f"ORDER BY n.id DESC LIMIT {rules.PAGE_SIZE + 1}",
        *values,
    )


async def timezone_of(person_id: int) -> str | None:
    rows = await fetch("SELECT timezone FROM person WHERE id = {}", person_id)
    return rows[0]["timezone"] if rows else None


async def mark_read(org_id: int, person_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of the person read; how many changed."""
    one = "AND id = {} " if notification_id is not None else ""
    values: list[Any] = [datetime.now(UTC), org_id, person_id]
    if notification_id is not None:
        values.append(notification_id)
    changed = await fetch(
        "UPDATE notification SET read_at = {} WHERE org = {} AND person = {} "
        f"{one}AND read_at IS NULL RETURNING id",
        *values,
    )
    if changed:  # the person's other tabs update their bell
        live.after_commit(live.person_channel(org_id, person_id), live.PERSON_EVENT, "read")
    return len(changed)


async def target_of(org_id: int, person_id: int, notification_id: int) -> str | None:
    rows = await fetch(
        "SELECT url FROM notification WHERE org = {} AND person = {} AND id = {}",
        org_id,
        person_id,
        notification_id,
    )
    return rows[0]["url"] if rows else None


async def unread_count(org_id: int, person_id: int) -> int:
    rows = await fetch(
        "SELECT COUNT(*) AS n FROM notification WHERE org = {} AND person = {} AND read_at IS NULL",
        org_id,
        person_id,
    )
    return int(rows[0]["n"])


# --- preferences ------------------------------------------------------------------------


async def choices(org_id: int, person_id: int) -> dict[str, Channel]:
    """Every kind with the person's channel in the organisation (their choice or the
    default)."""
    rows = await fetch(
        "SELECT kind, channel FROM notification_preference WHERE org = {} AND person = {}",
        org_id,
        person_id,
    )
    chosen = {r["kind"]: r["channel"] for r in rows}
    return {kind.value: rules.channel_for(kind, chosen) for kind in Kind}


async def save_choices(org_id: int, person_id: int, chosen: dict[str, Channel]) -> None:
    now = datetime.now(UTC)
    for kind, channel in chosen.items():
        updated = await fetch(
            "UPDATE notification_preference SET channel = {}, saved_at = {} "
            "WHERE org = {} AND person = {} AND kind = {} RETURNING id",
            channel.value,
            now,
            org_id,
            person_id,
            kind,
        )
        if not updated:
            await fetch(
                "INSERT INTO notification_preference (org, person, kind, channel, saved_at) "
                "VALUES ({}, {}, {}, {}, {}) ON CONFLICT DO NOTHING",
                org_id,
                person_id,
                kind,
                channel.value,
                now,
            )
