"""The portfolio matrix's counts kept, not counted (issue 19): ``problem_cell``, a row per
organisation and (impact, urgency) cell with ``live``, its open or analysing problems, so the
matrix and a cell's page read at most 25 small rows instead of counting every live problem of
the organisation (6.5 ms at 20,000, growing with it).

- Kept by triggers in the same transaction as the problems, as the board's column counts
  (``board_column``, 2026-11-30T21:10) are: an insert, a delete, a status into or out of
  open/analysing, a re-score (a move between cells), on both databases. An organisation's
  first problem in a cell makes the cell's row; a row never counted reads as 0.
- PostgreSQL: deferred to the commit, so the row of a busy cell is locked only while its
  transaction commits; every change to an organisation's kept cells (problems' and risks',
  2026-12-01T00:10) first takes one lock of that organisation (``pg_advisory_xact_lock(19,
  org)``), so two writers touching several cells never take them crosswise and deadlock.
- Row-level security as on every tenant table; the app's role may only read (the SECURITY
  DEFINER functions, run by the triggers only, write).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the matrix's cell counts, kept by triggers"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
LIVE = "status IN ('open', 'analysing')"  # tracker/problems/queries.py LIVE

TABLE = (
    "CREATE TABLE problem_cell (org int NOT NULL, impact smallint NOT NULL, "
    "urgency smallint NOT NULL, live int NOT NULL DEFAULT 0, PRIMARY KEY (org, impact, urgency))"
)
FILL = (
    "INSERT INTO problem_cell (org, impact, urgency, live) "
    "SELECT pr.org, pr.impact, pr.urgency, COUNT(*) FROM problem pr "
    f"WHERE pr.{LIVE} AND pr.impact IS NOT NULL AND pr.urgency IS NOT NULL "
    "GROUP BY pr.org, pr.impact, pr.urgency"
)

DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
PG = [
    "ALTER TABLE problem_cell ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON problem_cell USING (org = {TENANT})",
    "GRANT SELECT ON problem_cell TO tracker_app",
    f"""
CREATE FUNCTION tracker_problem_cell_add(changed int, cell_impact int, cell_urgency int,
                                         delta int) RETURNS void {DEFINER} AS $$
BEGIN
    IF changed IS NULL OR cell_impact IS NULL OR cell_urgency IS NULL OR delta = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(19, changed);  -- the organisation's kept cells, in one order
    INSERT INTO problem_cell (org, impact, urgency, live)
    VALUES (changed, cell_impact, cell_urgency, delta)
    ON CONFLICT (org, impact, urgency) DO UPDATE SET live = problem_cell.live + EXCLUDED.live;
END
$$
""",
    f"""
CREATE FUNCTION tracker_problem_cell_changed() RETURNS trigger {DEFINER} AS $$
DECLARE
    was_live boolean := false;
    now_live boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was_live := COALESCE(OLD.{LIVE}, false);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        now_live := COALESCE(NEW.{LIVE}, false);
    END IF;
    IF was_live AND now_live AND OLD.org = NEW.org AND OLD.impact = NEW.impact
            AND OLD.urgency = NEW.urgency THEN
        RETURN NULL;  -- open to analysing or back: the same cell
    END IF;
    IF was_live THEN
        PERFORM tracker_problem_cell_add(OLD.org, OLD.impact, OLD.urgency, -1);
    END IF;
    IF now_live THEN
        PERFORM tracker_problem_cell_add(NEW.org, NEW.impact, NEW.urgency, 1);
    END IF;
    RETURN NULL;
END
$$
""",
]
FUNCTIONS = ("tracker_problem_cell_add(int, int, int, int)", "tracker_problem_cell_changed()")
DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
COUNTED = ("org", "impact", "urgency", "status")
TRIGGERS = [
    f"CREATE CONSTRAINT TRIGGER problem_cell AFTER INSERT OR DELETE ON problem {DEFERRED} "
    "EXECUTE FUNCTION tracker_problem_cell_changed()",
    f"CREATE CONSTRAINT TRIGGER problem_cell_updated AFTER UPDATE OF {', '.join(COUNTED)} "
    f"ON problem {DEFERRED} WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
    + ") EXECUTE FUNCTION tracker_problem_cell_changed()",
]


def _sqlite_add(row: str, delta: str) -> str:
    """Count ``row`` (OLD or NEW) into its cell by ``delta`` if it is live."""
    return (
        "INSERT OR IGNORE INTO problem_cell (org, impact, urgency, live) "
        f"SELECT {row}.org, {row}.impact, {row}.urgency, 0 WHERE {row}.{LIVE}; "
        f"UPDATE problem_cell SET live = live + {delta} WHERE org = {row}.org "
        f"AND impact = {row}.impact AND urgency = {row}.urgency AND {row}.{LIVE};"
    )


# SQLite: the same counts, by triggers that run with the statement (it has no wall)
SQLITE = [
    "CREATE TRIGGER problem_cell_insert AFTER INSERT ON problem FOR EACH ROW BEGIN "
    f"{_sqlite_add('NEW', '1')} END",
    "CREATE TRIGGER problem_cell_delete AFTER DELETE ON problem FOR EACH ROW BEGIN "
    f"{_sqlite_add('OLD', '-1')} END",
    f"CREATE TRIGGER problem_cell_moved AFTER UPDATE OF {', '.join(COUNTED)} ON problem "
    "FOR EACH ROW WHEN "
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    + f" BEGIN {_sqlite_add('OLD', '-1')} {_sqlite_add('NEW', '1')} END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def cells():
        engine = engine_finder()
        await engine.run_ddl(TABLE)
        await engine.run_ddl(FILL)
        if engine.engine_type != "postgres":
            for statement in SQLITE:
                await engine.run_ddl(statement)
            return
        for statement in PG:
            await engine.run_ddl(statement)
        for function in FUNCTIONS:  # only the triggers may count (they run as the owner)
            await engine.run_ddl(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        for statement in TRIGGERS:
            await engine.run_ddl(statement)

    manager.add_raw(cells)
    return manager
