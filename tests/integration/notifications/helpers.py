"""Helpers for notification tests: read what a person was told, and what was mailed."""

from __future__ import annotations

from tracker.digests.tables import EmailMessage
from tracker.notifications.tables import Notification, NotificationPreference


async def told(person_id: int, kind: str, subject_id: int | None = None) -> list[dict]:
    query = Notification.select().where(Notification.person == person_id, Notification.kind == kind)
    if subject_id is not None:
        query = query.where(Notification.subject_id == subject_id)
    return await query.order_by(Notification.id)


async def mails_for(notifications: list[dict]) -> list[dict]:
    keys = [f"notification:{n['org']}:{n['id']}" for n in notifications]
    if not keys:
        return []
    return await EmailMessage.select().where(EmailMessage.key.is_in(keys))


async def choose(org_id: int, person_id: int, kind: str, channel: str) -> None:
    await NotificationPreference.delete().where(
        NotificationPreference.org == org_id,
        NotificationPreference.person == person_id,
        NotificationPreference.kind == kind,
    )
    await NotificationPreference.insert(
        NotificationPreference(org=org_id, person=person_id, kind=kind, channel=channel)
    )


async def forget_choice(org_id: int, person_id: int, kind: str) -> None:
    await NotificationPreference.delete().where(
        NotificationPreference.org == org_id,
        NotificationPreference.person == person_id,
        NotificationPreference.kind == kind,
    )
