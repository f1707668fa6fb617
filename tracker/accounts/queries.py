"""The accounts' hand-written statements (see tracker/sql.py). They read a person, a session
or a log-in, before any organisation is chosen, or a person's rows across organisations: each
is ``Unscoped`` and says why. Behind the tenant wall they see only what ``tracker_identify``
and the narrow grants of the person-level tables let them."""

from tracker.sql import Unscoped

MEMBERSHIPS_OF_PERSON = Unscoped(
    "SELECT o.id, o.slug, o.name, m.role, o.require_2fa, (SELECT COUNT(*) FROM notification n "
    "WHERE n.org = m.org AND n.person = m.person AND n.read_at IS NULL) AS unread "
    "FROM membership m "
    "JOIN organisation o ON o.id = m.org WHERE m.person = :person ORDER BY o.name, o.id",
    reason="every organisation of the person: the switcher and the log-in",
)
TWO_FACTOR_DUE = Unscoped(
    "SELECT m.role, o.require_2fa, p.totp_enabled_at FROM membership m "
    "JOIN organisation o ON o.id = m.org JOIN person p ON p.id = m.person "
    "WHERE m.person = :person",
    reason="whether any organisation of the person asks for two factors",
)
LOGIN_FAILURES = Unscoped(
    "SELECT email, address, at FROM login_failure "
    "WHERE at > :since AND (email = :email OR address = :address)",
    reason="log-in throttling happens before any organisation",
)
RESET_REQUESTS = Unscoped(
    "SELECT email, client, created_at FROM password_reset "
    "WHERE created_at > :since AND (email = :email OR client = :client)",
    reason="password links are asked for before any organisation",
)
SESSION_PERSON = Unscoped(
    "SELECT p.id, p.name, p.email, p.language, p.totp_enabled_at, s.expires_at, "
    "s.last_seen_at, s.created_at, "
    "s.idle_seconds FROM web_session s "
    "JOIN person p ON p.id = s.person WHERE s.token_hash = :token",
    reason="the signed-in person of a session",
)
IDENTIFY = Unscoped(
    "SELECT * FROM tracker_identify(:token, :slug)",
    reason="the person, their organisations and the board revision, behind the wall",
)
