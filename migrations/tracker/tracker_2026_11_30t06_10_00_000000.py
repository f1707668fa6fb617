"""Account security, second step (issue 17).

- The tenant wall's role may use the new tables (recovery codes and account mail belong to a
  person, not to an organisation: no row-level policy, the app reaches them by person only).
- ``tracker_identify`` also ends a session that has been idle for longer than its
  ``idle_seconds``, notes when a session was last seen (at most once a minute), and tells
  whether the person logs in with a second factor and each organisation's two-factor rule.
- Invitation links no longer sit in the outbox: the links in messages already there are
  removed. A link already sent still works (its hash is unchanged); an invitation whose mail
  had not gone out yet is marked for sending again (Settings › Members › "Send again" makes
  a new link, rendered when the mail is sent).
"""

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-30T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "account security: grants, idle sessions, invitation links out of the outbox"

IDENTIFY = """
CREATE FUNCTION tracker_identify(wanted_session text, wanted_slug text)
RETURNS TABLE (
    person_id int, person_name text, person_email text, person_language text,
    org_id int, org_slug text, org_name text, role text, board_revision bigint,
    person_two_factor boolean, org_require_2fa text
)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    who record;
    wanted_org int;
    revision_now bigint;
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
    RETURN QUERY
        SELECT who.id, who.name::text, who.email::text, who.language::text,
               o.id, o.slug::text, o.name::text, m.role::text, revision_now,
               who.two_factor, o.require_2fa::text
        FROM (SELECT 1) AS one
        LEFT JOIN membership m ON m.person = who.id
        LEFT JOIN organisation o ON o.id = m.org
        ORDER BY o.name, o.id;
END
$$
"""

LINK = re.compile(r"https?://\S+/invite/[A-Za-z0-9_-]+")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def secure():
        engine = engine_finder()
        messages = await engine.run_ddl(
            "SELECT id, body_text, status FROM email_message WHERE kind = 'invitation'"
        )
        for message in messages:
            unsent = message["status"] != "sent"
            await engine.run_querystring(
                QueryString(
                    "UPDATE email_message SET body_text = {}, status = {}, last_error = {} "
                    "WHERE id = {}",
                    LINK.sub("(link removed)", message["body_text"]),
                    "cancelled" if unsent else "sent",
                    "Send the invitation again from Members." if unsent else "",
                    message["id"],
                )
            )
        if engine.engine_type != "postgres":
            return
        for table in ("recovery_code", "account_mail"):
            await engine.run_ddl(
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO tracker_app'
            )
        await engine.run_ddl("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app")
        await engine.run_ddl("DROP FUNCTION IF EXISTS tracker_identify(text, text)")
        await engine.run_ddl(IDENTIFY)

    manager.add_raw(secure)
    return manager
