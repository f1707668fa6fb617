"""The roadmap's hand-written statements (see tracker/sql.py): the initiatives the board's
filter keeps (a page of them), their phases, their gate decisions."""

from tracker.initiatives.queries import BOARD_FILTER
from tracker.sql import Statement

_ORDER = "ORDER BY i.start_date, i.process_code, i.id LIMIT :limit"
# the ids of the initiatives shown (the page the filter keeps)
_SHOWN = f"SELECT i.id FROM initiative i WHERE i.org = :org {BOARD_FILTER} {_ORDER}"

INITIATIVES = Statement(
    "SELECT i.id, i.process_code, i.name, i.status, ph.number AS phase, "
    "COUNT(*) OVER () AS total "
    "FROM initiative i LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org "
    f"WHERE i.org = :org {BOARD_FILTER} {_ORDER}"
)
PHASES = Statement(
    "SELECT p.initiative, p.number, p.planned_start, p.planned_end, p.actual_start, "
    f"p.actual_end FROM phase p WHERE p.org = :org AND p.initiative IN ({_SHOWN})"
)
DECISIONS = Statement(
    "SELECT d.initiative, d.gate, d.outcome, d.decided_at "
    f"FROM gate_decision d WHERE d.org = :org AND d.initiative IN ({_SHOWN}) "
    "ORDER BY d.decided_at"
)
