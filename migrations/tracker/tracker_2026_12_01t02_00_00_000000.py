"""The open KPI alerts, newest first, through an index (issue 19, the mixed benchmark's
write): the board, the KPIs page and an initiative's KPIs list show the organisation's
unacknowledged alerts newest first, at most 200 (``tracker/kpis/queries.py`` OPEN_ALERTS).
With ``kpi_alert_open`` (org, acknowledged_at) every open alert of the organisation was read,
joined to its KPI and initiative and sorted, on every read of the board after a change: 2.4 ms
at 350 open alerts, 11.9 ms at 3,352 (one organisation × 10,000 initiatives, EXPLAIN ANALYZE
behind the wall). This partial index gives them in the page's order, so the read stops at the
200th: 0.8 ms at 3,352. On both databases.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the open KPI alerts, newest first, through an index"

INDEX = (
    "CREATE INDEX kpi_alert_open_newest ON kpi_alert (org, measured_on DESC, id DESC) "
    "WHERE acknowledged_at IS NULL"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def index():
        await engine_finder().run_ddl(INDEX)

    manager.add_raw(index)
    return manager
