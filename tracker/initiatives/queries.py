"""The initiative area's hand-written statements (see tracker/sql.py): the board, the
initiative every initiative page shows, its phases, and its history (written by the gates,
the KPIs and others). Hand-written because building them cost more than running them."""

from tracker.sql import Statement

# Cards needing attention first: an overdue phase, then blocked, then at risk; then by code.
# The board is the busiest page: the query builder's cost was a tenth of the page.
BOARD = Statement("""
SELECT cards.*,
       EXISTS (SELECT 1 FROM gate_review r
               WHERE r.initiative = cards.id AND r.org = :org
                 AND r.status IN (:open_states)) AS review_open,
       (SELECT COUNT(*) FROM gate_condition c
        WHERE c.initiative = cards.id AND c.org = :org AND c.closed_at IS NULL) AS open_conditions
FROM (
  SELECT i.id, i.process_code, i.name, i.status, p.name AS owner_name,
         COALESCE(ph.number, 1) AS phase_no,
         ph.actual_start, ph.planned_end, ph.actual_end,
         ROW_NUMBER() OVER (
           PARTITION BY COALESCE(ph.number, 1)
           ORDER BY CASE WHEN ph.planned_end < :today AND ph.actual_end IS NULL THEN 0 ELSE 1 END,
                    CASE i.status WHEN 'blocked' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END,
                    i.process_code
         ) AS position,
         COUNT(*) OVER (PARTITION BY COALESCE(ph.number, 1)) AS total
  FROM initiative i
  LEFT JOIN person p ON p.id = i.owner
  LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org
  WHERE i.org = :org [AND i.status = :status] [AND i.owner = :owner]
    [AND i.process_class = :process_class] [AND LOWER(i.departments) LIKE :department]
    [AND (LOWER(i.name) LIKE :q OR LOWER(i.process_code) LIKE :q)]
) AS cards
WHERE position <= :limit OR phase_no = :column
ORDER BY phase_no, position
""")

# People who may own an initiative: the organisation's members of the given roles.
OWNER_CHOICES = Statement(
    'SELECT p.id AS "person.id", p.name AS "person.name" FROM membership m '
    "JOIN person p ON p.id = m.person WHERE m.org = :org AND m.role IN (:roles) "
    "ORDER BY p.name, p.id"
)
DEPARTMENTS = Statement("SELECT DISTINCT departments FROM initiative WHERE org = :org")

# The initiative page, its edit form and most registers' pages read the initiative this way.
INITIATIVE = Statement("""
SELECT i.id, i.name, i.process_code, i.process_class, i.departments, i.owner,
       o.name AS "owner.name", i.sponsor, i.goal_metric, i.goal_unit, i.goal_baseline,
       i.goal_target, i.goal_direction, i.goal_due, i.scope_in, i.scope_out, i.start_point,
       i.end_point, i.status, i.start_date, ph.number AS "current_phase.number", i.version,
       i.updated_at
FROM initiative i
LEFT JOIN person o ON o.id = i.owner
LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org
WHERE i.org = :org AND i.id = :initiative
""")
PHASES = Statement(
    "SELECT * FROM phase WHERE org = :org AND initiative = :initiative ORDER BY number"
)

# The initiative's history: one event (the gates, sustainment decisions and others write it).
INSERT_EVENT = Statement(
    "INSERT INTO initiative_event (org, initiative, at, actor, kind, detail) "
    "VALUES (:org, :initiative, :at, :actor, :kind, :detail)"
)

# The board's filter as optional parts on the initiative ``i``, for every page that filters the
# portfolio as the board does (the roadmap, the benefits roll-up); its values are
# ``tracker.initiatives.service.filter_values``.
BOARD_FILTER = (
    "[AND i.status = :status] [AND i.owner = :owner] [AND i.process_class = :process_class] "
    "[AND LOWER(i.departments) LIKE :department] "
    "[AND (LOWER(i.name) LIKE :q OR LOWER(i.process_code) LIKE :q)]"
)
