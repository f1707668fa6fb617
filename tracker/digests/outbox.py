"""Putting one message in the outbox (the mailer sends it, retries it, or holds it without
SMTP; admins of the organisation see it under Settings › Digests and deliveries)."""

from __future__ import annotations

from tracker.db import is_unique_violation, write_transaction
from tracker.digests.tables import EmailMessage
from tracker.tenancy import TenantScope

# Kinds whose body holds a secret link: the body is blanked once the message is sent.
SECRET_KINDS = frozenset({"password_reset", "email_confirm"})
SENT_SECRET_BODY = "(The link in this message is not kept after sending.)"


async def queue_mail(
    org_id: int,
    person_id: int | None,
    key: str,
    kind: str,
    to_email: str,
    subject: str,
    text: str,
) -> bool:
    """Queue a plain-text message once per ``key``; False when that key was queued before."""
    try:
        async with write_transaction():  # a savepoint inside a request's transaction
            await TenantScope(org_id).insert(
                EmailMessage,
                {
                    "person": person_id,
                    "key": key,
                    "kind": kind,
                    "to_email": to_email,
                    "subject": subject[:300],
                    "body_text": text,
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True
