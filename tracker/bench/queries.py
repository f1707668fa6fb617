"""The benchmarks' hand-written statements (see tracker/sql.py)."""

from tracker.sql import Statement

# --- the audit trail's cost (tracker/bench/audit.py): one write, as a page's save is -------
UPDATE_PROBLEM = Statement(
    "UPDATE problem SET impact = :impact, title = :title WHERE org = :org AND id = :problem"
)
PROBLEM_ENTRIES = Statement(
    "SELECT count(*) AS n FROM audit_entry WHERE org = :org AND table_name = 'problem'"
)
