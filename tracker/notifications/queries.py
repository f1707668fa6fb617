"""The notification area's statements (tracker.sql): each filters every tenant table by
``:org``, bound by the scope that runs it."""

from __future__ import annotations

from tracker.notifications.rules import PAGE_SIZE
from tracker.sql import Statement, Unscoped

# The members of the organisation among some people, with their choice for a kind.
RECIPIENTS = Statement(
    "SELECT m.person, p.email, p.language, np.channel FROM membership m "
    "JOIN person p ON p.id = m.person "
    "LEFT JOIN notification_preference np ON np.org = :org AND np.person = m.person "
    "AND np.kind = :kind WHERE m.org = :org AND m.person IN (:people) ORDER BY m.person"
)
INSERT = Statement(
    "INSERT INTO notification (org, person, kind, subject_kind, subject_id, title, detail, "
    "url, actor, key, channel, created_at, read_at) VALUES (:org, :person, :kind, "
    ":subject_kind, :subject_id, :title, :detail, :url, :actor, :key, :channel, :at, NULL) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
QUEUE_MAIL = Statement(
    "INSERT INTO email_message (org, person, key, kind, to_email, subject, body_text, "
    "body_html, status, attempts, last_error, next_attempt_at, claimed_at, sent_at, "
    "created_at) VALUES (:org, :person, :key, 'notification', :to_email, :subject, :body, '', "
    "'pending', 0, '', :at, NULL, NULL, :at) ON CONFLICT DO NOTHING"
)
CHOICE = Statement(
    "SELECT channel FROM notification_preference WHERE org = :org AND person = :person "
    "AND kind = :kind"
)
CHOICES = Statement(
    "SELECT kind, channel FROM notification_preference WHERE org = :org AND person = :person"
)
UPDATE_CHOICE = Statement(
    "UPDATE notification_preference SET channel = :channel, saved_at = :at "
    "WHERE org = :org AND person = :person AND kind = :kind RETURNING id"
)
INSERT_CHOICE = Statement(
    "INSERT INTO notification_preference (org, person, kind, channel, saved_at) "
    "VALUES (:org, :person, :kind, :channel, :at) ON CONFLICT DO NOTHING"
)
PAGE = Statement(
    'SELECT n.*, a.name AS "actor.name", p.timezone AS "person.timezone" '
    "FROM notification n JOIN person p ON p.id = n.person "
    "LEFT JOIN person a ON a.id = n.actor "
    "WHERE n.org = :org AND n.person = :person [AND n.id < :before] "
    f"ORDER BY n.id DESC LIMIT {PAGE_SIZE + 1}"
)
MARK_READ = Statement(
    "UPDATE notification SET read_at = :at WHERE org = :org AND person = :person "
    "[AND id = :notification] AND read_at IS NULL RETURNING id"
)
TARGET = Statement(
    "SELECT url FROM notification WHERE org = :org AND person = :person AND id = :notification"
)
UNREAD = Statement(
    "SELECT COUNT(*) AS n FROM notification WHERE org = :org AND person = :person "
    "AND read_at IS NULL"
)
TIMEZONE = Unscoped(
    "SELECT timezone FROM person WHERE id = :person",
    reason="a person's own time zone, the same in every organisation",
)
# The demo's made history: its notifications date from their steps and are read, except
# what waits for people now (tracker/demo.py).
DEMO_DATES = Statement(
    "UPDATE notification SET created_at = COALESCE(CASE WHEN kind = 'review_decided' "
    "THEN (SELECT d.decided_at FROM gate_decision d WHERE d.org = :org "
    "AND d.review = notification.subject_id) "
    "ELSE (SELECT r.requested_at FROM gate_review r WHERE r.org = :org "
    "AND r.id = notification.subject_id) "
    "END, created_at) WHERE org = :org AND subject_kind = 'review'"
)
DEMO_READ = Statement(
    "UPDATE notification SET read_at = created_at WHERE org = :org AND NOT ("
    "subject_kind = 'review' AND subject_id IN ("
    "SELECT g.id FROM gate_review g WHERE g.org = :org AND g.status <> 'decided'))"
)
# The organisation's admins, each with the name of a newcomer (an invitation accepted).
ADMINS_WITH_NEWCOMER = Statement(
    "SELECT m.person, p.name FROM membership m JOIN person p ON p.id = :newcomer "
    "WHERE m.org = :org AND m.role = 'admin'"
)
