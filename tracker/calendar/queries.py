"""The calendar area's hand-written statements (see tracker/sql.py): the feed of a token, the
feed's reader and the events of a feed (:person given: a person's feed, else the
organisation's)."""

from tracker.sql import Statement, Unscoped

# One statement, so two resets at once (a double click) leave one row, the later one's.
RESET = Statement(
    "INSERT INTO calendar_feed (org, person, kind, token_hash, created_at, last_used_at) "
    "VALUES (:org, :person, :kind, :hash, :at, NULL) ON CONFLICT (org, person, kind) DO UPDATE "
    "SET token_hash = excluded.token_hash, created_at = excluded.created_at, last_used_at = NULL"
)
FEED_OF_TOKEN = Unscoped(
    "SELECT id, org, person, kind, last_used_at FROM calendar_feed WHERE token_hash = :hash",
    reason="a feed's token is its credential: its organisation is not known before",
)
# From here on, the feed's organisation and person only (one round trip for both).
WALL_OF_FEED = Unscoped(
    "SELECT set_config('app.tenant_id', :org_text, true), "
    "set_config('app.person_id', :person_text, true)",
    reason="sets the wall to the organisation of the feed just found",
)
READER = Statement(
    "SELECT m.role, o.slug, o.name AS org_name, o.timezone AS org_zone, "
    "p.timezone AS my_zone, p.language FROM membership m "
    "JOIN organisation o ON o.id = m.org JOIN person p ON p.id = m.person "
    "WHERE m.org = :org AND m.person = :person"
)
USED = Statement("UPDATE calendar_feed SET last_used_at = :at WHERE org = :org AND id = :feed")

# --- the events ---------------------------------------------------------------------------
REVIEWS = Statement(
    "SELECT r.id, r.gate, r.due_date, r.requested_at, r.status, i.name, i.process_code "
    "FROM gate_review r JOIN initiative i ON i.id = r.initiative AND i.org = :org "
    "WHERE r.org = :org AND r.status IN ('open', 'awaiting_chair', 'approving') "
    "[AND r.status = 'open' AND EXISTS (SELECT 1 FROM review_assignment a "
    "WHERE a.review = r.id AND a.reviewer = :person AND a.org = :org) AND NOT EXISTS ("
    "SELECT 1 FROM gate_vote v WHERE v.review = r.id AND v.reviewer = :person "
    "AND v.org = :org)] ORDER BY r.due_date, r.id"
)
CONDITIONS = Statement(
    "SELECT c.id, c.text, c.due_date, c.initiative, d.decided_at, i.name, i.process_code, "
    "e.n AS replans, e.at AS replanned_at FROM gate_condition c "
    "JOIN initiative i ON i.id = c.initiative AND i.org = :org "
    "JOIN gate_decision d ON d.id = c.decision AND d.org = :org "
    "LEFT JOIN (SELECT initiative, COUNT(*) AS n, MAX(at) AS at FROM initiative_event "
    "WHERE org = :org AND kind = 'condition_replanned' GROUP BY initiative) e "
    "ON e.initiative = c.initiative "
    "WHERE c.org = :org AND c.closed_at IS NULL [AND c.owner = :person]"
)
PHASE_ENDS = Statement(
    "SELECT ph.id, ph.number, ph.planned_end, i.id AS initiative, i.name, i.process_code, "
    "i.created_at, g.n AS decisions, g.at AS decided_at FROM phase ph "
    "JOIN initiative i ON i.id = ph.initiative AND i.org = :org "
    "LEFT JOIN (SELECT initiative, COUNT(*) AS n, MAX(decided_at) AS at FROM gate_decision "
    "WHERE org = :org GROUP BY initiative) g ON g.initiative = i.id "
    "WHERE ph.org = :org AND ph.planned_end IS NOT NULL AND ph.actual_end IS NULL "
    "AND i.status NOT IN ('stopped', 'completed', 'on_hold') [AND i.owner = :person]"
)
