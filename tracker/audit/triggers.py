"""The one mechanism of the audit trail: database triggers on every audited table.

A trigger sees every write, whoever makes it: a page, the API, a job, an import, a
hand-written query. The actor is read from the transaction (PostgreSQL: ``app.person_id``
set by ``tracker_identify`` / ``tenant_transaction``, ``app.token_id`` set by the API's token
check) or from the connection (SQLite: the functions ``tracker_actor_person()`` and
``tracker_actor_token()`` that ``tracker.db`` registers on every connection it opens, fed from
the request's context). A write to an audited table from a connection without them (the
``sqlite3`` shell) fails rather than leave no trace.

PostgreSQL: one generic PL/pgSQL function compares ``to_jsonb(OLD)`` and ``to_jsonb(NEW)``, so
columns added later are recorded without a new migration. SQLite: a trigger per table and
operation lists the columns; ``refresh_sqlite`` rewrites them from the schema and runs after
every ``tracker migrate``.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.rules import AUDITED, BY_TABLE, SECRET_MARK, Audited, is_secret, skipped

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tracker_audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    -- TG_ARGV: org column, subject table, subject column, skipped columns, via table, via column
    old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{{}}'::jsonb ELSE to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN '{{}}'::jsonb ELSE to_jsonb(NEW) END;
    row_now jsonb := CASE WHEN TG_OP = 'DELETE' THEN old_row ELSE new_row END;
    changes jsonb;
    subject int := (row_now ->> TG_ARGV[2])::int;
    subject_table text := TG_ARGV[1];
BEGIN
    -- one set-based comparison of the two rows (a loop that grows a jsonb copies it each time)
    SELECT jsonb_object_agg(
               key,
               CASE WHEN key LIKE '%\\_hash' OR key LIKE '%\\_secret' OR key LIKE 'totp\\_%'
                         OR key IN ('link_key', 'token', 'session', 'password')
                    THEN '"{SECRET_MARK}"'::jsonb
                    ELSE jsonb_build_array(COALESCE(o.value, 'null'), COALESCE(n.value, 'null'))
               END)
    INTO changes
    FROM jsonb_each(new_row) n FULL JOIN jsonb_each(old_row) o USING (key)
    WHERE COALESCE(o.value, 'null') <> COALESCE(n.value, 'null')
      AND key <> ALL (string_to_array(TG_ARGV[3], ','));
    IF changes IS NULL THEN
        IF TG_OP = 'UPDATE' THEN
            RETURN NULL;
        END IF;
        changes := '{{}}'::jsonb;
    END IF;
    IF TG_ARGV[4] <> '' AND subject IS NOT NULL THEN
        EXECUTE format('SELECT %I FROM %I WHERE id = $1', TG_ARGV[5], TG_ARGV[4])
            INTO subject USING subject;
    END IF;
    IF subject IS NULL THEN
        subject := (row_now ->> 'id')::int;
        subject_table := TG_TABLE_NAME;
    END IF;
    INSERT INTO audit_entry
        (org, at, person, token, table_name, row_id, operation, subject_table, subject_id, changes)
    VALUES (
        (row_now ->> TG_ARGV[0])::int, clock_timestamp(),
        NULLIF(current_setting('app.person_id', true), '')::int,
        NULLIF(current_setting('app.token_id', true), '')::int,
        TG_TABLE_NAME, (row_now ->> 'id')::int, lower(TG_OP), subject_table, subject, changes
    );
    RETURN NULL;
END
$$
"""

PG_STATEMENTS = [
    PG_FUNCTION,
    "REVOKE EXECUTE ON FUNCTION tracker_audit_row() FROM PUBLIC",
    "ALTER TABLE audit_entry ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY tenant_isolation ON audit_entry USING (org = {TENANT}) "
    f"WITH CHECK (org = {TENANT})",
    # Entries are written and read, never changed or removed by the app.
    "GRANT SELECT, INSERT ON audit_entry TO tracker_app",
    "GRANT USAGE ON SEQUENCE audit_entry_id_seq TO tracker_app",
]


def pg_trigger(audited: Audited) -> list[str]:
    via_table, via_column = audited.via or ("", "")
    args = ", ".join(
        f"'{value}'"
        for value in (
            audited.org_column,
            audited.subject,
            audited.subject_column,
            ",".join(skipped(audited)),
            via_table,
            via_column,
        )
    )
    return [
        f'DROP TRIGGER IF EXISTS audit_row ON "{audited.table}"',
        f'CREATE TRIGGER audit_row AFTER INSERT OR UPDATE OR DELETE ON "{audited.table}" '
        f"FOR EACH ROW EXECUTE FUNCTION tracker_audit_row({args})",
    ]


# --- SQLite ----------------------------------------------------------------------------

SQLITE_IMMUTABLE = [
    "CREATE TRIGGER IF NOT EXISTS audit_entry_kept_u BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_entry_kept_d BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be removed'); END",
]
NOW = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')"


def _pairs(columns: list[str], operation: str) -> str:
    parts = []
    for column in columns:
        q = f'"{column}"'
        if operation == "update":
            value = f"json_array(OLD.{q}, NEW.{q})"
            when = f"OLD.{q} IS NOT NEW.{q}"
        elif operation == "insert":
            value, when = f"json_array(NULL, NEW.{q})", f"NEW.{q} IS NOT NULL"
        else:
            value, when = f"json_array(OLD.{q}, NULL)", f"OLD.{q} IS NOT NULL"
        if is_secret(column):
            value = f"json_quote('{SECRET_MARK}')"
        parts.append(f"SELECT '{column}' AS k, {value} AS v WHERE {when}")
    return " UNION ALL ".join(parts) or "SELECT NULL AS k, NULL AS v WHERE 0"


def sqlite_triggers(audited: Audited, all_columns: list[str]) -> list[str]:
    columns = [c for c in all_columns if c not in skipped(audited)]
    statements = []
    for operation, event in (("insert", "INSERT"), ("update", "UPDATE"), ("delete", "DELETE")):
        row = "OLD" if operation == "delete" else "NEW"
        subject = f'{row}."{audited.subject_column}"'
        if audited.via:
            subject = f'(SELECT "{audited.via[1]}" FROM "{audited.via[0]}" WHERE id = {subject})'
        name = f"audit_{operation}_{audited.table}"
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(
            f'CREATE TRIGGER {name} AFTER {event} ON "{audited.table}" FOR EACH ROW BEGIN '
            "INSERT INTO audit_entry (org, at, person, token, table_name, row_id, operation, "
            "subject_table, subject_id, changes) "
            f'SELECT {row}."{audited.org_column}", {NOW}, tracker_actor_person(), '
            f"tracker_actor_token(), '{audited.table}', {row}.id, '{operation}', "
            f"CASE WHEN {subject} IS NULL THEN '{audited.table}' ELSE '{audited.subject}' END, "
            f"COALESCE({subject}, {row}.id), c "
            f"FROM (SELECT json_group_object(k, json(v)) AS c FROM ({_pairs(columns, operation)})) "
            + ("WHERE c <> '{}'" if operation == "update" else "")
            + "; END"
        )
    return statements


async def refresh_sqlite(engine: Any) -> None:
    """(Re)write the SQLite triggers from the tables' columns as they are now."""
    for audited in AUDITED:
        info = await engine.run_ddl(f'PRAGMA table_info("{audited.table}")')
        columns = [row["name"] for row in info]
        if not columns:
            continue
        for statement in sqlite_triggers(audited, columns):
            await engine.run_ddl(statement)
    for statement in SQLITE_IMMUTABLE:
        await engine.run_ddl(statement)


async def install(engine: Any) -> None:
    """The triggers of every audited table (a migration; PostgreSQL or SQLite)."""
    if engine.engine_type == "postgres":
        for statement in PG_STATEMENTS:
            await engine.run_ddl(statement)
        for audited in AUDITED:
            for statement in pg_trigger(audited):
                await engine.run_ddl(statement)
    else:
        await refresh_sqlite(engine)


async def install_tables(engine: Any, *tables: str) -> None:
    """The triggers of tables added to ``AUDITED`` later (a later migration calls this with
    their names; ``install`` is the first migration's and runs once)."""
    if engine.engine_type == "postgres":
        for table in tables:
            for statement in pg_trigger(BY_TABLE[table]):
                await engine.run_ddl(statement)
    else:
        await refresh_sqlite(engine)
