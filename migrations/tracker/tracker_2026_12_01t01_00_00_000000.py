""" "My reviews" kept, not searched (issue 19): ``review_waiting`` holds a row per review and
person it waits for, with the list it is in (``kind``: vote, chair, approve) and what the list
shows of it (gate, initiative, due date), and ``review_waiting_count`` how many each person has
in each list, so the page reads each list's first rows from the index ``review_waiting_list``
alone and its total by its key, whatever the number of open reviews. Before, each total counted
the person's reviews (9,999 open at 10,000 initiatives: 9–12 ms), and a list of a person who
had already voted on most open reviews read all of them to find its first page (7 ms).

What waits for whom, exactly as the page asked it before (tracker/gates/queries.py):
- vote: an open review the person is assigned to and has not voted on;
- chair: a review awaiting the chair, for the chair its rule snapshot names and, as person 0,
  for every admin (an admin decides as chair on every review);
- approve: a review being approved whose first pending approval step is the person's.

- Kept by triggers in the same transaction as the reviews, their assignments, votes and
  approval steps, on both databases: any change of one of these recomputes the review's rows
  from what the tables hold (``wanted``; PostgreSQL's function reads the same rows, the review
  first) and applies the difference; the counts follow the rows
  (triggers on ``review_waiting``). A review deleted (with its initiative) leaves no row.
- PostgreSQL: deferred to the commit, behind the organisation's lock of the kept counts
  (``pg_advisory_xact_lock(19, org)``, as ``problem_cell`` and ``risk_cell``), which the board's
  revision (``tracker_board_changed``) now takes first too: every writer of an organisation's
  kept rows (board, cells, reviews) takes that lock before any of them, so an initiative
  deleted with its reviews and a vote that closes a review never take them crosswise.
- Row-level security as on every tenant table; the app's role may only read (the SECURITY
  DEFINER functions, run by the triggers only, write).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "what waits for whom on My reviews, and how many, kept by triggers"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
WAITING = "('open', 'awaiting_chair', 'approving')"
# the chair the review's rule snapshot names, read only from a review awaiting the chair (CASE:
# no other review's snapshot is ever parsed)
CHAIR_SQLITE = (
    "CASE WHEN r.status = 'awaiting_chair' THEN json_extract(r.rule_snapshot, '$.chair') END"
)
CHAIR_POSTGRES = (
    "CASE WHEN r.status = 'awaiting_chair' "
    "THEN CAST(CAST(r.rule_snapshot AS jsonb) ->> 'chair' AS integer) END"
)

# what a list shows of a review (its key, gate, initiative and due date) is kept with it
SHOWN = ("review", "gate", "initiative", "due_date")
COLUMNS = "org, person, kind, review, gate, initiative, due_date"
TABLES = [
    "CREATE TABLE review_waiting (org int NOT NULL, person int NOT NULL, "
    "kind varchar(10) NOT NULL, review int NOT NULL, gate smallint NOT NULL, "
    "initiative int NOT NULL, due_date date NOT NULL, PRIMARY KEY (review, kind, person))",
    # a list's page: its rows in due-date order, from where the last page stopped, read from
    # the index alone
    "CREATE INDEX review_waiting_list "
    "ON review_waiting (org, person, kind, due_date, review, gate, initiative)",
    "CREATE TABLE review_waiting_count (org int NOT NULL, person int NOT NULL, "
    "kind varchar(10) NOT NULL, n int NOT NULL DEFAULT 0, PRIMARY KEY (org, person, kind))",
]
REVIEW = "r.org, {person}, {kind}, r.id AS review, r.gate, r.initiative, r.due_date"


def wanted(where: str, chair: str) -> str:
    """The rows ``review_waiting`` should hold for the reviews ``r`` meeting ``where``."""
    vote = REVIEW.format(person="a.reviewer AS person", kind="'vote' AS kind")
    admins = REVIEW.format(person="0", kind="'chair'")
    named = REVIEW.format(person=chair, kind="'chair'")
    approver = REVIEW.format(person="s.approver", kind="'approve'")
    return (
        f"SELECT {vote} FROM gate_review r "
        "JOIN review_assignment a ON a.org = r.org AND a.review = r.id "
        f"WHERE {where} AND r.status = 'open' AND NOT EXISTS (SELECT 1 FROM gate_vote v "
        "WHERE v.review = r.id AND v.reviewer = a.reviewer) "
        f"UNION SELECT {admins} FROM gate_review r "
        f"WHERE {where} AND r.status = 'awaiting_chair' "
        f"UNION SELECT {named} FROM gate_review r "
        f"WHERE {where} AND r.status = 'awaiting_chair' AND {chair} IS NOT NULL "
        f"UNION SELECT {approver} FROM gate_review r "
        "JOIN approval_step s ON s.org = r.org AND s.review = r.id "
        f"WHERE {where} AND r.status = 'approving' AND s.status = 'pending' "
        "AND s.approver IS NOT NULL AND NOT EXISTS (SELECT 1 FROM approval_step e "
        "WHERE e.org = r.org AND e.review = r.id AND e.status = 'pending' AND e.level < s.level)"
    )


def fill(chair: str) -> str:
    """The rows of every review waiting for someone (an existing database's)."""
    return (
        f"INSERT INTO review_waiting ({COLUMNS}) SELECT * FROM "
        f"({wanted(f'r.status IN {WAITING}', chair)}) n"
    )


COUNTS = "SELECT org, person, kind, COUNT(*) AS n FROM review_waiting GROUP BY org, person, kind"
FILL_COUNTS = f"INSERT INTO review_waiting_count (org, person, kind, n) {COUNTS}"


def sync(review: str, chair: str, insert: str) -> list[str]:
    """Make review ``review``'s rows those it should have: the rows no longer wanted (or
    showing it otherwise) deleted, the missing ones inserted (``insert``: the dialect's INSERT
    that skips a row already there)."""
    rows = wanted(f"r.id = {review}", chair)
    same = " AND ".join(f"n.{c} = review_waiting.{c}" for c in ("org", "person", "kind", *SHOWN))
    return [
        f"DELETE FROM review_waiting WHERE review = {review} "
        f"AND NOT EXISTS (SELECT 1 FROM ({rows}) n WHERE {same})",
        f"{insert} review_waiting ({COLUMNS}) SELECT * FROM ({rows}) n WHERE true",
    ]


DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
PG = [
    # a person is of one organisation or few: without this PostgreSQL estimates a person's list
    # as the organisation's rows over all people (20 times too few at 20 organisations), and
    # plans a page as if it held fewer rows than the page
    "CREATE STATISTICS review_waiting_who (dependencies) ON org, person FROM review_waiting",
    "ANALYZE review_waiting",
    "ALTER TABLE review_waiting ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON review_waiting USING (org = {TENANT})",
    "GRANT SELECT ON review_waiting TO tracker_app",
    "ALTER TABLE review_waiting_count ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON review_waiting_count USING (org = {TENANT})",
    "GRANT SELECT ON review_waiting_count TO tracker_app",
    # As in migration 2026-11-23T08:00, taking the organisation's lock of its kept rows first.
    f"""
CREATE OR REPLACE FUNCTION tracker_board_changed(changed int) RETURNS void {DEFINER} AS $$
BEGIN
    IF changed IS NULL
       OR current_setting('tracker.board_changed_' || changed, true) = 'y' THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(19, changed);  -- before the board's rows: see the cells
    PERFORM set_config('tracker.board_changed_' || changed, 'y', true);
    INSERT INTO board_revision (org, revision)
    VALUES (changed, nextval('board_revision_number'))
    ON CONFLICT (org) DO UPDATE SET revision = EXCLUDED.revision;
END
$$
""",
    # As ``sync`` (the SQLite triggers'), reading the review once: its state names its list
    # (open: vote, awaiting_chair: chair, approving: approve), then only that list's people.
    f"""
CREATE FUNCTION tracker_review_waiting_sync(changed_org int, changed_review int) RETURNS void
{DEFINER} AS $$
DECLARE
    review_row record;
    want_kind text;
    want_people int[] := '{{}}';
BEGIN
    IF changed_org IS NULL OR changed_review IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(19, changed_org);  -- the organisation's kept rows, in one order
    SELECT r.org, r.status, r.gate, r.initiative, r.due_date, {CHAIR_POSTGRES} AS chair
    INTO review_row
    FROM gate_review r WHERE r.id = changed_review;
    IF review_row.status = 'open' THEN
        want_kind := 'vote';
        SELECT COALESCE(array_agg(a.reviewer), '{{}}') INTO want_people
        FROM review_assignment a WHERE a.org = review_row.org AND a.review = changed_review
          AND NOT EXISTS (SELECT 1 FROM gate_vote v  -- by its key (review, reviewer)
                          WHERE v.review = changed_review AND v.reviewer = a.reviewer);
    ELSIF review_row.status = 'awaiting_chair' THEN
        want_kind := 'chair';
        want_people := ARRAY[0] || CASE WHEN review_row.chair IS NULL THEN '{{}}'::int[]
                                        ELSE ARRAY[review_row.chair] END;
    ELSIF review_row.status = 'approving' THEN
        want_kind := 'approve';
        SELECT COALESCE(array_agg(DISTINCT s.approver), '{{}}') INTO want_people
        FROM approval_step s WHERE s.org = review_row.org AND s.review = changed_review
          AND s.status = 'pending' AND s.approver IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM approval_step e WHERE e.org = review_row.org
                          AND e.review = changed_review AND e.status = 'pending'
                          AND e.level < s.level);
    END IF;
    DELETE FROM review_waiting w WHERE w.review = changed_review
      AND (w.kind = want_kind AND w.person = ANY (want_people) AND w.org = review_row.org
           AND w.gate = review_row.gate AND w.initiative = review_row.initiative
           AND w.due_date = review_row.due_date) IS NOT TRUE;
    INSERT INTO review_waiting ({COLUMNS})
    SELECT review_row.org, p, want_kind, changed_review, review_row.gate, review_row.initiative,
           review_row.due_date
    FROM unnest(want_people) AS p
    WHERE NOT EXISTS (SELECT 1 FROM review_waiting w WHERE w.review = changed_review
                      AND w.kind = want_kind AND w.person = p)
    ON CONFLICT DO NOTHING;
END
$$
""",
    f"""
CREATE FUNCTION tracker_review_waiting_changed() RETURNS trigger {DEFINER} AS $$
BEGIN
    IF TG_TABLE_NAME = 'gate_review' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM tracker_review_waiting_sync(OLD.org, OLD.id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.org, OLD.id) <> (NEW.org, NEW.id)) THEN
            PERFORM tracker_review_waiting_sync(NEW.org, NEW.id);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM tracker_review_waiting_sync(OLD.org, OLD.review);
        END IF;
        IF TG_OP = 'INSERT'
           OR (TG_OP = 'UPDATE' AND (OLD.org, OLD.review) <> (NEW.org, NEW.review)) THEN
            PERFORM tracker_review_waiting_sync(NEW.org, NEW.review);
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
    # the counts follow the rows (the rows are written only by the function above)
    f"""
CREATE FUNCTION tracker_review_waiting_counted() RETURNS trigger {DEFINER} AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE review_waiting_count SET n = n - 1
        WHERE org = OLD.org AND person = OLD.person AND kind = OLD.kind;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO review_waiting_count (org, person, kind, n)
        VALUES (NEW.org, NEW.person, NEW.kind, 1)
        ON CONFLICT (org, person, kind) DO UPDATE SET n = review_waiting_count.n + 1;
    END IF;
    RETURN NULL;
END
$$
""",
]
FUNCTIONS = (
    "tracker_review_waiting_sync(int, int)",
    "tracker_review_waiting_changed()",
    "tracker_review_waiting_counted()",
)
DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
# each table the lists are made of, with the columns they read
SOURCES = {
    "gate_review": ("org", "id", "status", "gate", "initiative", "due_date", "rule_snapshot"),
    "review_assignment": ("org", "review", "reviewer"),
    "gate_vote": ("org", "review", "reviewer"),
    "approval_step": ("org", "review", "level", "approver", "status"),
}


def _pg_triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    run = "EXECUTE FUNCTION tracker_review_waiting_changed()"
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return [
        f"CREATE CONSTRAINT TRIGGER review_waiting AFTER INSERT OR DELETE ON {table} "
        f"{DEFERRED} {run}",
        f"CREATE CONSTRAINT TRIGGER review_waiting_updated AFTER UPDATE OF {', '.join(columns)} "
        f"ON {table} {DEFERRED} WHEN ({changed}) {run}",
    ]


TRIGGERS = [
    *(s for table, columns in SOURCES.items() for s in _pg_triggers(table, columns)),
    "CREATE TRIGGER review_waiting_counted AFTER INSERT OR UPDATE OR DELETE ON review_waiting "
    "FOR EACH ROW EXECUTE FUNCTION tracker_review_waiting_counted()",
]


def _sqlite_sync(review: str) -> str:
    return " ".join(f"{s};" for s in sync(review, CHAIR_SQLITE, "INSERT OR IGNORE INTO"))


def _sqlite_count(row: str, delta: str) -> str:
    return (
        "INSERT OR IGNORE INTO review_waiting_count (org, person, kind, n) "
        f"VALUES ({row}.org, {row}.person, {row}.kind, 0); "
        f"UPDATE review_waiting_count SET n = n + {delta} "
        f"WHERE org = {row}.org AND person = {row}.person AND kind = {row}.kind;"
    )


def _sqlite_triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    key = "id" if table == "gate_review" else "review"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER review_waiting_insert AFTER INSERT ON {table} FOR EACH ROW BEGIN "
        f"{_sqlite_sync(f'NEW.{key}')} END",
        f"CREATE TRIGGER review_waiting_delete AFTER DELETE ON {table} FOR EACH ROW BEGIN "
        f"{_sqlite_sync(f'OLD.{key}')} END",
        f"CREATE TRIGGER review_waiting_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW WHEN {changed} BEGIN {_sqlite_sync(f'OLD.{key}')} "
        f"{_sqlite_sync(f'NEW.{key}')} END",
    ]


# SQLite: the same rows and counts, by triggers that run with the statement (it has no wall);
# trigger names are per database there, so each carries its table's name
SQLITE = [
    *(
        s.replace("TRIGGER review_waiting_", f"TRIGGER review_waiting_{table}_", 1)
        for table, columns in SOURCES.items()
        for s in _sqlite_triggers(table, columns)
    ),
    "CREATE TRIGGER review_waiting_added AFTER INSERT ON review_waiting FOR EACH ROW BEGIN "
    f"{_sqlite_count('NEW', '1')} END",
    "CREATE TRIGGER review_waiting_removed AFTER DELETE ON review_waiting FOR EACH ROW BEGIN "
    f"{_sqlite_count('OLD', '-1')} END",
    "CREATE TRIGGER review_waiting_moved AFTER UPDATE ON review_waiting FOR EACH ROW BEGIN "
    f"{_sqlite_count('OLD', '-1')} {_sqlite_count('NEW', '1')} END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def waiting():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        chair = CHAIR_POSTGRES if postgres else CHAIR_SQLITE
        for statement in [*TABLES, fill(chair), FILL_COUNTS]:
            await engine.run_ddl(statement)
        if not postgres:
            for statement in SQLITE:
                await engine.run_ddl(statement)
            return
        for statement in PG:
            await engine.run_ddl(statement)
        for function in FUNCTIONS:  # only the triggers may write (they run as the owner)
            await engine.run_ddl(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        for statement in TRIGGERS:
            await engine.run_ddl(statement)

    manager.add_raw(waiting)
    return manager
