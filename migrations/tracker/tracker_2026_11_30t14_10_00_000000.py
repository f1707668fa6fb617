"""Attachments and file chunks behind the tenant wall: keys, indexes, row-level security as on
every tenant table, and the app's role may use exactly these tables and their sequences."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attachments behind the tenant wall"

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"
TABLES = ("attachment", "stored_file_chunk")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def wall():
        engine = engine_finder()
        # one chunk per place in a file; a kept file is attached once
        await engine.run_ddl(
            "CREATE UNIQUE INDEX stored_file_chunk_file_seq ON stored_file_chunk (file, seq)"
        )
        await engine.run_ddl("CREATE UNIQUE INDEX attachment_file ON attachment (file)")
        await engine.run_ddl(
            "CREATE INDEX attachment_subject ON attachment (org, subject_kind, subject_id)"
        )
        await engine.run_ddl("CREATE INDEX stored_file_org_sha ON stored_file (org, sha256)")
        if engine.engine_type != "postgres":
            return
        for table in TABLES:
            await engine.run_ddl(f'GRANT SELECT, INSERT, DELETE ON "{table}" TO tracker_app')
            await engine.run_ddl(f'GRANT USAGE, SELECT ON SEQUENCE "{table}_id_seq" TO tracker_app')
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )
        # chunks are written once and read as they are: never compressed again by TOAST
        # (PDFs, images and Office files are compressed already), only moved out of line
        await engine.run_ddl("ALTER TABLE stored_file_chunk ALTER COLUMN data SET STORAGE EXTERNAL")

    manager.add_raw(wall)
    return manager
