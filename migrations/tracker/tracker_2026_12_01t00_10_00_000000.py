"""The portfolio heat map's counts kept, not counted (issue 19): ``risk_cell``, a row per
organisation and (likelihood, impact) cell with ``live``, its risks not closed (what the heat
map shows), so the heat map reads at most 25 small rows instead of counting every risk of the
organisation (30,000 at 10,000 initiatives: the slowest page left).

Kept exactly as the matrix's ``problem_cell`` (2026-12-01T00:00): triggers in the same
transaction as the risks on both databases (an insert, a delete, closing and re-opening, a
re-score), deferred to the commit on PostgreSQL behind the same lock of the organisation
(``pg_advisory_xact_lock(19, org)``), readable by the app's role behind the wall, written
only by the SECURITY DEFINER functions the triggers run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the heat map's cell counts, kept by triggers"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
LIVE = "status <> 'closed'"  # tracker/risks/queries.py HEAT

TABLE = (
    "CREATE TABLE risk_cell (org int NOT NULL, likelihood smallint NOT NULL, "
    "impact smallint NOT NULL, live int NOT NULL DEFAULT 0, PRIMARY KEY (org, likelihood, impact))"
)
FILL = (
    "INSERT INTO risk_cell (org, likelihood, impact, live) "
    "SELECT r.org, r.likelihood, r.impact, COUNT(*) FROM risk r "
    f"WHERE r.{LIVE} AND r.likelihood IS NOT NULL AND r.impact IS NOT NULL "
    "GROUP BY r.org, r.likelihood, r.impact"
)

DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
PG = [
    "ALTER TABLE risk_cell ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON risk_cell USING (org = {TENANT})",
    "GRANT SELECT ON risk_cell TO tracker_app",
    f"""
CREATE FUNCTION tracker_risk_cell_add(changed int, cell_likelihood int, cell_impact int,
                                      delta int) RETURNS void {DEFINER} AS $$
BEGIN
    IF changed IS NULL OR cell_likelihood IS NULL OR cell_impact IS NULL OR delta = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(19, changed);  -- the organisation's kept cells, in one order
    INSERT INTO risk_cell (org, likelihood, impact, live)
    VALUES (changed, cell_likelihood, cell_impact, delta)
    ON CONFLICT (org, likelihood, impact) DO UPDATE SET live = risk_cell.live + EXCLUDED.live;
END
$$
""",
    f"""
CREATE FUNCTION tracker_risk_cell_changed() RETURNS trigger {DEFINER} AS $$
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
    IF was_live AND now_live AND OLD.org = NEW.org AND OLD.likelihood = NEW.likelihood
            AND OLD.impact = NEW.impact THEN
        RETURN NULL;  -- open to mitigating or back: the same cell
    END IF;
    IF was_live THEN
        PERFORM tracker_risk_cell_add(OLD.org, OLD.likelihood, OLD.impact, -1);
    END IF;
    IF now_live THEN
        PERFORM tracker_risk_cell_add(NEW.org, NEW.likelihood, NEW.impact, 1);
    END IF;
    RETURN NULL;
END
$$
""",
]
FUNCTIONS = ("tracker_risk_cell_add(int, int, int, int)", "tracker_risk_cell_changed()")
DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
COUNTED = ("org", "likelihood", "impact", "status")
TRIGGERS = [
    f"CREATE CONSTRAINT TRIGGER risk_cell AFTER INSERT OR DELETE ON risk {DEFERRED} "
    "EXECUTE FUNCTION tracker_risk_cell_changed()",
    f"CREATE CONSTRAINT TRIGGER risk_cell_updated AFTER UPDATE OF {', '.join(COUNTED)} "
    f"ON risk {DEFERRED} WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
    + ") EXECUTE FUNCTION tracker_risk_cell_changed()",
]


def _sqlite_add(row: str, delta: str) -> str:
    """Count ``row`` (OLD or NEW) into its cell by ``delta`` if it is live."""
    return (
        "INSERT OR IGNORE INTO risk_cell (org, likelihood, impact, live) "
        f"SELECT {row}.org, {row}.likelihood, {row}.impact, 0 WHERE {row}.{LIVE}; "
        f"UPDATE risk_cell SET live = live + {delta} WHERE org = {row}.org "
        f"AND likelihood = {row}.likelihood AND impact = {row}.impact AND {row}.{LIVE};"
    )


# SQLite: the same counts, by triggers that run with the statement (it has no wall)
SQLITE = [
    "CREATE TRIGGER risk_cell_insert AFTER INSERT ON risk FOR EACH ROW BEGIN "
    f"{_sqlite_add('NEW', '1')} END",
    "CREATE TRIGGER risk_cell_delete AFTER DELETE ON risk FOR EACH ROW BEGIN "
    f"{_sqlite_add('OLD', '-1')} END",
    f"CREATE TRIGGER risk_cell_moved AFTER UPDATE OF {', '.join(COUNTED)} ON risk "
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
