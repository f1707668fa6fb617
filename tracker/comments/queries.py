"""The comment area's hand-written statements (see tracker/sql.py): the subject a thread
hangs on, the thread, its mentions and the writes of a comment."""

from tracker.sql import Statement

_INITIATIVE = 'i.id AS "initiative", i.process_code AS "code", i.owner AS "lead"'

# --- the subjects (tracker/comments/subjects.py) ------------------------------------------
SUBJECT_INITIATIVE = Statement(
    f"SELECT i.name AS title, NULL AS owner, NULL AS status, {_INITIATIVE} "
    "FROM initiative i WHERE i.org = :org AND i.id = :id"
)
SUBJECT_PROBLEM = Statement(
    f"SELECT s.title, s.owner, NULL AS status, {_INITIATIVE} FROM problem s "
    "JOIN initiative i ON i.id = s.initiative AND i.org = :org WHERE s.org = :org AND s.id = :id"
)
SUBJECT_RISK = Statement(
    f"SELECT s.description AS title, s.owner, NULL AS status, {_INITIATIVE} FROM risk s "
    "JOIN initiative i ON i.id = s.initiative AND i.org = :org WHERE s.org = :org AND s.id = :id"
)
SUBJECT_PILOT = Statement(
    f"SELECT s.process AS title, NULL AS owner, NULL AS status, {_INITIATIVE} FROM pilot s "
    "JOIN initiative i ON i.id = s.initiative AND i.org = :org WHERE s.org = :org AND s.id = :id"
)
SUBJECT_SOP_VERSION = Statement(
    "SELECT d.process_name AS title, s.major, s.minor, s.author AS owner, "
    f"NULL AS status, {_INITIATIVE} FROM sop_version s "
    "JOIN sop_document d ON d.id = s.document AND d.org = :org "
    "JOIN initiative i ON i.id = d.initiative AND i.org = :org "
    "WHERE s.org = :org AND s.id = :id"
)
SUBJECT_REVIEW = Statement(
    f"SELECT s.gate, s.requested_by AS owner, s.status, {_INITIATIVE}, "
    "(SELECT COUNT(*) FROM review_assignment a WHERE a.org = :org AND a.review = s.id "
    "AND a.reviewer = :person) AS is_reviewer, "
    "(SELECT COUNT(*) FROM gate_vote v WHERE v.org = :org AND v.review = s.id "
    "AND v.reviewer = :person) AS has_voted "
    "FROM gate_review s JOIN initiative i ON i.id = s.initiative AND i.org = :org "
    "WHERE s.org = :org AND s.id = :id"
)
SUBJECTS = {
    "initiative": SUBJECT_INITIATIVE,
    "problem": SUBJECT_PROBLEM,
    "risk": SUBJECT_RISK,
    "pilot": SUBJECT_PILOT,
    "sop_version": SUBJECT_SOP_VERSION,
    "review": SUBJECT_REVIEW,
}

# --- the thread and its writes (tracker/comments/service.py) ------------------------------
THREAD = Statement(
    "SELECT c.id, c.author, c.body_html, c.sealed, c.created_at, c.edited_at, c.deleted_at, "
    'c.deleted_by, a.name AS "author.name" FROM comment c '
    "LEFT JOIN person a ON a.id = c.author "
    "WHERE c.org = :org AND c.subject_kind = :kind AND c.subject_id = :id "
    "ORDER BY c.created_at, c.id"
)
MEMBERS = Statement(
    "SELECT p.id, p.name FROM membership m JOIN person p ON p.id = m.person "
    "WHERE m.org = :org ORDER BY p.name, p.id"
)
INSERT_MENTIONS = Statement(  # one row per person (TenantScope.insert_rows)
    "INSERT INTO comment_mention (org, comment, person) VALUES (:org, :comment, :person)"
)
REVIEWERS = Statement(
    "SELECT a.reviewer, (SELECT COUNT(*) FROM gate_vote v WHERE v.org = :org "
    "AND v.review = a.review AND v.reviewer = a.reviewer) AS voted "
    "FROM review_assignment a WHERE a.org = :org AND a.review = :review"
)
INSERT_COMMENT = Statement(
    "INSERT INTO comment (org, subject_kind, subject_id, author, body, body_html, "
    "sealed, created_at) VALUES (:org, :kind, :id, :author, :body, :html, :sealed, :at) "
    "RETURNING id"
)
WRITERS = Statement(
    "SELECT DISTINCT author FROM comment WHERE org = :org AND subject_kind = :kind "
    "AND subject_id = :id AND author IS NOT NULL AND id <> :comment"
)
COMMENT = Statement(
    "SELECT id, subject_kind, subject_id, author, body, sealed, created_at, deleted_at "
    "FROM comment WHERE org = :org AND id = :comment"
)
MENTIONED = Statement("SELECT person FROM comment_mention WHERE org = :org AND comment = :comment")
EDIT = Statement(
    "UPDATE comment SET body = :body, body_html = :html, edited_at = :at "
    "WHERE org = :org AND id = :comment"
)
DELETE_MENTIONS = Statement("DELETE FROM comment_mention WHERE org = :org AND comment = :comment")
DELETE = Statement(
    "UPDATE comment SET body = '', body_html = '', deleted_at = :at, deleted_by = :person "
    "WHERE org = :org AND id = :comment"
)
