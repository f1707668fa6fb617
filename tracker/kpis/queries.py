"""The KPI area's hand-written statements (see tracker/sql.py): the KPI page, the alerts the
board shows, the control chart's stages and the sustainment checks. Hand-written because
building them with the query builder cost more than running them."""

from tracker.sql import Statement

# --- the KPI page (tracker/kpis/service.py) -----------------------------------------------
# the KPI with what its page counts and the organisation's control-chart rules, in one trip
KPI = Statement(
    'SELECT k.*, i.name AS "initiative.name", i.process_code AS "initiative.process_code", '
    "(SELECT COUNT(*) FROM kpi_measurement m WHERE m.org = :org AND m.kpi = k.id) "
    "AS measurement_count, "
    "(SELECT s.rules FROM control_chart_setting s WHERE s.org = :org) AS chart_rules "
    "FROM kpi k JOIN initiative i ON i.id = k.initiative AND i.org = :org "
    "WHERE k.org = :org AND k.id = :kpi"
)
LATEST_MEASUREMENTS = Statement(
    'SELECT m.*, p.name AS "recorded_by.name" FROM kpi_measurement m '
    "LEFT JOIN person p ON p.id = m.recorded_by WHERE m.org = :org AND m.kpi = :kpi "
    "ORDER BY m.measured_on DESC LIMIT :limit"
)
ALERTS_OF_KPI = Statement(
    'SELECT a.*, p.name AS "acknowledged_by.name" FROM kpi_alert a '
    "LEFT JOIN person p ON p.id = a.acknowledged_by WHERE a.org = :org AND a.kpi = :kpi "
    "ORDER BY a.measured_on DESC"
)
OPTIMISATION_LOG = Statement(
    "SELECT * FROM optimisation_log WHERE org = :org AND initiative = :initiative "
    "ORDER BY logged_on DESC"
)
# Alerts nobody acknowledged, newest first, of the organisation or of one initiative: on the
# board, the busiest page.
OPEN_ALERTS = Statement("""
SELECT a.id, a.org, a.kpi, a.measurement, a.measured_on, a.value, a.threshold, a.raised_at,
       a.acknowledged_by, a.acknowledged_at, a.kind, a.rule,
       k.name AS "kpi.name", k.unit AS "kpi.unit", k.direction AS "kpi.direction",
       k.initiative AS "kpi.initiative", i.process_code AS "kpi.initiative.process_code",
       i.name AS "kpi.initiative.name"
FROM kpi_alert a
JOIN kpi k ON k.id = a.kpi AND k.org = :org
JOIN initiative i ON i.id = k.initiative AND i.org = :org
WHERE a.org = :org AND a.acknowledged_at IS NULL [AND k.initiative = :initiative]
ORDER BY a.measured_on DESC, a.id DESC
LIMIT 200
""")

# --- control charts (tracker/kpis/control.py) ---------------------------------------------
APPLIED_RULES = Statement("SELECT rules FROM control_chart_setting WHERE org = :org")
STAGES = Statement(
    "SELECT id, kpi, starts_on, label, limit_points, centre, mr_bar, based_on "
    "FROM kpi_stage WHERE org = :org AND kpi = :kpi ORDER BY starts_on"
)
# a KPI's page: its stages and its initiative's phase starts (the chart's bands), one trip
STAGES_AND_PHASES = Statement(
    "SELECT 'stage' AS kind, id, kpi, starts_on, label, limit_points, centre, mr_bar, "
    "based_on, NULL AS number FROM kpi_stage WHERE org = :org AND kpi = :kpi "
    "UNION ALL "
    "SELECT 'phase', NULL, NULL, actual_start, NULL, NULL, NULL, NULL, NULL, number FROM phase "
    "WHERE org = :org AND initiative = :initiative AND actual_start IS NOT NULL "
    "ORDER BY 1 DESC, 4, 10"
)
STAGE_POINTS = Statement(
    "SELECT id, measured_on, value, denominator FROM kpi_measurement "
    "WHERE org = :org AND kpi = :kpi AND measured_on >= :start AND measured_on < :until "
    "ORDER BY measured_on LIMIT :limit"
)
INSERT_SIGNAL = Statement(
    "INSERT INTO kpi_alert (org, kpi, measurement, measured_on, value, threshold, "
    "raised_at, kind, rule) VALUES (:org, :kpi, :measurement, :measured_on, :value, :line, "
    ":now, 'signal', :rule) ON CONFLICT DO NOTHING RETURNING id"
)

# --- sustainment checks (tracker/kpis/sustainment.py) -------------------------------------
SUSTAINMENT_DAYS = Statement("SELECT sustainment_days FROM control_chart_setting WHERE org = :org")
KPIS_IN_MONITORING = Statement(
    "SELECT k.id, k.initiative, k.direction, k.target, p.actual_start AS gate FROM kpi k "
    "JOIN phase p ON p.initiative = k.initiative AND p.number = 6 AND p.org = :org "
    "WHERE k.org = :org AND p.actual_start IS NOT NULL"
)
CHECKS_DONE = Statement("SELECT kpi, days FROM sustainment_check WHERE org = :org")
POINTS_UNTIL = Statement(
    "SELECT id, measured_on, value FROM kpi_measurement WHERE org = :org AND kpi = :kpi "
    "AND measured_on <= :until ORDER BY measured_on DESC LIMIT 2000"
)
INSERT_CHECK = Statement(
    "INSERT INTO sustainment_check (org, kpi, initiative, days, due_on, outcome, "
    "recent_mean, after_value, baseline_value, checked_at, decision, reason) "
    "VALUES (:org, :kpi, :initiative, :days, :due, :outcome, :mean, :after, :baseline, :now, "
    "'', '') ON CONFLICT DO NOTHING RETURNING id"
)
INSERT_SUSTAINMENT_ALERT = Statement(
    "INSERT INTO kpi_alert (org, kpi, measurement, measured_on, value, threshold, "
    "raised_at, kind, rule) VALUES (:org, :kpi, NULL, :due, :mean, :line, :now, "
    "'sustainment', :outcome) ON CONFLICT DO NOTHING RETURNING id"
)
CHECKS = Statement("""
SELECT c.id, c.kpi, c.initiative, c.days, c.due_on, c.outcome, c.recent_mean, c.after_value,
       c.baseline_value, c.decision, c.reason, c.decided_at, k.name AS "kpi.name",
       k.unit AS "kpi.unit", i.process_code AS "initiative.process_code",
       i.name AS "initiative.name", p.name AS "decided_by.name"
FROM sustainment_check c
JOIN kpi k ON k.id = c.kpi AND k.org = :org
JOIN initiative i ON i.id = c.initiative AND i.org = :org
LEFT JOIN person p ON p.id = c.decided_by
WHERE c.org = :org AND c.initiative = :initiative
ORDER BY c.due_on DESC, c.id DESC
LIMIT 200
""")
