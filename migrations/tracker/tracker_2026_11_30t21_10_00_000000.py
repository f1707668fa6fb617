"""The board's parts, each with its count and its own revision (issue 19): a row per
organisation and part, ``board_column``: part 0 is the filter form's choices (the owners, the
departments), parts 1–6 the phase columns, with ``total``, the initiatives in that column.

- The counts are kept by triggers in the same transaction as the initiatives (both databases),
  so the board reads "Showing 25 of 1,700" without counting 1,700 rows.
- PostgreSQL: the revisions move with what each part shows, as the board's revision (migration
  2026-11-23T08:00) does with the whole board, at commit and from the same sequence: a card's
  initiative, its current phase's dates, its open review and conditions move its column (both
  columns when it changes phase); a member joining or leaving, or an initiative's departments,
  move the filter form; a person's new name moves every part of their organisations.
  ``tracker_identify`` returns the seven with the person (``board_parts``), and a web process
  keeps each column rendered under its own: a KPI alert, a vote or a re-score re-renders no
  column, a decision the one or two it touches.
- Every part's change also moves the organisation's board revision first, so that writers of
  one organisation take their rows in one order (that one first) and never deadlock.
- Row-level security as on every tenant table; the app's role may only read (triggers write).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the board's parts: a count and a revision per column, kept by triggers"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
PARTS = " UNION ALL ".join(f"SELECT {n} AS part" for n in range(7))

TABLE = (
    "CREATE TABLE board_column (org int NOT NULL, phase smallint NOT NULL, "
    "total int NOT NULL DEFAULT 0, revision bigint NOT NULL DEFAULT 0, PRIMARY KEY (org, phase))"
)
FILL = (
    "INSERT INTO board_column (org, phase, total, revision) "
    "SELECT o.id, n.part, (SELECT COUNT(*) FROM initiative i "
    "WHERE i.org = o.id AND i.board_phase = n.part), {revision} "
    f"FROM organisation o CROSS JOIN ({PARTS}) n"
)

DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public"
PG = [
    "ALTER TABLE board_column ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON board_column USING (org = {TENANT})",
    "GRANT SELECT ON board_column TO tracker_app",
    # a part of an organisation's board changed (``delta``: initiatives into or out of it)
    f"""
CREATE FUNCTION tracker_board_part_changed(changed int, part int, delta int) RETURNS void
{DEFINER} AS $$
BEGIN
    IF changed IS NULL OR part IS NULL OR (delta = 0 AND current_setting(
            'tracker.board_part_' || changed || '_' || part, true) = 'y') THEN
        RETURN;
    END IF;
    PERFORM tracker_board_changed(changed);
    PERFORM set_config('tracker.board_part_' || changed || '_' || part, 'y', true);
    UPDATE board_column SET total = total + delta, revision = nextval('board_revision_number')
    WHERE org = changed AND phase = part;
    IF NOT FOUND THEN  -- a new organisation: all its parts at once, so each has a revision
        INSERT INTO board_column (org, phase, total, revision)
        SELECT changed, n, CASE WHEN n = part THEN delta ELSE 0 END,
               nextval('board_revision_number')
        FROM generate_series(0, 6) AS n
        ON CONFLICT (org, phase) DO UPDATE
        SET total = board_column.total + EXCLUDED.total, revision = EXCLUDED.revision;
    END IF;
END
$$
""",
    f"""
CREATE FUNCTION tracker_board_initiative_changed() RETURNS trigger {DEFINER} AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_board_part_changed(NEW.org, NEW.board_phase, 1);
        PERFORM tracker_board_part_changed(NEW.org, 0, 0);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM tracker_board_part_changed(OLD.org, OLD.board_phase, -1);
        PERFORM tracker_board_part_changed(OLD.org, 0, 0);
    ELSE
        IF OLD.board_phase <> NEW.board_phase THEN
            PERFORM tracker_board_part_changed(NEW.org, n, CASE n WHEN NEW.board_phase THEN 1
                                                                    ELSE -1 END)
            FROM unnest(ARRAY[LEAST(OLD.board_phase, NEW.board_phase),
                              GREATEST(OLD.board_phase, NEW.board_phase)]) AS n;
        ELSE
            PERFORM tracker_board_part_changed(NEW.org, NEW.board_phase, 0);
        END IF;
        IF OLD.departments IS DISTINCT FROM NEW.departments THEN
            PERFORM tracker_board_part_changed(NEW.org, 0, 0);
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
    # a row shown on a card (its current phase, an open review, a condition): the card's column
    f"""
CREATE FUNCTION tracker_board_card_changed() RETURNS trigger {DEFINER} AS $$
DECLARE
    was_in int;
    now_in int;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT i.board_phase INTO was_in FROM initiative i WHERE i.id = OLD.initiative
          AND (TG_TABLE_NAME <> 'phase' OR i.current_phase = OLD.id);
        PERFORM tracker_board_part_changed(OLD.org, was_in, 0);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT i.board_phase INTO now_in FROM initiative i WHERE i.id = NEW.initiative
          AND (TG_TABLE_NAME <> 'phase' OR i.current_phase = NEW.id);
        PERFORM tracker_board_part_changed(NEW.org, now_in, 0);
    END IF;
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION tracker_board_member_changed() RETURNS trigger {DEFINER} AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tracker_board_part_changed(OLD.org, 0, 0);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tracker_board_part_changed(NEW.org, 0, 0);
    END IF;
    RETURN NULL;
END
$$
""",
    # As in migration 2026-11-23T08:00, and every part of the board: the cards show the name.
    f"""
CREATE OR REPLACE FUNCTION tracker_board_person_changed() RETURNS trigger {DEFINER} AS $$
DECLARE
    member_of int;
BEGIN
    -- in the organisations' order, so that two such renames never wait for each other crosswise
    FOR member_of IN SELECT m.org FROM membership m WHERE m.person = NEW.id ORDER BY m.org LOOP
        PERFORM tracker_board_changed(member_of);
        PERFORM tracker_board_part_changed(member_of, part, 0) FROM generate_series(0, 6) part;
    END LOOP;
    RETURN NULL;
END
$$
""",
]
FUNCTIONS = (
    "tracker_board_part_changed(int, int, int)",
    "tracker_board_initiative_changed()",
    "tracker_board_card_changed()",
    "tracker_board_member_changed()",
)
DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
# the columns of an initiative a card or the filter form shows
SHOWN = (
    "name",
    "process_code",
    "status",
    "owner",
    "departments",
    "process_class",
    "current_phase",
    "board_phase",
    "board_due",
    "board_since",
)
TRIGGERS = [
    f"CREATE CONSTRAINT TRIGGER board_part AFTER INSERT OR DELETE ON initiative {DEFERRED} "
    "EXECUTE FUNCTION tracker_board_initiative_changed()",
    f"CREATE CONSTRAINT TRIGGER board_part_updated AFTER UPDATE OF {', '.join(SHOWN)} "
    f"ON initiative {DEFERRED.replace('ROW', 'ROW WHEN (')}"
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SHOWN)
    + ") EXECUTE FUNCTION tracker_board_initiative_changed()",
    f"CREATE CONSTRAINT TRIGGER board_part AFTER INSERT OR UPDATE OR DELETE ON phase {DEFERRED} "
    "EXECUTE FUNCTION tracker_board_card_changed()",
    f"CREATE CONSTRAINT TRIGGER board_part AFTER INSERT OR UPDATE OR DELETE ON gate_condition "
    f"{DEFERRED} EXECUTE FUNCTION tracker_board_card_changed()",
    f"CREATE CONSTRAINT TRIGGER board_part AFTER INSERT OR DELETE ON gate_review {DEFERRED} "
    "EXECUTE FUNCTION tracker_board_card_changed()",
    "CREATE CONSTRAINT TRIGGER board_part_updated AFTER UPDATE OF initiative, status "
    f"ON gate_review {DEFERRED.replace('ROW', 'ROW WHEN (')}OLD.initiative IS DISTINCT FROM "
    "NEW.initiative OR OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION tracker_board_card_changed()",
    f"CREATE CONSTRAINT TRIGGER board_part AFTER INSERT OR UPDATE OR DELETE ON membership "
    f"{DEFERRED} EXECUTE FUNCTION tracker_board_member_changed()",
]

# As in migration 2026-11-30T12:10, with the revisions of the board's parts (0: the filter
# form, 1–6: the columns; NULL for a part never counted).
IDENTIFY = """
CREATE FUNCTION tracker_identify(wanted_session text, wanted_slug text)
RETURNS TABLE (
    person_id int, person_name text, person_email text, person_language text,
    org_id int, org_slug text, org_name text, role text, board_revision bigint,
    person_two_factor boolean, org_require_2fa text, unread_notifications int,
    board_parts bigint[]
)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    who record;
    wanted_org int;
    revision_now bigint;
    unread_now int;
    parts_now bigint[];
BEGIN
    SELECT p.id, p.name, p.email, p.language, COALESCE(s.last_seen_at, s.created_at) AS seen,
           p.totp_enabled_at IS NOT NULL AS two_factor INTO who
    FROM web_session s JOIN person p ON p.id = s.person
    WHERE s.token_hash = wanted_session AND s.expires_at > now()
      AND COALESCE(s.last_seen_at, s.created_at) + make_interval(secs => s.idle_seconds) > now();
    IF who.id IS NOT NULL AND who.seen < now() - interval '60 seconds' THEN
        UPDATE web_session SET last_seen_at = now() WHERE token_hash = wanted_session;
    END IF;
    SELECT o.id INTO wanted_org FROM organisation o WHERE o.slug = wanted_slug;
    PERFORM set_config('app.tenant_id', COALESCE(wanted_org::text, ''), true);
    PERFORM set_config('app.person_id', COALESCE(who.id::text, ''), true);
    IF who.id IS NULL THEN
        RETURN;
    END IF;
    SELECT b.revision INTO revision_now FROM board_revision b WHERE b.org = wanted_org;
    IF wanted_org IS NOT NULL THEN
        SELECT COUNT(*) INTO unread_now FROM notification n
        WHERE n.org = wanted_org AND n.person = who.id AND n.read_at IS NULL;
        SELECT array_agg(c.revision ORDER BY n.part) INTO parts_now
        FROM generate_series(0, 6) AS n(part)
        LEFT JOIN board_column c ON c.org = wanted_org AND c.phase = n.part;
    END IF;
    RETURN QUERY
        SELECT who.id, who.name::text, who.email::text, who.language::text,
               o.id, o.slug::text, o.name::text, m.role::text, revision_now,
               who.two_factor, o.require_2fa::text,
               CASE WHEN o.id = wanted_org THEN COALESCE(unread_now, 0) ELSE 0 END,
               parts_now
        FROM (SELECT 1) AS one
        LEFT JOIN membership m ON m.person = who.id
        LEFT JOIN organisation o ON o.id = m.org
        ORDER BY o.name, o.id;
END
$$
"""


def _sqlite_add(row: str, delta: str) -> str:
    return (
        f"INSERT OR IGNORE INTO board_column (org, phase, total, revision) "
        f"VALUES ({row}.org, {row}.board_phase, 0, 0); "
        f"UPDATE board_column SET total = total + {delta} "
        f"WHERE org = {row}.org AND phase = {row}.board_phase;"
    )


# SQLite: the counts only (no revisions: it has no wall, and reads the board each time)
SQLITE = [
    "CREATE TRIGGER board_part_insert AFTER INSERT ON initiative FOR EACH ROW BEGIN "
    f"{_sqlite_add('NEW', '1')} END",
    "CREATE TRIGGER board_part_delete AFTER DELETE ON initiative FOR EACH ROW BEGIN "
    f"{_sqlite_add('OLD', '-1')} END",
    "CREATE TRIGGER board_part_moved AFTER UPDATE OF board_phase ON initiative FOR EACH ROW "
    "WHEN OLD.board_phase IS NOT NEW.board_phase BEGIN "
    f"{_sqlite_add('OLD', '-1')} {_sqlite_add('NEW', '1')} END",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def parts():
        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        await engine.run_ddl(TABLE)
        await engine.run_ddl(
            FILL.format(revision="nextval('board_revision_number')" if postgres else "0")
        )
        if not postgres:
            for statement in SQLITE:
                await engine.run_ddl(statement)
            return
        for statement in PG:
            await engine.run_ddl(statement)
        for function in FUNCTIONS:  # only the triggers may move a part (they run as the owner)
            await engine.run_ddl(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        for statement in TRIGGERS:
            await engine.run_ddl(statement)
        await engine.run_ddl("DROP FUNCTION IF EXISTS tracker_identify(text, text)")
        await engine.run_ddl(IDENTIFY)

    manager.add_raw(parts)
    return manager
