"""What newer areas do when accounts change (see tracker/hooks.py; wired in
tracker/wiring.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tracker.hooks import Hook

# A new organisation was just made (in the same transaction): its shipped defaults, such as
# the gate checklists and decision rule (tracker.gates.settings_service.ensure_defaults).
NEW_ORGANISATION: Hook[Callable[[int], Awaitable[None]]] = Hook("accounts.NEW_ORGANISATION")

# One message into an organisation's outbox, once per key (tracker.digests.outbox.queue_mail:
# org, person, key, kind, to, subject, text); False when the key was queued before.
QUEUE_MAIL: Hook[Callable[[int, int | None, str, str, str, str, str], Awaitable[bool]]] = Hook(
    "accounts.QUEUE_MAIL"
)
# "Your settings": each organisation of the person with its digest schedule and the person's
# choice (tracker.digests.service.account_rows).
DIGEST_ROWS: Hook[Callable[[int], Awaitable[list[dict[str, Any]]]]] = Hook("accounts.DIGEST_ROWS")
# An invitation was accepted (in the same transaction): the organisation's admins are told
# (tracker.notifications.service.invitation_accepted: the invitation row, the newcomer).
INVITATION_ACCEPTED: Hook[Callable[[dict[str, Any], int], Awaitable[None]]] = Hook(
    "accounts.INVITATION_ACCEPTED"
)
