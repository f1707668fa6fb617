"""The digests' statements (tracker.sql)."""

from __future__ import annotations

from tracker.sql import Statement

# "Also for you": the notifications people chose to receive in the digest, in the period,
# except the kinds the digest shows in sections of their own.
NOTIFICATIONS_FOR_DIGEST = Statement(
    "SELECT person, kind, title, detail, url FROM notification WHERE org = :org "
    "AND channel = 'digest' AND created_at >= :start AND created_at < :end "
    "AND kind NOT IN (:in_sections) ORDER BY id"
)
