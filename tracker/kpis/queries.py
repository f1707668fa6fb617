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

# --- recording a measurement (tracker/kpis/service.py, control.py) ------------------------
# Everything recording a measurement on :day reads, in one round trip: the KPI with the
# organisation's rules, the KPI's stages, and of the stage the day falls in (a new baseline
# from the day when the KPI has none) only the points judging the new one needs, whatever
# the number of measurements: its first limit_points + 1 while its limits are incomplete (and
# always on a p- or c-chart, whose centre they make; `head_limit` says how many were asked),
# the :lookback points before the day and the points from the day on (none, for the latest
# measurement). `missing`: a proportion's stage holds a point without a denominator (its
# chart cannot be drawn). The stage's bounds [lo, hi) are scalar subqueries, so that each
# read is a range of the index (kpi, measured_on), never the KPI's whole history. Each row is
# a `part`; the stages come first because SQLite takes the columns' types (dates) from the
# first SELECT, their NULLs typed for PostgreSQL's.
RECORD_CONTEXT = Statement("""
WITH st AS (
  SELECT id, starts_on, label, limit_points, centre, mr_bar, based_on FROM kpi_stage
  WHERE org = :org AND kpi = :kpi
), here AS (
  SELECT CASE WHEN h.fresh THEN :day ELSE h.s END AS lo, COALESCE(h.e, :end_of_time) AS hi,
         CASE WHEN h.fresh THEN :default_points + 1
              WHEN h.s IS NULL THEN 0
              WHEN k.chart_kind <> 'individuals' OR c.based_on < c.limit_points
              THEN c.limit_points + 1
              ELSE 0 END AS head
  FROM (SELECT (SELECT MAX(starts_on) FROM st WHERE starts_on <= :day) AS s,
               (SELECT MIN(starts_on) FROM st WHERE starts_on > :day) AS e,
               NOT EXISTS (SELECT 1 FROM st) AS fresh) h
  JOIN kpi k ON k.id = :kpi AND k.org = :org
  LEFT JOIN st c ON c.starts_on = h.s
)
SELECT 'stage' AS part, id, starts_on AS day, CAST(NULL AS double precision) AS value,
       CAST(NULL AS double precision) AS denominator, label, limit_points, centre, mr_bar,
       based_on, CAST(NULL AS varchar) AS direction, CAST(NULL AS double precision) AS target,
       CAST(NULL AS integer) AS initiative, CAST(NULL AS varchar) AS chart_kind,
       CAST(NULL AS varchar) AS unit, CAST(NULL AS varchar) AS rules,
       CAST(NULL AS boolean) AS missing
FROM st
UNION ALL
SELECT 'kpi', kk.id, NULL, kk.threshold, NULL, NULL, COALESCE((SELECT head FROM here), 0), NULL,
       NULL, NULL, kk.direction, kk.target, kk.initiative, kk.chart_kind, kk.unit,
       (SELECT r.rules FROM control_chart_setting r WHERE r.org = :org),
       CASE WHEN kk.chart_kind = 'proportion' THEN EXISTS (
         SELECT 1 FROM kpi_measurement md
         WHERE md.org = :org AND md.kpi = :kpi AND md.measured_on >= (SELECT lo FROM here)
           AND md.measured_on < (SELECT hi FROM here)
           AND (md.denominator IS NULL OR md.denominator <= 0)
       ) ELSE FALSE END
FROM kpi kk WHERE kk.org = :org AND kk.id = :kpi
UNION ALL
SELECT 'head', ph.id, ph.measured_on, ph.value, ph.denominator, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT mh.id, mh.measured_on, mh.value, mh.denominator FROM kpi_measurement mh
      WHERE mh.org = :org AND mh.kpi = :kpi AND mh.measured_on >= (SELECT lo FROM here)
        AND mh.measured_on < (SELECT hi FROM here)
      ORDER BY mh.measured_on LIMIT COALESCE((SELECT head FROM here), 0)) ph
UNION ALL
SELECT 'before', pb.id, pb.measured_on, pb.value, pb.denominator, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT mb.id, mb.measured_on, mb.value, mb.denominator FROM kpi_measurement mb
      WHERE mb.org = :org AND mb.kpi = :kpi AND mb.measured_on >= (SELECT lo FROM here)
        AND mb.measured_on < :day
      ORDER BY mb.measured_on DESC LIMIT :lookback) pb
UNION ALL
SELECT 'after', pa.id, pa.measured_on, pa.value, pa.denominator, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT ma.id, ma.measured_on, ma.value, ma.denominator FROM kpi_measurement ma
      WHERE ma.org = :org AND ma.kpi = :kpi AND ma.measured_on >= :day
        AND ma.measured_on >= (SELECT lo FROM here) AND ma.measured_on < (SELECT hi FROM here)
      ORDER BY ma.measured_on LIMIT :max_points) pa
""")
# The measurement, unless its date is taken (then no row comes back and nothing is written:
# the request goes on without a savepoint), its threshold alert, a new baseline stage or the
# stage's completed limits. SQLite runs them one by one; PostgreSQL as RECORD_POSTGRES.
INSERT_MEASUREMENT = Statement(
    "INSERT INTO kpi_measurement (org, kpi, measured_on, value, denominator, source, "
    "recorded_by, created_at) VALUES (:org, :kpi, :day, :value, :denominator, :source, "
    ":person, :now) ON CONFLICT (kpi, measured_on) DO NOTHING RETURNING id"
)
INSERT_THRESHOLD_ALERT = Statement(
    "INSERT INTO kpi_alert (org, kpi, measurement, measured_on, value, threshold, raised_at, "
    "kind, rule) VALUES (:org, :kpi, :measurement, :day, :value, :threshold, :now, "
    "'threshold', '')"
)
INSERT_STAGE = Statement(
    "INSERT INTO kpi_stage (org, kpi, starts_on, label, limit_points, centre, mr_bar, "
    "based_on, created_at) VALUES (:org, :kpi, :day, 'baseline', :limit_points, :centre, "
    ":mr_bar, :based_on, :now) ON CONFLICT (kpi, starts_on) DO NOTHING"
)
UPDATE_LIMITS = Statement(
    "UPDATE kpi_stage SET centre = :centre, mr_bar = :mr_bar, based_on = :based_on "
    "WHERE org = :org AND id = :stage"
)
# The same writes in one round trip: each part written only with the measurement (`m` is
# empty when the date is taken), the alert when :alert, the stage when :new_stage, the
# limits on stage :stage (NULL: none).
RECORD_POSTGRES = Statement("""
WITH m AS (
  INSERT INTO kpi_measurement (org, kpi, measured_on, value, denominator, source, recorded_by,
                               created_at)
  VALUES (:org, :kpi, :day, :value, :denominator, :source, :person, :now)
  ON CONFLICT (kpi, measured_on) DO NOTHING RETURNING id
), a AS (
  INSERT INTO kpi_alert (org, kpi, measurement, measured_on, value, threshold, raised_at, kind,
                         rule)
  SELECT :org, :kpi, m.id, :day, :value, :threshold, :now, 'threshold', '' FROM m WHERE :alert
), s AS (
  INSERT INTO kpi_stage (org, kpi, starts_on, label, limit_points, centre, mr_bar, based_on,
                         created_at)
  SELECT :org, :kpi, :day, 'baseline', :limit_points, :centre, :mr_bar, :based_on, :now
  FROM m WHERE :new_stage
  ON CONFLICT (kpi, starts_on) DO NOTHING
), u AS (
  UPDATE kpi_stage SET centre = :centre, mr_bar = :mr_bar, based_on = :based_on
  WHERE org = :org AND id = :stage AND EXISTS (SELECT 1 FROM m)
)
SELECT id FROM m
""")

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
