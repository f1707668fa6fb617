"""The audit area's hand-written statements (see tracker/sql.py): a record's title, its
history, the organisation's page and export, and the names the entries' values name."""

from tracker.sql import Statement, Unscoped

_ENTRIES = (
    "SELECT a.id, a.at, a.person, a.token, a.table_name, a.row_id, a.operation, a.changes, "
    "p.name AS person_name, t.name AS token_name FROM audit_entry a "
    "LEFT JOIN person p ON p.id = a.person "
    "LEFT JOIN api_token t ON t.id = a.token AND t.org = :org "
)

# A record's changes, newest first, a page at a time (below the id :before).
HISTORY = Statement(
    _ENTRIES + "WHERE a.org = :org AND a.subject_table = :subject AND a.subject_id = :record "
    "[AND a.id < :before] ORDER BY a.id DESC LIMIT :limit"
)
# The organisation's entries by the page's filters (:nobody: the entries of no person).
ENTRIES = Statement(
    _ENTRIES + "WHERE a.org = :org [AND a.person = :person] "
    "[AND a.person IS NULL AND :nobody = 1] [AND a.table_name IN (:tables)] "
    "[AND a.at >= :since] [AND a.at < :until] [AND a.id < :before] "
    "ORDER BY a.id DESC LIMIT :limit"
)
PEOPLE = Statement(
    "SELECT p.id, p.name FROM membership m JOIN person p ON p.id = m.person "
    "WHERE m.org = :org ORDER BY p.name, p.id"
)
NAMES = Unscoped(
    "SELECT id, name FROM person WHERE id IN (:ids)",
    reason="people named in the organisation's entries, members then or now",
)

# The name a record's History page shows (the subject tables, read in their organisation).
TITLE_INITIATIVE = Statement("SELECT name AS title FROM initiative WHERE org = :org AND id = :id")
TITLE_PROBLEM = Statement("SELECT title FROM problem WHERE org = :org AND id = :id")
TITLE_RISK = Statement("SELECT description AS title FROM risk WHERE org = :org AND id = :id")
TITLE_PILOT = Statement("SELECT process AS title FROM pilot WHERE org = :org AND id = :id")
TITLE_SOP_DOCUMENT = Statement(
    "SELECT process_name AS title FROM sop_document WHERE org = :org AND id = :id"
)
TITLE_SOP_VERSION = Statement(
    "SELECT d.process_name || ' V' || v.major || '.' || v.minor AS title "
    "FROM sop_version v JOIN sop_document d ON d.id = v.document AND d.org = :org "
    "WHERE v.org = :org AND v.id = :id"
)
TITLE_TRAINING_SESSION = Statement(
    "SELECT topic AS title FROM training_session WHERE org = :org AND id = :id"
)
TITLE_KPI = Statement("SELECT name AS title FROM kpi WHERE org = :org AND id = :id")
TITLES = {
    "initiative": TITLE_INITIATIVE,
    "problem": TITLE_PROBLEM,
    "risk": TITLE_RISK,
    "pilot": TITLE_PILOT,
    "sop_document": TITLE_SOP_DOCUMENT,
    "sop_version": TITLE_SOP_VERSION,
    "training_session": TITLE_TRAINING_SESSION,
    "kpi": TITLE_KPI,
}
