"""The tenant wall's front door in one round trip: a function that finds the signed-in person
from their session, sets the wall's settings for the transaction (the organisation named in the
address, the person), then reads the person's memberships under those settings. It runs with
the caller's rights (SECURITY INVOKER), so the row-level policies apply inside it as outside."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenant wall: identify a request in one round trip"

IDENTIFY = """
CREATE OR REPLACE FUNCTION tracker_identify(wanted_session text, wanted_slug text)
RETURNS TABLE (
    person_id int, person_name text, person_email text, person_language text,
    org_id int, org_slug text, org_name text, role text
)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    who record;
    org int;
BEGIN
    SELECT p.id, p.name, p.email, p.language INTO who
    FROM web_session s JOIN person p ON p.id = s.person
    WHERE s.token_hash = wanted_session AND s.expires_at > now();
    SELECT o.id INTO org FROM organisation o WHERE o.slug = wanted_slug;
    PERFORM set_config('app.tenant_id', COALESCE(org::text, ''), true);
    PERFORM set_config('app.person_id', COALESCE(who.id::text, ''), true);
    IF who.id IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT who.id, who.name::text, who.email::text, who.language::text,
               o.id, o.slug::text, o.name::text, m.role::text
        FROM (SELECT 1) AS one
        LEFT JOIN membership m ON m.person = who.id
        LEFT JOIN organisation o ON o.id = m.org
        ORDER BY o.name, o.id;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def identify():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(IDENTIFY)

    manager.add_raw(identify)
    return manager
