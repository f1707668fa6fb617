"""The narrowest grants for the tables without an organisation.

Row-level security cannot fence the tables that belong to no organisation: a person, their
sessions and failed log-ins are looked up before any organisation is known (log-in, the
session cookie), and an organisation by its address. What fences them is what the walled role
``tracker_app`` may do there, now only what the app's code does (tests/integration/
test_table_grants.py lists every table with its policy or its reason, and these grants):

- person: read; insert (sign-up, accepting an invitation); update only ``password_hash``
  (password change) and ``language`` (the language switch). Never deleted by the app.
- organisation: read; insert (sign-up, a new organisation); update only ``timezone`` (digest
  settings), ``training_pass_mark`` (rollout settings) and ``language`` (the language of its
  shipped defaults, ``organisations/shipped.py``). Never deleted, never renamed.
- web_session: read, insert (log-in), delete (log-out, a password change); never updated.
- login_failure: read, insert, delete (a successful log-in clears them); never updated.
- migration (Piccolo's record of applied migrations): nothing; ``tracker migrate`` runs as
  the owner.

Their id sequences: USAGE only (an insert's default), nothing on Piccolo's. A later migration
that grants on ALL TABLES widens these again: grant table by table instead.
PostgreSQL only: SQLite has no roles.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "narrowest grants for the tables without an organisation"

STATEMENTS = [
    "REVOKE ALL ON person, organisation, web_session, login_failure, migration FROM tracker_app",
    "GRANT SELECT, INSERT ON person, organisation TO tracker_app",
    "GRANT UPDATE (password_hash, language) ON person TO tracker_app",
    "GRANT UPDATE (timezone, training_pass_mark, language) ON organisation TO tracker_app",
    "GRANT SELECT, INSERT, DELETE ON web_session, login_failure TO tracker_app",
    "REVOKE ALL ON SEQUENCE person_id_seq, organisation_id_seq, web_session_id_seq, "
    "login_failure_id_seq, migration_id_seq FROM tracker_app",
    "GRANT USAGE ON SEQUENCE person_id_seq, organisation_id_seq, web_session_id_seq, "
    "login_failure_id_seq TO tracker_app",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def narrow():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(narrow)
    return manager
