"""The gate area's hand-written statements (see tracker/sql.py): the review page, the vote
(the busiest write), the initiative's gate history and the review's claim. Hand-written (the
same SQL on PostgreSQL and SQLite) because building them cost more than running them."""

from tracker.sql import Statement

MEMBER_CHOICES = Statement(
    "SELECT p.id, p.name FROM membership m JOIN person p ON p.id = m.person "
    "WHERE m.org = :org ORDER BY p.name, p.id"
)
# The review, locked for the transaction (concurrent deciders take turns), if in :states.
CLAIM = Statement(
    "UPDATE gate_review SET claim = claim + 1 "
    "WHERE org = :org AND id = :review AND status IN (:states) RETURNING *"
)

# --- the review page (tracker/gates/review_data.py) ---------------------------------------
REVIEW = Statement(
    'SELECT r.*, i.name AS "initiative.name", i.process_code AS "initiative.process_code", '
    'i.owner AS "initiative.owner", ph.number AS "initiative.current_phase.number", '
    'p.name AS "requested_by.name" FROM gate_review r '
    "JOIN initiative i ON i.id = r.initiative AND i.org = :org "
    "LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org "
    "LEFT JOIN person p ON p.id = r.requested_by "
    "WHERE r.org = :org AND r.id = :review"
)
CRITERIA = Statement(
    "SELECT * FROM review_criterion WHERE org = :org AND review = :review ORDER BY position"
)
REVIEWERS = Statement(
    'SELECT a.reviewer, p.name AS "reviewer.name" FROM review_assignment a '
    "JOIN person p ON p.id = a.reviewer WHERE a.org = :org AND a.review = :review "
    "ORDER BY p.name"
)
VOTES = Statement(
    'SELECT v.*, p.name AS "reviewer.name" FROM gate_vote v '
    "JOIN person p ON p.id = v.reviewer WHERE v.org = :org AND v.review = :review "
    "ORDER BY v.submitted_at"
)
SCORES = Statement(
    "SELECT criterion, reviewer, value FROM gate_score WHERE org = :org AND review = :review"
)
DECISION = Statement(
    'SELECT d.*, p.name AS "decided_by.name" FROM gate_decision d '
    "LEFT JOIN person p ON p.id = d.decided_by WHERE d.org = :org AND d.review = :review "
    "LIMIT 1"
)
CONDITIONS_OF_DECISION = Statement(
    'SELECT c.*, o.name AS "owner.name", b.name AS "closed_by.name" '
    "FROM gate_condition c LEFT JOIN person o ON o.id = c.owner "
    "LEFT JOIN person b ON b.id = c.closed_by WHERE c.org = :org AND c.decision = :decision"
)
CORRECTIONS = Statement(
    'SELECT k.*, p.name AS "author.name" FROM decision_correction k '
    "LEFT JOIN person p ON p.id = k.author WHERE k.org = :org AND k.decision = :decision "
    "ORDER BY k.created_at"
)
APPROVAL_STEPS = Statement(
    'SELECT s.*, p.name AS "approver.name" FROM approval_step s '
    "LEFT JOIN person p ON p.id = s.approver WHERE s.org = :org AND s.review = :review "
    "ORDER BY s.level"
)

# --- voting (tracker/gates/voting.py) -----------------------------------------------------
REVIEW_TO_VOTE = Statement(
    "SELECT r.id, r.status, r.gate, r.initiative, EXISTS ("
    "  SELECT 1 FROM review_assignment a WHERE a.review = r.id AND a.reviewer = :person"
    "  AND a.org = :org"
    ") AS assigned FROM gate_review r WHERE r.org = :org AND r.id = :review"
)
CRITERIA_TO_SCORE = Statement(
    "SELECT id, kind FROM review_criterion WHERE org = :org AND review = :review "
    "ORDER BY position, id"
)
INSERT_VOTE = Statement(
    "INSERT INTO gate_vote (org, review, reviewer, vote, recycle_to, rationale, "
    "conditions, submitted_at) VALUES (:org, :review, :reviewer, :vote, :recycle_to, "
    ":rationale, :conditions, :at) ON CONFLICT DO NOTHING RETURNING id"
)
INSERT_SCORES = Statement(  # one row per criterion (TenantScope.insert_rows)
    "INSERT INTO gate_score (org, review, criterion, reviewer, value) VALUES "
    "(:org, :review, :criterion, :reviewer, :value)"
)
# The number of assigned reviewers, the ballots and the votes, in one query.
BALLOTS = Statement(
    "SELECT a.n AS assigned, v.reviewer, v.vote, v.recycle_to, v.conditions, v.rationale, "
    'p.name AS "reviewer.name", EXISTS ('
    "  SELECT 1 FROM gate_score s JOIN review_criterion c ON c.id = s.criterion"
    "  AND c.org = :org"
    "  WHERE s.org = :org AND s.review = v.review AND s.reviewer = v.reviewer"
    "  AND s.value = 0 AND c.kind = :must"
    ") AS failed_must "
    "FROM (SELECT COUNT(*) AS n FROM review_assignment WHERE org = :org AND review = :review) a "
    "LEFT JOIN gate_vote v ON v.org = :org AND v.review = :review "
    "LEFT JOIN person p ON p.id = v.reviewer "
    "ORDER BY v.submitted_at, v.id"
)

# --- the initiative's gate history (tracker/gates/lists.py) -------------------------------
DECISIONS_OF_INITIATIVE = Statement(
    'SELECT d.*, p.name AS "decided_by.name" FROM gate_decision d '
    "LEFT JOIN person p ON p.id = d.decided_by "
    "WHERE d.org = :org AND d.initiative = :initiative ORDER BY d.decided_at DESC"
)
CONDITIONS_OF_INITIATIVE = Statement(
    'SELECT c.*, p.name AS "owner.name" FROM gate_condition c '
    "LEFT JOIN person p ON p.id = c.owner "
    "WHERE c.org = :org AND c.initiative = :initiative ORDER BY c.due_date"
)
OPEN_REVIEW = Statement(
    "SELECT id, status, due_date, gate FROM gate_review "
    "WHERE org = :org AND initiative = :initiative AND status IN (:states) LIMIT 1"
)
EVENTS = Statement(
    'SELECT e.*, p.name AS "actor.name" FROM initiative_event e '
    "LEFT JOIN person p ON p.id = e.actor "
    "WHERE e.org = :org AND e.initiative = :initiative ORDER BY e.at DESC LIMIT 100"
)

# --- notifications (tracker/gates/telling.py) ---------------------------------------------
INITIATIVE_NAME = Statement("SELECT name FROM initiative WHERE org = :org AND id = :initiative")
ORG_SLUG = Statement("SELECT slug FROM organisation WHERE id = :org")

# --- the minutes (tracker/gates/minutes.py) -----------------------------------------------
# The organisation's and the reader's time zones, the chair's and the lead's names and the
# planned end of the phase decided into.
MINUTES_NAMES = Statement(
    "SELECT o.name AS org_name, o.timezone AS org_zone, me.timezone AS my_zone, "
    "c.name AS chair_name, w.name AS lead_name, ph.planned_end AS next_end "
    "FROM organisation o JOIN person me ON me.id = :me "
    "LEFT JOIN person c ON c.id = :chair LEFT JOIN person w ON w.id = :lead "
    "LEFT JOIN phase ph ON ph.org = :org AND ph.initiative = :initiative "
    "AND ph.number = :phase WHERE o.id = :org"
)

# --- "My reviews" (tracker/gates/lists.py), bounded (issue 19) --------------------------------
# What waits for a person, three lists (a vote, a decision as chair, an approval), each most
# urgent first (by due date, so the overdue ones lead), is kept by triggers (migration
# 2026-12-01T01:00): ``review_waiting``, a row per review and person it waits for, read a page at
# a time through its index (org, person, kind, due_date, review), and ``review_waiting_count``,
# each list's total, read by its key. The chair's list of an admin (who decides as chair on
# every review) is person 0's. The first page of all three in one query, their totals in
# another: the same on both databases, whatever the number of reviews.
WAITING_KINDS = ("vote", "chair", "approve")
WHO = {"vote": ":person", "chair": ":chair", "approve": ":person"}


def _waiting_rows(kind: str, k: str, cursor: bool) -> str:
    """A page of list ``kind`` from the index alone (the kept rows' alias ``k``: an alias is
    unique within a statement), with its initiatives' code and name, each looked up by its
    key (a subquery: a join may read all the organisation's initiatives to hash them)."""
    after = (
        f" [AND ({k}.due_date, {k}.review) > (SELECT a{k}.due_date, a{k}.id FROM gate_review a{k} "
        f"WHERE a{k}.org = :org AND a{k}.id = :after)]"
        if cursor
        else ""
    )
    return (
        f"SELECT '{kind}' AS waiting, {k}.review AS id, {k}.gate, {k}.due_date, {k}.initiative, "
        f"(SELECT c{k}.process_code FROM initiative c{k} WHERE c{k}.id = {k}.initiative "
        f'AND c{k}.org = :org) AS "initiative.process_code", (SELECT i{k}.name FROM initiative '
        f'i{k} WHERE i{k}.id = {k}.initiative AND i{k}.org = :org) AS "initiative.name" '
        f"FROM review_waiting {k} WHERE {k}.org = :org AND {k}.person = {WHO[kind]} "
        f"AND {k}.kind = '{kind}'{after} ORDER BY {k}.due_date, {k}.review LIMIT :limit"
    )


WAITING = Statement(
    "SELECT * FROM ("
    + " UNION ALL ".join(
        f"SELECT * FROM ({_waiting_rows(kind, f'k{kind[0]}', False)}) AS w{kind[0]}"
        for kind in WAITING_KINDS
    )
    + ") AS w ORDER BY w.due_date, w.id"
)
WAITING_COUNTS = Statement(
    "SELECT "
    + ", ".join(
        f"(SELECT n{kind[0]}.n FROM review_waiting_count n{kind[0]} WHERE n{kind[0]}.org = :org "
        f"AND n{kind[0]}.person = {WHO[kind]} AND n{kind[0]}.kind = '{kind}') AS {kind}"
        for kind in WAITING_KINDS
    )
)
PAGES = {kind: Statement(_waiting_rows(kind, "k", True)) for kind in WAITING_KINDS}
