"""The problem register's hand-written statements (see tracker/sql.py)."""

from tracker.sql import Statement

# COLUMNS of the service and the initiative's code and name, of the organisation or of one
# initiative: the matrix is a busy page, and building this select cost more than running it.
PROBLEMS = Statement("""
SELECT pr.id, pr.initiative, pr.title, pr.description, pr.category, pr.impact, pr.urgency,
       pr.fishbone, pr.whys, pr.owner, o.name AS "owner.name", pr.status, pr.created_at,
       pr.version, i.process_code AS "initiative.process_code", i.name AS "initiative.name"
FROM problem pr
JOIN initiative i ON i.id = pr.initiative AND i.org = :org
LEFT JOIN person o ON o.id = pr.owner
WHERE pr.org = :org [AND pr.initiative = :initiative]
ORDER BY pr.id
""")
