"""The analytics area's hand-written statements (see tracker/sql.py), each twice: ``_PG`` for
PostgreSQL and ``_LITE`` for SQLite (months, quarters and days are written differently; the
lead times' quartiles are percentile_cont on PostgreSQL, interpolated in Python on SQLite).
Built of the row sets of ``tracker/analytics/sql.py``; the page's statements aggregate them,
the drill-downs read their rows behind a figure (the figure's keys as optional parts)."""

from collections.abc import Callable

from tracker.analytics import sql
from tracker.sql import Statement


def _both(build: Callable[[bool], str]) -> tuple[Statement, Statement]:
    return Statement(build(False)), Statement(build(True))


# --- the page (tracker/analytics/service.py) ----------------------------------------------
NOW_PG, NOW_LITE = _both(
    lambda lite: (
        "SELECT phase, SUM(active) AS active, SUM(overdue) AS overdue, "
        "SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed, "
        "SUM(CASE WHEN status = 'stopped' THEN 1 ELSE 0 END) AS stopped "
        f"FROM ({sql.initiatives_now(lite)}) AS now GROUP BY phase"
    )
)
FLOWS_PG, FLOWS_LITE = _both(
    lambda lite: (
        "SELECT phase, month, SUM(entries) AS entries, SUM(exits) AS exits "
        f"FROM ({sql.flows(lite)}) AS f GROUP BY phase, month ORDER BY month, phase"
    )
)
OUTCOMES_PG, OUTCOMES_LITE = _both(
    lambda lite: (
        "SELECT gate, quarter, outcome, COUNT(*) AS n, SUM(first_review) AS firsts, "
        "SUM(CASE WHEN first_review = 1 AND outcome IN ('go', 'go_conditions') "
        "THEN 1 ELSE 0 END) AS first_passed "
        f"FROM ({sql.decisions(lite)}) AS d GROUP BY gate, quarter, outcome"
    )
)
_LEAD_COLUMNS = (
    "COUNT(*) AS n, MIN(lead_days) AS low, MAX(lead_days) AS high, "
    "percentile_cont(0.25) WITHIN GROUP (ORDER BY lead_days) AS q1, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_days) AS median, "
    "percentile_cont(0.75) WITHIN GROUP (ORDER BY lead_days) AS q3, "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY lead_days) AS p90"
)
# per gate and for all gates (gate 0)
LEAD_TIMES_PG = Statement(
    f"SELECT gate, {_LEAD_COLUMNS} FROM ({sql.decisions(False)}) AS d GROUP BY gate "
    f"UNION ALL SELECT 0, {_LEAD_COLUMNS} FROM ({sql.decisions(False)}) AS d "
    "HAVING COUNT(*) > 0 ORDER BY 1"
)
# SQLite has no percentile_cont: sorted, interpolated in Python
LEAD_TIMES_LITE = Statement(
    f"SELECT gate, lead_days FROM ({sql.decisions(True)}) AS d ORDER BY lead_days"
)
PHASE_TIMES_PG, PHASE_TIMES_LITE = _both(
    lambda lite: (
        "SELECT phase, COUNT(*) AS n, AVG(actual_days) AS actual, "
        "AVG(planned_days) AS planned, "
        "SUM(CASE WHEN actual_days > planned_days THEN 1 ELSE 0 END) AS over_plan "
        f"FROM ({sql.finished_phases(lite)}) AS p GROUP BY phase"
    )
)
CONDITIONS_PG, CONDITIONS_LITE = _both(
    lambda lite: (
        f"SELECT state, COUNT(*) AS n FROM ({sql.judged_conditions(lite)}) AS c GROUP BY state"
    )
)
CALIBRATION_PG, CALIBRATION_LITE = _both(
    lambda lite: (
        "SELECT p.id AS reviewer, p.name, s.scores, s.signed, s.absolute, v.votes, "
        "v.matched FROM person p "
        "LEFT JOIN (SELECT reviewer, COUNT(*) AS scores, AVG(deviation) AS signed, "
        f"AVG(ABS(deviation)) AS absolute FROM ({sql.scores(lite)}) AS s1 GROUP BY reviewer) AS s "
        "ON s.reviewer = p.id "
        "LEFT JOIN (SELECT reviewer, COUNT(*) AS votes, SUM(matched) AS matched "
        f"FROM ({sql.votes(lite)}) AS v1 GROUP BY reviewer) AS v ON v.reviewer = p.id "
        "WHERE s.reviewer IS NOT NULL OR v.reviewer IS NOT NULL ORDER BY p.name, p.id"
    )
)
# the owners of the organisation's initiatives and its departments
FILTER_CHOICES = Statement(
    "SELECT DISTINCT i.departments, p.id, p.name FROM initiative i "
    "LEFT JOIN person p ON p.id = i.owner WHERE i.org = :org"
)

# --- the drill-downs (tracker/analytics/drill.py) -----------------------------------------
DRILL_INITIATIVES_PG, DRILL_INITIATIVES_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.initiatives_now(lite)}) AS b WHERE 1 = 1 "
        "[AND active = :active] [AND overdue = :overdue] [AND status = :status] "
        "[AND phase = :phase] ORDER BY phase, process_code LIMIT :limit"
    )
)
DRILL_FLOW_PG, DRILL_FLOW_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.flows(lite)}) AS b WHERE 1 = 1 "
        "[AND entries = :entries] [AND exits = :exits] [AND phase = :phase] [AND month = :month] "
        "ORDER BY day, process_code LIMIT :limit"
    )
)
DRILL_REVIEWS_PG, DRILL_REVIEWS_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.decisions(lite)}) AS b WHERE 1 = 1 "
        "[AND first_review = :first] [AND gate = :gate] [AND quarter = :quarter] "
        "[AND outcome = :outcome] "
        "[AND CASE WHEN outcome IN ('go', 'go_conditions') THEN 1 ELSE 0 END = :passed] "
        "ORDER BY lead_days DESC, decided_at LIMIT :limit"
    )
)
DRILL_PHASES_PG, DRILL_PHASES_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.finished_phases(lite)}) AS b WHERE 1 = 1 "
        "[AND phase = :phase] ORDER BY actual_days - planned_days DESC, process_code LIMIT :limit"
    )
)
DRILL_CONDITIONS_PG, DRILL_CONDITIONS_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.judged_conditions(lite)}) AS b WHERE 1 = 1 "
        "[AND state = :state] ORDER BY due_date, process_code LIMIT :limit"
    )
)
# a reviewer's deviation from the panel per criterion, and their votes
REVIEWER_CRITERIA_PG, REVIEWER_CRITERIA_LITE = _both(
    lambda lite: (
        "SELECT gate, criterion, COUNT(*) AS scores, AVG(deviation) AS signed, "
        f"AVG(ABS(deviation)) AS absolute FROM ({sql.scores(lite)}) AS s "
        "WHERE reviewer = :reviewer GROUP BY gate, criterion ORDER BY gate, criterion"
    )
)
REVIEWER_VOTES_PG, REVIEWER_VOTES_LITE = _both(
    lambda lite: (
        f"SELECT * FROM ({sql.votes(lite)}) AS v WHERE reviewer = :reviewer "
        "ORDER BY month DESC, review DESC LIMIT :limit"
    )
)


def pick(pg: Statement, lite: Statement) -> Statement:
    """The statement for the current database."""
    return lite if sql.sqlite() else pg
