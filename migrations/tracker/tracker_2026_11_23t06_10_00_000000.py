"""Keys and walls of the SOP, RACI, rollout, KPI and API tables: one version number per
document, one open revision per document, one RACI letter per cell, one measurement per KPI
and date, one result per attendee and session; row-level security on every new table; an
API token may be looked up by its hash before the organisation is known; the built-in gate
criteria learn which evidence they show."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SOP, RACI, rollout, KPI and API keys and walls"

INDEXES = [
    "CREATE UNIQUE INDEX sop_document_number ON sop_document (org, number)",
    "CREATE UNIQUE INDEX sop_version_number ON sop_version (document, major, minor)",
    "CREATE UNIQUE INDEX sop_version_one_open ON sop_version (document) "
    "WHERE status IN ('draft', 'in_review', 'approved')",
    "CREATE UNIQUE INDEX sop_approval_level ON sop_approval (version, round, level)",
    "CREATE UNIQUE INDEX raci_cell_one ON raci_cell (step, role)",
    "CREATE UNIQUE INDEX kpi_measurement_day ON kpi_measurement (kpi, measured_on)",
    "CREATE UNIQUE INDEX training_result_one ON training_result (session, attendee)",
    "CREATE INDEX kpi_alert_open ON kpi_alert (org, acknowledged_at)",
]

NEW_TABLES = [
    "sop_document",
    "sop_version",
    "sop_step",
    "sop_approval",
    "raci_role",
    "raci_cell",
    "rollout_wave",
    "training_session",
    "training_result",
    "kpi",
    "kpi_measurement",
    "kpi_alert",
    "optimisation_log",
    "api_token",
]
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::int"

EVIDENCE = {
    "smart_goal": "Goal is SMART with baseline and target%",
    "problems_registered": "Problems registered and prioritised%",
    "root_causes": "Root causes found for high-priority problems%",
    "sop_drafted": "SOP drafted with a responsible role per step%",
    "raci_valid": "RACI has exactly one A per step%",
    "measures_linked": "Measures linked to each high-priority problem%",
    "pilot_before_after": "Pilot metrics measured before and after%",
    "rollout_done": "All rollout waves done%",
    "training_pass": "Training pass rate meets the target%",
    "sop_published": "SOP published at a version with effective date%",
    "kpis_monitored": "KPIs monitored against targets%",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def keys():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        for code, pattern in EVIDENCE.items():
            for table in ("gate_criterion", "review_criterion"):
                await engine.run_ddl(
                    f"UPDATE {table} SET evidence = '{code}' WHERE text LIKE '{pattern}'"
                )
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tracker_app"
        )
        await engine.run_ddl("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app")
        for table in NEW_TABLES:
            await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            await engine.run_ddl(
                f'CREATE POLICY tenant_isolation ON "{table}" '
                f"USING (org = {TENANT}) WITH CHECK (org = {TENANT})"
            )
        await engine.run_ddl(
            "CREATE POLICY api_token_by_hash ON api_token FOR SELECT "
            "USING (token_hash = NULLIF(current_setting('app.api_token', true), ''))"
        )

    manager.add_raw(keys)
    return manager
