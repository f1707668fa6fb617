"""The Pareto page's hand-written statements (see tracker/sql.py): the records of one
register with their initiative, in one query whatever their number."""

from tracker.sql import Statement

_INITIATIVE = (
    "i.id AS initiative, i.process_code, i.name AS initiative_name, i.departments, "
    "i.process_class FROM {table} r JOIN initiative i ON i.id = r.initiative AND i.org = :org "
    "WHERE r.org = :org ORDER BY r.id LIMIT :limit"
)
PROBLEM_RECORDS = Statement(
    "SELECT r.id, r.title AS label, r.category, r.fishbone, r.status, "
    + _INITIATIVE.format(table="problem")
)
RISK_RECORDS = Statement(
    "SELECT r.id, r.description AS label, r.category, r.status, " + _INITIATIVE.format(table="risk")
)
RESISTANCE_RECORDS = Statement(
    "SELECT r.id, r.stakeholder_group AS label, r.barrier, r.stakeholder_group, r.status, "
    + _INITIATIVE.format(table="resistance_entry")
)
