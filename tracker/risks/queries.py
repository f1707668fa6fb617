"""The risk register's hand-written statements (see tracker/sql.py)."""

from tracker.sql import Statement

# COLUMNS of the service and the initiative's code and name (of one initiative, or of one cell
# of the heat map): the heat map is a busy page, and building this select cost more than
# running it.
RISKS = Statement("""
SELECT r.id, r.initiative, r.description, r.category, r.likelihood, r.impact, r.owner,
       o.name AS "owner.name", r.mitigation, r.manifestation, r.status, r.review_date,
       r.residual_likelihood,
       r.residual_impact, r.created_at, r.version,
       i.process_code AS "initiative.process_code", i.name AS "initiative.name"
FROM risk r
JOIN initiative i ON i.id = r.initiative AND i.org = :org
LEFT JOIN person o ON o.id = r.owner
WHERE r.org = :org [AND r.initiative = :initiative]
  [AND r.likelihood = :likelihood AND r.impact = :impact AND r.status <> :closed]
""")

# An initiative's heat map: its risks not closed per (likelihood, impact) cell, counted here
# (they are few).
HEAT = Statement("""
SELECT r.likelihood, r.impact, count(*) AS n
FROM risk r
WHERE r.org = :org AND r.initiative = :initiative AND r.status <> :closed
GROUP BY r.likelihood, r.impact
""")

# The portfolio's heat map: the same counts kept by triggers in the same transaction as the
# risks (``risk_cell``, migration 2026-12-01T00:10), at most 25 rows read by their key, not a
# count of every risk of the organisation (30,000 at 10,000 initiatives).
HEAT_KEPT = Statement("""
SELECT c.likelihood, c.impact, c.live AS n
FROM risk_cell c
WHERE c.org = :org
""")
