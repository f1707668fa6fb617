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
# urgent first (by due date, so the overdue ones lead) and read a page at a time through the
# index gate_review_waiting (org, status, due_date, id): a page stops at its limit whatever
# the number of reviews. The first page of all three in one query, their counts in another.
# The chair a review names is in its rule snapshot (JSON text), read with each database's
# JSON function: the two texts differ only there.
CHAIR_SQLITE = "json_extract({r}.rule_snapshot, '$.chair')"
CHAIR_POSTGRES = "CAST(CAST({r}.rule_snapshot AS jsonb) ->> 'chair' AS integer)"
WAITING_KINDS = ("vote", "chair", "approve")


def _waiting(kind: str, r: str, chair: str) -> str:
    """The condition of list ``kind`` on the review alias ``r`` (its subqueries' aliases
    derive from it: an alias is unique within a statement)."""
    if kind == "vote":  # assigned to me, open, my vote not cast
        return (
            f"{r}.org = :org AND {r}.status = 'open' AND EXISTS (SELECT 1 FROM review_assignment "
            f"a{r} WHERE a{r}.org = :org AND a{r}.review = {r}.id AND a{r}.reviewer = :person) "
            f"AND NOT EXISTS (SELECT 1 FROM gate_vote v{r} WHERE v{r}.org = :org "
            f"AND v{r}.review = {r}.id AND v{r}.reviewer = :person)"
        )
    if kind == "chair":  # every one for an admin (no :chair), else those naming me as chair
        named = chair.format(r=r)
        return f"{r}.org = :org AND {r}.status = 'awaiting_chair' [AND {named} = :chair]"
    # approve: the first pending level of the review's approval chain is mine
    return (
        f"{r}.org = :org AND {r}.status = 'approving' AND EXISTS (SELECT 1 FROM approval_step "
        f"s{r} WHERE s{r}.org = :org AND s{r}.review = {r}.id AND s{r}.status = 'pending' "
        f"AND s{r}.approver = :person AND NOT EXISTS (SELECT 1 FROM approval_step e{r} "
        f"WHERE e{r}.org = :org AND e{r}.review = {r}.id AND e{r}.status = 'pending' "
        f"AND e{r}.level < s{r}.level))"
    )


def _waiting_rows(kind: str, r: str, chair: str, cursor: bool) -> str:
    after = (
        f" [AND ({r}.due_date, {r}.id) > (SELECT k{r}.due_date, k{r}.id FROM gate_review k{r} "
        f"WHERE k{r}.org = :org AND k{r}.id = :after)]"
        if cursor
        else ""
    )
    return (
        f"SELECT '{kind}' AS waiting, {r}.id, {r}.gate, {r}.due_date, {r}.initiative "
        f"FROM gate_review {r} WHERE {_waiting(kind, r, chair)}{after} "
        f"ORDER BY {r}.due_date, {r}.id LIMIT :limit"
    )


def _with_initiatives(rows: str) -> str:
    """The rows with their initiative's code and name, each looked up by its key."""
    return (
        "SELECT w.*, (SELECT ic.process_code FROM initiative ic WHERE ic.id = w.initiative "
        'AND ic.org = :org) AS "initiative.process_code", (SELECT iname.name FROM initiative '
        'iname WHERE iname.id = w.initiative AND iname.org = :org) AS "initiative.name" '
        f"FROM ({rows}) AS w ORDER BY w.due_date, w.id"
    )


def _first_pages(chair: str) -> Statement:
    arms = " UNION ALL ".join(
        f"SELECT * FROM ({_waiting_rows(kind, f'r{kind[0]}', chair, False)}) AS w{kind[0]}"
        for kind in WAITING_KINDS
    )
    return Statement(_with_initiatives(arms))


def _counts(chair: str) -> Statement:
    return Statement(
        "SELECT "
        + ", ".join(
            f"(SELECT count(*) FROM gate_review n{kind[0]} "
            f"WHERE {_waiting(kind, f'n{kind[0]}', chair)}) AS {kind}"
            for kind in WAITING_KINDS
        )
    )


def _page(kind: str, chair: str) -> Statement:
    return Statement(_with_initiatives(_waiting_rows(kind, "r", chair, True)))


WAITING_SQLITE, WAITING_POSTGRES = _first_pages(CHAIR_SQLITE), _first_pages(CHAIR_POSTGRES)
WAITING_COUNTS_SQLITE, WAITING_COUNTS_POSTGRES = _counts(CHAIR_SQLITE), _counts(CHAIR_POSTGRES)
VOTE_PAGE = _page("vote", CHAIR_SQLITE)  # no chair in it: the same on both
APPROVE_PAGE = _page("approve", CHAIR_SQLITE)
CHAIR_PAGE_SQLITE, CHAIR_PAGE_POSTGRES = (
    _page("chair", CHAIR_SQLITE),
    _page("chair", CHAIR_POSTGRES),
)
