"""The card's place on the portfolio board, on the initiative itself (issue 19): its column
(``board_phase``, the current phase's number, 1 without one), the day its current phase was
due while it is open (``board_due``: the phase's planned end, NULL once it ended) and the day
that phase started (``board_since``: its actual start), all a card shows of it. With them and
the index ``initiative_board`` a column's first cards are read through an index, in the
board's order (overdue first, then blocked, then at risk, then by code), whatever the number of
initiatives; ``initiative_board_due`` finds the overdue ones, ``initiative_departments`` the
filter's departments (a skip over the index, ``queries.DEPARTMENTS``).

Triggers keep both columns, so every writer is covered (gate decisions, imports, the demo, a
hand-made fix): PostgreSQL sets them before an initiative's row is written, SQLite right
after; a change of a current phase's number or dates rewrites its initiative's. They are not
Piccolo columns (the app never writes them) and the audit trail skips them
(``tracker.audit.rules``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the card's place on the board: its column and due day, kept by triggers, indexed"

# The board's order within a column after "overdue first" (the same text in tracker/initiatives/
# queries.py: an expression index serves only a query that writes it alike).
RANK = "(CASE status WHEN 'blocked' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END)"

COLUMNS = [
    "ALTER TABLE initiative ADD COLUMN board_phase smallint NOT NULL DEFAULT 1",
    "ALTER TABLE initiative ADD COLUMN board_due date",
    "ALTER TABLE initiative ADD COLUMN board_since date",
]
INDEXES = [
    f"CREATE INDEX initiative_board ON initiative (org, board_phase, {RANK}, process_code)",
    "CREATE INDEX initiative_board_due ON initiative (org, board_phase, board_due)",
    "CREATE INDEX initiative_departments ON initiative (org, departments)",
]

# the current phase's values, for the initiative row ``row`` (SQLite: NEW, or the table itself)
PHASE_NO = "COALESCE((SELECT p.number FROM phase p WHERE p.id = {row}.current_phase), 1)"
DUE = (
    "(SELECT CASE WHEN p.actual_end IS NULL THEN p.planned_end END FROM phase p "
    "WHERE p.id = {row}.current_phase)"
)
SINCE = "(SELECT p.actual_start FROM phase p WHERE p.id = {row}.current_phase)"

PG = [
    """
CREATE FUNCTION tracker_board_place() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    NEW.board_phase := COALESCE((SELECT p.number FROM phase p WHERE p.id = NEW.current_phase), 1);
    SELECT CASE WHEN p.actual_end IS NULL THEN p.planned_end END, p.actual_start
    INTO NEW.board_due, NEW.board_since FROM phase p WHERE p.id = NEW.current_phase;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER board_place
BEFORE INSERT OR UPDATE OF current_phase, board_phase, board_due, board_since ON initiative
FOR EACH ROW EXECUTE FUNCTION tracker_board_place()
""",
    # a current phase's new number or dates: its initiative's row is written again (above)
    """
CREATE FUNCTION tracker_board_phase_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE initiative SET current_phase = current_phase
    WHERE id = NEW.initiative AND current_phase = NEW.id;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER board_place AFTER UPDATE OF number, planned_end, actual_start, actual_end
ON phase FOR EACH ROW WHEN (OLD.number IS DISTINCT FROM NEW.number
                            OR OLD.planned_end IS DISTINCT FROM NEW.planned_end
                            OR OLD.actual_start IS DISTINCT FROM NEW.actual_start
                            OR OLD.actual_end IS DISTINCT FROM NEW.actual_end)
EXECUTE FUNCTION tracker_board_phase_moved()
""",
    "REVOKE EXECUTE ON FUNCTION tracker_board_place() FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION tracker_board_phase_moved() FROM PUBLIC",
]


def _set(row: str, where: str, differs: str = "IS NOT") -> str:
    """The initiatives' place from their current phase (where it differs, so that a trigger
    that writes it never fires itself again)."""
    phase_no, due, since = (v.format(row=row) for v in (PHASE_NO, DUE, SINCE))
    return (
        f"UPDATE initiative SET board_phase = {phase_no}, board_due = {due}, "
        f"board_since = {since} WHERE {where} AND (board_phase {differs} {phase_no} "
        f"OR board_due {differs} {due} OR board_since {differs} {since})"
    )


SQLITE = [
    "CREATE TRIGGER board_place_insert AFTER INSERT ON initiative FOR EACH ROW BEGIN "
    f"{_set('NEW', 'id = NEW.id')}; END",
    "CREATE TRIGGER board_place_update AFTER UPDATE OF current_phase, board_phase, board_due, "
    f"board_since ON initiative FOR EACH ROW BEGIN {_set('NEW', 'id = NEW.id')}; END",
    "CREATE TRIGGER board_place_phase AFTER UPDATE OF number, planned_end, actual_start, "
    "actual_end ON phase FOR EACH ROW BEGIN "
    f"{_set('initiative', 'id = NEW.initiative AND current_phase = NEW.id')}; END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def place():
        from tracker.audit.triggers import install_tables

        engine = engine_finder()
        for statement in COLUMNS:
            await engine.run_ddl(statement)
        # the audit trail skips the new columns (its PostgreSQL trigger names them; SQLite's
        # are written from the schema) before they are filled in
        await install_tables(engine, "initiative")
        postgres = engine.engine_type == "postgres"
        for statement in INDEXES:
            await engine.run_ddl(statement)
        await engine.run_ddl(
            _set("initiative", "1 = 1", "IS DISTINCT FROM" if postgres else "IS NOT")
        )
        if postgres:  # the board's revision moves now, not at the commit after more DDL
            await engine.run_ddl("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in PG if postgres else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(place)
    return manager
