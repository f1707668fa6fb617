"""Keys and walls of notifications (issue 16), and the unread count with the person.

- One notification per organisation, person and key (``notification_once``): a double click,
  a retried job or two workers insert one row, and so send one e-mail.
- The unread count is read by an index of the unread rows of a person (``notification_unread``).
- One preference per organisation, person and kind.
- Row-level security and narrow grants on both tables.
- ``tracker_identify`` also returns the person's unread count in the organisation of the path,
  so the bell in the top bar costs no query of its own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: keys, walls, the unread count with the person"

INDEXES = [
    "CREATE UNIQUE INDEX notification_once ON notification (org, person, key)",
    "CREATE INDEX notification_person ON notification (org, person, created_at)",
    "CREATE INDEX notification_unread ON notification (org, person) WHERE read_at IS NULL",
    "CREATE UNIQUE INDEX notification_preference_once "
    "ON notification_preference (org, person, kind)",
]
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"

IDENTIFY = """
CREATE FUNCTION tracker_identify(wanted_session text, wanted_slug text)
RETURNS TABLE (
    person_id int, person_name text, person_email text, person_language text,
    org_id int, org_slug text, org_name text, role text, board_revision bigint,
    person_two_factor boolean, org_require_2fa text, unread_notifications int
)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    who record;
    wanted_org int;
    revision_now bigint;
    unread_now int;
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
    END IF;
    RETURN QUERY
        SELECT who.id, who.name::text, who.email::text, who.language::text,
               o.id, o.slug::text, o.name::text, m.role::text, revision_now,
               who.two_factor, o.require_2fa::text,
               CASE WHEN o.id = wanted_org THEN COALESCE(unread_now, 0) ELSE 0 END
        FROM (SELECT 1) AS one
        LEFT JOIN membership m ON m.person = who.id
        LEFT JOIN organisation o ON o.id = m.org
        ORDER BY o.name, o.id;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def keys():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type != "postgres":
            return
        # a notification is never deleted by the app (read_at is its one change)
        await engine.run_ddl('GRANT SELECT, INSERT, UPDATE ON "notification" TO tracker_app')
        await engine.run_ddl(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON "notification_preference" TO tracker_app'
        )
        for table in ("notification", "notification_preference"):
            await engine.run_ddl(f'GRANT USAGE, SELECT ON SEQUENCE "{table}_id_seq" TO tracker_app')
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )
        await engine.run_ddl("DROP FUNCTION IF EXISTS tracker_identify(text, text)")
        await engine.run_ddl(IDENTIFY)

    manager.add_raw(keys)
    return manager
