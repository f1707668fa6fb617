"""The analytics page's SQL text, the same shape on PostgreSQL and SQLite (``lite``): a few
row sets (the initiatives now, the phase entries and exits, the decisions, the finished phases,
the judged conditions, the scores), each filtered by the page's filter (optional parts, their
values from ``filter_values``). The page aggregates them with GROUP BY; a drill-down reads the
rows of one of them behind a figure. The statements built of them are in
``tracker/analytics/queries.py``, one of each per database. Months and quarters are in UTC."""

from __future__ import annotations

from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from tracker.analytics.rules import Filter
from tracker.db import current_engine


def sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def month(lite: bool, column: str, timestamp: bool = True) -> str:
    if lite:
        return f"substr({column}, 1, 7)"
    zone = " AT TIME ZONE 'UTC'" if timestamp else ""
    return f"to_char({column}{zone}, 'YYYY-MM')"


def quarter(lite: bool, column: str) -> str:
    if lite:
        return (
            f"(substr({column}, 1, 4) || '-Q' || "
            f"((CAST(substr({column}, 6, 2) AS INTEGER) + 2) / 3))"
        )
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-\"Q\"Q')"


def days(lite: bool, start: str, end: str, timestamps: bool = True) -> str:
    """Days from ``start`` to ``end`` as a real number."""
    if lite:
        return f"(julianday({end}) - julianday({start}))"
    if timestamps:
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
    return f"CAST(({end} - {start}) AS DOUBLE PRECISION)"


def day_of(lite: bool, column: str) -> str:
    """The UTC date of a timestamp, comparable with a date column."""
    if lite:
        return f"substr({column}, 1, 10)"
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


# The filter's conditions on the initiative ``i`` (department as the board reads it: a part
# of the departments text, case-insensitive), after the organisation's.
WHERE = (
    "i.org = :org [AND LOWER(i.departments) LIKE :department] "
    "[AND i.process_class = :process_class] [AND i.owner = :owner]"
)


def filter_values(flt: Filter) -> dict[str, Any]:
    """The values of ``WHERE``'s optional parts."""
    department = flt.department.replace("%", "").replace("_", "").lower()
    return {
        "department": f"%{department}%" if flt.department else None,
        "process_class": flt.process_class or None,
        "owner": flt.owner or None,
    }


def period(flt: Filter) -> dict[str, Any]:
    """The values of a row set's period (its months, first to last)."""
    return {"since": flt.since, "until": flt.until}


INACTIVE = "('stopped', 'completed')"


def initiatives_now(lite: bool) -> str:
    """Each initiative with its current phase, whether it is active and whether that phase
    is past its planned end (overdue: active, not finished, planned end before :today)."""
    return (
        "SELECT i.id AS initiative, i.process_code, i.name, i.status, "
        "COALESCE(ph.number, 1) AS phase, ph.planned_end, "
        f"CASE WHEN i.status IN {INACTIVE} THEN 0 ELSE 1 END AS active, "
        f"CASE WHEN i.status NOT IN {INACTIVE} AND ph.actual_end IS NULL "
        "AND ph.planned_end < :today THEN 1 ELSE 0 END AS overdue "
        "FROM initiative i LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org "
        f"WHERE {WHERE}"
    )


def flows(lite: bool) -> str:
    """Entries into and exits from each phase, each dated: the start of an initiative enters
    Scoping; Go and Go with conditions leave the phase and enter the next (Go at Monitoring
    only leaves it: the initiative is completed); Recycle leaves the phase and enters the one
    named; Stop leaves it; Hold changes neither."""
    decided = "FROM gate_decision d JOIN initiative i ON i.id = d.initiative WHERE d.org = :org"
    return (
        "SELECT * FROM ("
        f"SELECT i.id AS initiative, i.process_code, i.name, 1 AS phase, "
        f"{month(lite, 'i.start_date', False)} AS month, i.start_date AS day, 'start' AS cause, "
        f"1 AS entries, 0 AS exits FROM initiative i WHERE {WHERE} "
        "UNION ALL "
        f"SELECT i.id, i.process_code, i.name, d.to_phase, {month(lite, 'd.decided_at')}, "
        f"{day_of(lite, 'd.decided_at')}, d.outcome, 1, 0 {decided} "
        "AND d.outcome IN ('go', 'go_conditions', 'recycle') "
        f"AND NOT (d.outcome IN ('go', 'go_conditions') AND d.from_phase = 6) AND {WHERE} "
        "UNION ALL "
        f"SELECT i.id, i.process_code, i.name, d.from_phase, {month(lite, 'd.decided_at')}, "
        f"{day_of(lite, 'd.decided_at')}, d.outcome, 0, 1 {decided} "
        f"AND d.outcome IN ('go', 'go_conditions', 'recycle', 'stop') AND {WHERE}"
        ") AS flow WHERE month BETWEEN :since AND :until"
    )


def decisions(lite: bool) -> str:
    """Every decided review in the period: gate, outcome, quarter, its lead time in days
    (request → decision) and whether it was the initiative's first decided review of that
    gate (numbered over all time, so an earlier one before the period counts)."""
    return (
        "SELECT * FROM ("
        "SELECT d.id AS decision, d.review, d.gate, d.outcome, i.id AS initiative, "
        "i.process_code, i.name, r.requested_at, d.decided_at, "
        f"{quarter(lite, 'd.decided_at')} AS quarter, {month(lite, 'd.decided_at')} AS month, "
        f"{days(lite, 'r.requested_at', 'd.decided_at')} AS lead_days, "
        "CASE WHEN ROW_NUMBER() OVER (PARTITION BY d.initiative, d.gate "
        "ORDER BY d.decided_at, d.id) = 1 THEN 1 ELSE 0 END AS first_review "
        "FROM gate_decision d JOIN gate_review r ON r.id = d.review AND r.org = :org "
        f"JOIN initiative i ON i.id = d.initiative WHERE d.org = :org AND {WHERE}"
        ") AS decided WHERE month BETWEEN :since AND :until"
    )


def finished_phases(lite: bool) -> str:
    """Phases finished in the period (by their actual end), with their actual and planned
    length in days; Monitoring has no planned end and is left out."""
    actual = days(lite, "ph.actual_start", "ph.actual_end", timestamps=False)
    planned = days(lite, "ph.planned_start", "ph.planned_end", timestamps=False)
    return (
        "SELECT * FROM ("
        "SELECT i.id AS initiative, i.process_code, i.name, ph.number AS phase, "
        "ph.actual_start, ph.actual_end, ph.planned_start, ph.planned_end, "
        f"{actual} AS actual_days, {planned} AS planned_days, "
        f"{month(lite, 'ph.actual_end', False)} AS month "
        "FROM phase ph JOIN initiative i ON i.id = ph.initiative "
        "WHERE ph.org = :org AND ph.actual_start IS NOT NULL AND ph.actual_end IS NOT NULL "
        f"AND ph.planned_end IS NOT NULL AND {WHERE}"
        ") AS finished WHERE month BETWEEN :since AND :until"
    )


def judged_conditions(lite: bool) -> str:
    """Conditions due in the period that can be judged: closed (on time when on or before
    the due date, else late) or still open past the due date (overdue, before :today). Open
    conditions not yet due are not judged."""
    closed_day = day_of(lite, "c.closed_at")
    return (
        "SELECT * FROM ("
        "SELECT c.id AS condition_id, c.text, c.due_date, c.closed_at, i.id AS initiative, "
        "i.process_code, i.name, "
        f"CASE WHEN c.closed_at IS NULL THEN 'overdue' WHEN {closed_day} <= c.due_date "
        "THEN 'on_time' ELSE 'late' END AS state, "
        f"{month(lite, 'c.due_date', False)} AS month "
        "FROM gate_condition c JOIN initiative i ON i.id = c.initiative "
        f"WHERE c.org = :org AND (c.closed_at IS NOT NULL OR c.due_date < :today) AND {WHERE}"
        ") AS judged WHERE month BETWEEN :since AND :until"
    )


def scores(lite: bool) -> str:
    """Should-meet scores (1–5) of reviews decided in the period, each beside the panel's
    mean for that criterion of that review; criteria scored by one reviewer only are left
    out (nobody to differ from)."""
    return (
        "SELECT * FROM ("
        "SELECT s.reviewer, s.review, s.value, rc.text AS criterion, d.gate, d.outcome, "
        "i.id AS initiative, i.process_code, i.name, "
        "s.value - AVG(CAST(s.value AS DOUBLE PRECISION)) OVER (PARTITION BY s.criterion) "
        "AS deviation, COUNT(*) OVER (PARTITION BY s.criterion) AS panel, "
        f"{month(lite, 'd.decided_at')} AS month "
        "FROM gate_score s JOIN review_criterion rc ON rc.id = s.criterion AND rc.org = :org "
        "JOIN gate_decision d ON d.review = s.review AND d.org = :org "
        "JOIN initiative i ON i.id = d.initiative "
        f"WHERE s.org = :org AND rc.kind = 'should' AND {WHERE}"
        ") AS scored WHERE panel > 1 AND month BETWEEN :since AND :until"
    )


def votes(lite: bool) -> str:
    """Votes (not abstentions) of reviews decided in the period, with whether each matched
    the decision exactly."""
    return (
        "SELECT * FROM ("
        "SELECT v.reviewer, v.review, v.vote, d.outcome, d.gate, i.id AS initiative, "
        "i.process_code, i.name, "
        "CASE WHEN v.vote = d.outcome THEN 1 ELSE 0 END AS matched, "
        f"{month(lite, 'd.decided_at')} AS month "
        "FROM gate_vote v JOIN gate_decision d ON d.review = v.review AND d.org = :org "
        "JOIN initiative i ON i.id = d.initiative "
        f"WHERE v.org = :org AND v.vote <> 'abstain' AND {WHERE}"
        ") AS voted WHERE month BETWEEN :since AND :until"
    )
