"""Every table of the PostgreSQL schema, with its row-level policy or the reason it has none,
and what the walled role ``tracker_app`` may do to it. A new table fails here until it is
listed: a tenant table with its policy (README, "The tenant wall"), any other with its reason
and the narrowest grants the app needs (migration 2026-11-30T07:00)."""

from __future__ import annotations

import os

import asyncpg
import pytest

from tests.conftest import PG_URL, drop_postgres, fresh_postgres, need, reachable, run_cli

CRUD = "SELECT INSERT UPDATE DELETE"
TENANT = ("tenant_isolation", CRUD)  # rows of one organisation: app.tenant_id

# table -> (its row-level policies, or "none: <why>"; the grants of tracker_app)
TABLES: dict[str, tuple[str, str]] = {
    "attachment": ("tenant_isolation", "SELECT INSERT DELETE"),  # never edited
    "api_token": ("api_token_by_hash tenant_isolation", CRUD),
    "calendar_feed": ("calendar_feed_by_hash tenant_isolation", CRUD),
    "approval_step": TENANT,
    "as_is_step": TENANT,
    "audit_entry": ("tenant_isolation", "SELECT INSERT"),  # written by triggers, never changed
    "board_column": ("tenant_isolation", "SELECT"),  # kept by triggers only
    "board_revision": ("tenant_isolation", "SELECT"),  # moved by triggers only
    "problem_cell": ("tenant_isolation", "SELECT"),  # the matrix's counts: kept by triggers only
    "risk_cell": ("tenant_isolation", "SELECT"),  # the heat map's counts: kept by triggers only
    "review_waiting": ("tenant_isolation", "SELECT"),  # My reviews' rows: kept by triggers only
    "review_waiting_count": ("tenant_isolation", "SELECT"),  # and their totals: likewise
    "decision_correction": TENANT,
    "digest": TENANT,
    "digest_preference": TENANT,
    "digest_setting": TENANT,
    "email_message": TENANT,
    "gate_condition": TENANT,
    "gate_criterion": TENANT,
    "gate_decision": TENANT,
    "gate_review": TENANT,
    "gate_rule": TENANT,
    "gate_score": TENANT,
    "gate_vote": TENANT,
    "initiative": TENANT,
    "initiative_event": TENANT,
    "invitation": ("invitation_by_token tenant_isolation", CRUD),
    "kpi": TENANT,
    "kpi_alert": TENANT,
    "kpi_measurement": TENANT,
    "measure": TENANT,
    "membership": ("member_self tenant_isolation", CRUD),
    "optimisation_log": TENANT,
    "phase": TENANT,
    "pilot": TENANT,
    "pilot_feedback": TENANT,
    "pilot_metric": TENANT,
    "pilot_unmet_problem": TENANT,
    "problem": TENANT,
    "problem_score_change": TENANT,
    "raci_cell": TENANT,
    "raci_role": TENANT,
    "resistance_entry": TENANT,
    "review_assignment": TENANT,
    "review_criterion": TENANT,
    "risk": TENANT,
    "risk_score_change": TENANT,
    "rollout_wave": TENANT,
    "satisfaction_rating": TENANT,
    "sop_approval": TENANT,
    "sop_document": TENANT,
    "sop_step": TENANT,
    "sop_version": TENANT,
    "training_result": TENANT,
    "training_session": TENANT,
    "stored_file": TENANT,
    "stored_file_chunk": ("tenant_isolation", "SELECT INSERT DELETE"),  # written once
    "kpi_stage": TENANT,
    "control_chart_setting": TENANT,
    "sustainment_check": TENANT,
    "benefit_plan": TENANT,
    "benefit_realised": TENANT,
    "benefit_rebaseline": ("tenant_isolation", "SELECT INSERT"),  # history: never changed
    # a deleted comment keeps its row ("deleted" in the thread): no DELETE
    "comment": ("tenant_isolation", "SELECT INSERT UPDATE"),
    "comment_mention": ("tenant_isolation", "SELECT INSERT DELETE"),  # re-made on an edit
    "notification": ("tenant_isolation", "SELECT INSERT UPDATE"),  # never deleted by the app
    "notification_preference": TENANT,
    "person": (
        "none: a person belongs to no one organisation and is looked up by e-mail at log-in",
        "SELECT INSERT UPDATE(email) UPDATE(email_confirmed) UPDATE(language) UPDATE(name) "
        "UPDATE(password_hash) UPDATE(timezone) UPDATE(totp_enabled_at) UPDATE(totp_last_step) "
        "UPDATE(totp_secret)",
    ),
    "organisation": (
        "none: found by its address before the wall knows it (tracker_identify)",
        "SELECT INSERT UPDATE(language) UPDATE(timezone) UPDATE(training_pass_mark) "
        "UPDATE(require_2fa)",
    ),
    "web_session": (
        "none: read from the cookie before anyone is known; holds only a hash",
        "SELECT INSERT DELETE UPDATE(last_seen_at)",
    ),
    "login_failure": (
        "none: counted per e-mail address before anyone is known",
        "SELECT INSERT DELETE",
    ),
    "migration": ("none: Piccolo's applied migrations; only 'tracker migrate' (the owner)", ""),
    "password_reset": (
        "none: a reset link is asked for before anyone is known; holds only a token's hash",
        CRUD,  # recorded, given a link by the job, used once, cleaned up after a week
    ),
    "email_change": (
        "none: a person's own, confirmed from a link before they sign in; holds only a hash",
        CRUD,  # asked for, confirmed once, the person's other pending changes deleted
    ),
    "recovery_code": ("none: a person's own, reached by their id only; kept as hashes", CRUD),
    "account_mail": ("none: mail about a person's account, before any organisation", CRUD),
}

SEQUENCES = {  # the id sequences of the tables without an organisation
    "person_id_seq": "USAGE",
    "organisation_id_seq": "USAGE",
    "web_session_id_seq": "USAGE",
    "login_failure_id_seq": "USAGE",
    "migration_id_seq": "",
    "password_reset_id_seq": "USAGE",
    "email_change_id_seq": "USAGE",
    "recovery_code_id_seq": "USAGE",
    "account_mail_id_seq": "USAGE",
}


@pytest.fixture(scope="module")
async def migrated():
    need("PostgreSQL", reachable(PG_URL, 5432))
    name = f"tracker_replicas_grants_{os.getpid()}"
    url = await fresh_postgres(name)
    run_cli("migrate", database_url=url)
    connection = await asyncpg.connect(url)
    try:
        yield connection
    finally:
        await connection.close()
        await drop_postgres(name)


def _words(text: str) -> set[str]:
    return set(text.split())


async def test_every_table_is_listed_with_its_wall_and_grants(migrated):
    rows = await migrated.fetch(
        """
        SELECT c.relname AS name, c.relrowsecurity AS walled,
               ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
               ARRAY(SELECT g.privilege_type::text FROM information_schema.role_table_grants g
                     WHERE g.table_schema = 'public' AND g.table_name = c.relname
                       AND g.grantee = 'tracker_app') AS grants,
               ARRAY(SELECT g.privilege_type || '(' || g.column_name || ')'
                     FROM information_schema.column_privileges g
                     WHERE g.table_schema = 'public' AND g.table_name = c.relname
                       AND g.grantee = 'tracker_app') AS column_grants,
               EXISTS (SELECT 1 FROM information_schema.columns k WHERE k.table_schema = 'public'
                       AND k.table_name = c.relname AND k.column_name = 'org') AS has_org
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
        """
    )
    found = {row["name"]: row for row in rows}
    assert sorted(set(found) - set(TABLES)) == [], "new tables: list them in TABLES"
    assert sorted(set(TABLES) - set(found)) == [], "listed tables that no longer exist"
    for name, (wall, grants) in TABLES.items():
        row = found[name]
        table_grants = set(row["grants"])
        # a column grant counts only where the whole table is not granted the same
        column_grants = {g for g in row["column_grants"] if g.split("(")[0] not in table_grants}
        assert table_grants | column_grants == _words(grants), name
        if wall.startswith("none: "):
            assert not row["walled"] and row["policies"] == [], name
            assert not row["has_org"], f"{name} has an organisation: it needs the wall"
        else:
            assert row["walled"] and set(row["policies"]) == _words(wall), name
            assert row["has_org"], name


async def test_the_id_sequences_allow_only_what_an_insert_needs(migrated):
    for sequence, allowed in SEQUENCES.items():
        granted = {
            privilege
            for privilege in ("USAGE", "SELECT", "UPDATE")
            if await migrated.fetchval(
                "SELECT has_sequence_privilege('tracker_app', $1, $2)", sequence, privilege
            )
        }
        assert granted == _words(allowed), sequence


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM person",
        "UPDATE person SET created_at = now()",
        "UPDATE organisation SET slug = 'taken'",
        "DELETE FROM organisation",
        "UPDATE web_session SET expires_at = now() + interval '10 years'",
        "UPDATE login_failure SET at = now() - interval '1 day'",
        "SELECT * FROM migration",
        "DELETE FROM migration",
        "SELECT nextval('migration_id_seq')",
        "UPDATE audit_entry SET changes = '{}'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ],
)
async def test_the_walled_role_cannot_do_what_the_app_never_does(migrated, statement):
    """What a mistake or an injection behind the wall could otherwise do to every tenant."""
    async with migrated.transaction():
        await migrated.execute("SET LOCAL ROLE tracker_app")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await migrated.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        # what the app's code does to these tables (accounts, auth, digest and rollout
        # settings, organisations/shipped.py), as the walled role
        "INSERT INTO person (email, name, password_hash, created_at) "
        "VALUES ('new@example.com', 'New', 'x', now())",
        "UPDATE person SET password_hash = 'y', language = 'zh_Hans' WHERE id = 1",
        # your settings, and a new address confirmed from the link sent to it
        "UPDATE person SET name = 'N', timezone = 'Asia/Shanghai', email = 'n@example.com' "
        "WHERE id = 1",
        "INSERT INTO organisation (name, slug, timezone, training_pass_mark, language, created_at) "
        "VALUES ('New', 'new-org', 'UTC', 80, 'en', now())",
        "UPDATE organisation SET timezone = 'Asia/Shanghai', training_pass_mark = 90, "
        "language = 'zh_Hans' WHERE id = 1",
        "INSERT INTO web_session (token_hash, person, created_at, expires_at) "
        "SELECT 'h', id, now(), now() FROM person LIMIT 1",
        "DELETE FROM web_session WHERE token_hash = 'h'",
        "INSERT INTO login_failure (email, at) VALUES ('a@example.com', now())",
        "DELETE FROM login_failure WHERE email = 'a@example.com'",
    ],
)
async def test_the_walled_role_can_do_what_the_app_does(migrated, statement):
    transaction = migrated.transaction()
    await transaction.start()
    try:
        await migrated.execute("SET LOCAL ROLE tracker_app")
        await migrated.execute(statement)
    finally:
        await transaction.rollback()
