"""The registers' hand-written statements (see tracker/sql.py)."""

from tracker.sql import Statement

# The initiative above each of its register pages.
HEADER = Statement(
    'SELECT i.id, i.name, i.process_code, i.status, ph.number AS "current_phase.number" '
    "FROM initiative i LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org "
    "WHERE i.org = :org AND i.id = :initiative"
)
