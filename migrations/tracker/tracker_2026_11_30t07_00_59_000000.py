"""Grants for account security (issue 17), after the narrowest grants of 2026-11-30T07:00
(which revoked everything on the tables without an organisation, and ran after this branch's
own migrations of 2026-11-30T06:xx; hence this ID outside their range).

- person: update also ``email_confirmed`` (the confirmation link) and ``totp_secret``,
  ``totp_enabled_at``, ``totp_last_step`` (two-factor log-in: enrolling, turning it off, a
  code accepted once).
- organisation: update also ``require_2fa`` (who must use two-factor log-in).
- web_session: update only ``last_seen_at`` (the idle timeout; ``tracker_identify``).
- recovery_code, account_mail: a person's own rows, no organisation; read, insert, update,
  delete (recovery codes are replaced, account mail is marked sent), with their id sequences.
PostgreSQL only: SQLite has no roles.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T07:00:59:000000"
VERSION = "1.38.0"
DESCRIPTION = "account security grants"

STATEMENTS = [
    "GRANT UPDATE (email_confirmed, totp_secret, totp_enabled_at, totp_last_step) "
    "ON person TO tracker_app",
    "GRANT UPDATE (require_2fa) ON organisation TO tracker_app",
    "GRANT UPDATE (last_seen_at) ON web_session TO tracker_app",
    "REVOKE ALL ON recovery_code, account_mail FROM tracker_app",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON recovery_code, account_mail TO tracker_app",
    "REVOKE ALL ON SEQUENCE recovery_code_id_seq, account_mail_id_seq FROM tracker_app",
    "GRANT USAGE ON SEQUENCE recovery_code_id_seq, account_mail_id_seq TO tracker_app",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def grant():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(grant)
    return manager
