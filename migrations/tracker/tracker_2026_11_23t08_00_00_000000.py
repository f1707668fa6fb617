"""The board's revision: a number per organisation that changes, in the same transaction, with
anything the portfolio board shows (its initiatives, their current phases, open reviews and
conditions, the owners one can filter by and their names, open KPI alerts). A web process
keeps what it read for the board under that number (tracker.fragments) and reads the number
with the person (``tracker_identify``, one round trip): while it is unchanged, the board needs
no other query; once it changes, on any replica, the next board reads afresh.

- Triggers set it, so every writer is covered: the app, jobs, imports, a hand-made fix.
- It is set once per organisation and transaction, at commit (a deferred constraint trigger):
  the row is locked only while committing, after every other lock of the transaction, so two
  writers never deadlock over it, and readers see the new number with the new rows.
- Numbers come from one sequence that starts at a random point, so a number never means two
  states: not across organisations, and not across databases (a test suite's fresh database).

PostgreSQL only: SQLite (the embedded default) has no wall and reads the board each time.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the board's revision, kept by triggers and read with the person"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"

# Tables whose rows carry the organisation and show on the board: the changes that move the
# board's revision (all of them unless columns are named; then an insert, a delete, or an
# update that changes one of those columns). The vote's claim on its review
# (``claim = claim + 1``) is not among them: it moves no board.
BOARD_TABLES: dict[str, tuple[str, ...]] = {
    "initiative": (),
    "phase": (),
    "gate_review": ("initiative", "status"),
    "gate_condition": (),
    "membership": (),
    "kpi": ("initiative", "name", "unit", "direction"),
    "kpi_alert": (),
}

STATEMENTS = [
    "CREATE SEQUENCE board_revision_number",
    "SELECT setval('board_revision_number', 1 + floor(random() * 4503599627370496)::bigint)",
    "CREATE TABLE board_revision (org int PRIMARY KEY, revision bigint NOT NULL)",
    "ALTER TABLE board_revision ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON board_revision USING (org = {TENANT})",
    "GRANT SELECT ON board_revision TO tracker_app",
    "INSERT INTO board_revision SELECT id, nextval('board_revision_number') FROM organisation",
    """
CREATE FUNCTION tracker_board_changed(changed int) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF changed IS NULL
       OR current_setting('tracker.board_changed_' || changed, true) = 'y' THEN
        RETURN;
    END IF;
    PERFORM set_config('tracker.board_changed_' || changed, 'y', true);
    INSERT INTO board_revision (org, revision)
    VALUES (changed, nextval('board_revision_number'))
    ON CONFLICT (org) DO UPDATE SET revision = EXCLUDED.revision;
END
$$
""",
    # Only the triggers below may move a revision (they run as the tables' owner).
    "REVOKE EXECUTE ON FUNCTION tracker_board_changed(int) FROM PUBLIC",
    """
CREATE FUNCTION tracker_board_row_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM tracker_board_changed(OLD.org);
    ELSE
        PERFORM tracker_board_changed(NEW.org);
    END IF;
    RETURN NULL;
END
$$
""",
    # A person's name shows on the boards of every organisation they belong to.
    """
CREATE FUNCTION tracker_board_person_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    member_of int;
BEGIN
    -- in the organisations' order, so that two such renames never wait for each other crosswise
    FOR member_of IN SELECT m.org FROM membership m WHERE m.person = NEW.id ORDER BY m.org LOOP
        PERFORM tracker_board_changed(member_of);
    END LOOP;
    RETURN NULL;
END
$$
""",
    """
CREATE CONSTRAINT TRIGGER board_changed AFTER UPDATE OF name ON person
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION tracker_board_person_changed()
""",
    "DROP FUNCTION IF EXISTS tracker_identify(text, text)",
    # As in migration 2026-11-23T07:00, with the board's revision of the organisation named.
    """
CREATE FUNCTION tracker_identify(wanted_session text, wanted_slug text)
RETURNS TABLE (
    person_id int, person_name text, person_email text, person_language text,
    org_id int, org_slug text, org_name text, role text, board_revision bigint
)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    who record;
    wanted_org int;
    revision_now bigint;
BEGIN
    SELECT p.id, p.name, p.email, p.language INTO who
    FROM web_session s JOIN person p ON p.id = s.person
    WHERE s.token_hash = wanted_session AND s.expires_at > now();
    SELECT o.id INTO wanted_org FROM organisation o WHERE o.slug = wanted_slug;
    PERFORM set_config('app.tenant_id', COALESCE(wanted_org::text, ''), true);
    PERFORM set_config('app.person_id', COALESCE(who.id::text, ''), true);
    IF who.id IS NULL THEN
        RETURN;
    END IF;
    SELECT b.revision INTO revision_now FROM board_revision b WHERE b.org = wanted_org;
    RETURN QUERY
        SELECT who.id, who.name::text, who.email::text, who.language::text,
               o.id, o.slug::text, o.name::text, m.role::text, revision_now
        FROM (SELECT 1) AS one
        LEFT JOIN membership m ON m.person = who.id
        LEFT JOIN organisation o ON o.id = m.org
        ORDER BY o.name, o.id;
END
$$
""",
]


def table_triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    run = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracker_board_row_changed()"
    if not columns:
        return [
            f'CREATE CONSTRAINT TRIGGER board_changed AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            + run
        ]
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return [
        f'CREATE CONSTRAINT TRIGGER board_changed AFTER INSERT OR DELETE ON "{table}" ' + run,
        f"CREATE CONSTRAINT TRIGGER board_updated AFTER UPDATE OF {', '.join(columns)} "
        f'ON "{table}" {run.replace("FOR EACH ROW", f"FOR EACH ROW WHEN ({changed})")}',
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def board_revision():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        for table, columns in BOARD_TABLES.items():
            for statement in table_triggers(table, columns):
                await engine.run_ddl(statement)

    manager.add_raw(board_revision)
    return manager
