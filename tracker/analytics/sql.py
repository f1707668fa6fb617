"""The analytics page's SQL, the same shape on PostgreSQL and SQLite: a few row sets (the
initiatives now, the phase entries and exits, the decisions, the finished phases, the judged
conditions, the scores), each filtered by the page's filter. The page aggregates them with
GROUP BY; a drill-down reads the rows of one of them behind a figure. Months and quarters
are in UTC."""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from tracker.analytics.rules import Filter
from tracker.db import current_engine


def sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def month(column: str, timestamp: bool = True) -> str:
    if sqlite():
        return f"substr({column}, 1, 7)"
    zone = " AT TIME ZONE 'UTC'" if timestamp else ""
    return f"to_char({column}{zone}, 'YYYY-MM')"


def quarter(column: str) -> str:
    if sqlite():
        return (
            f"(substr({column}, 1, 4) || '-Q' || "
            f"((CAST(substr({column}, 6, 2) AS INTEGER) + 2) / 3))"
        )
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-\"Q\"Q')"


def days(start: str, end: str, timestamps: bool = True) -> str:
    """Days from ``start`` to ``end`` as a real number."""
    if sqlite():
        return f"(julianday({end}) - julianday({start}))"
    if timestamps:
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
    return f"CAST(({end} - {start}) AS DOUBLE PRECISION)"


def day_of(column: str) -> str:
    """The UTC date of a timestamp, comparable with a date column."""
    if sqlite():
        return f"substr({column}, 1, 10)"
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def initiatives_where(flt: Filter, alias: str = "i") -> tuple[str, list[Any]]:
    """The filter's conditions on the initiative ``alias`` (department as the board reads
    it: a part of the departments text, case-insensitive)."""
    parts: list[str] = []
    values: list[Any] = []
    if flt.department:
        parts.append(f"AND LOWER({alias}.departments) LIKE {{}}")
        values.append("%" + flt.department.replace("%", "").replace("_", "").lower() + "%")
    if flt.process_class:
        parts.append(f"AND {alias}.process_class = {{}}")
        values.append(flt.process_class)
    if flt.owner:
        parts.append(f"AND {alias}.owner = {{}}")
        values.append(flt.owner)
    return " ".join(parts), values


def _scoped(org: int, flt: Filter) -> tuple[str, list[Any]]:
    where, values = initiatives_where(flt)
    return f"i.org = {{}} {where}", [org, *values]


INACTIVE = "('stopped', 'completed')"


def initiatives_now(org: int, flt: Filter, today: date) -> tuple[str, list[Any]]:
    """Each initiative with its current phase, whether it is active and whether that phase
    is past its planned end (overdue: active, not finished, planned end before today)."""
    where, values = _scoped(org, flt)
    sql = (
        "SELECT i.id AS initiative, i.process_code, i.name, i.status, "
        "COALESCE(ph.number, 1) AS phase, ph.planned_end, "
        f"CASE WHEN i.status IN {INACTIVE} THEN 0 ELSE 1 END AS active, "
        f"CASE WHEN i.status NOT IN {INACTIVE} AND ph.actual_end IS NULL "
        "AND ph.planned_end < {} THEN 1 ELSE 0 END AS overdue "
        f"FROM initiative i LEFT JOIN phase ph ON ph.id = i.current_phase WHERE {where}"
    )
    return sql, [today, *values]


def flows(org: int, flt: Filter) -> tuple[str, list[Any]]:
    """Entries into and exits from each phase, each dated: the start of an initiative enters
    Scoping; Go and Go with conditions leave the phase and enter the next (Go at Monitoring
    only leaves it: the initiative is completed); Recycle leaves the phase and enters the one
    named; Stop leaves it; Hold changes neither."""
    where, values = _scoped(org, flt)
    decided = "FROM gate_decision d JOIN initiative i ON i.id = d.initiative"
    sql = (
        "SELECT * FROM ("
        f"SELECT i.id AS initiative, i.process_code, i.name, 1 AS phase, "
        f"{month('i.start_date', False)} AS month, i.start_date AS day, 'start' AS cause, "
        f"1 AS entries, 0 AS exits FROM initiative i WHERE {where} "
        "UNION ALL "
        f"SELECT i.id, i.process_code, i.name, d.to_phase, {month('d.decided_at')}, "
        f"{day_of('d.decided_at')}, d.outcome, 1, 0 {decided} "
        "WHERE d.outcome IN ('go', 'go_conditions', 'recycle') "
        f"AND NOT (d.outcome IN ('go', 'go_conditions') AND d.from_phase = 6) AND {where} "
        "UNION ALL "
        f"SELECT i.id, i.process_code, i.name, d.from_phase, {month('d.decided_at')}, "
        f"{day_of('d.decided_at')}, d.outcome, 0, 1 {decided} "
        f"WHERE d.outcome IN ('go', 'go_conditions', 'recycle', 'stop') AND {where}"
        ") AS flow WHERE month BETWEEN {} AND {}"
    )
    return sql, [*values, *values, *values, flt.since, flt.until]


def decisions(org: int, flt: Filter) -> tuple[str, list[Any]]:
    """Every decided review in the period: gate, outcome, quarter, its lead time in days
    (request → decision) and whether it was the initiative's first decided review of that
    gate (numbered over all time, so an earlier one before the period counts)."""
    where, values = _scoped(org, flt)
    sql = (
        "SELECT * FROM ("
        "SELECT d.id AS decision, d.review, d.gate, d.outcome, i.id AS initiative, "
        "i.process_code, i.name, r.requested_at, d.decided_at, "
        f"{quarter('d.decided_at')} AS quarter, {month('d.decided_at')} AS month, "
        f"{days('r.requested_at', 'd.decided_at')} AS lead_days, "
        "CASE WHEN ROW_NUMBER() OVER (PARTITION BY d.initiative, d.gate "
        "ORDER BY d.decided_at, d.id) = 1 THEN 1 ELSE 0 END AS first_review "
        "FROM gate_decision d JOIN gate_review r ON r.id = d.review "
        f"JOIN initiative i ON i.id = d.initiative WHERE {where}"
        ") AS decided WHERE month BETWEEN {} AND {}"
    )
    return sql, [*values, flt.since, flt.until]


def finished_phases(org: int, flt: Filter) -> tuple[str, list[Any]]:
    """Phases finished in the period (by their actual end), with their actual and planned
    length in days; Monitoring has no planned end and is left out."""
    where, values = _scoped(org, flt)
    actual = days("ph.actual_start", "ph.actual_end", timestamps=False)
    planned = days("ph.planned_start", "ph.planned_end", timestamps=False)
    sql = (
        "SELECT * FROM ("
        "SELECT i.id AS initiative, i.process_code, i.name, ph.number AS phase, "
        "ph.actual_start, ph.actual_end, ph.planned_start, ph.planned_end, "
        f"{actual} AS actual_days, {planned} AS planned_days, "
        f"{month('ph.actual_end', False)} AS month "
        "FROM phase ph JOIN initiative i ON i.id = ph.initiative "
        "WHERE ph.actual_start IS NOT NULL AND ph.actual_end IS NOT NULL "
        f"AND ph.planned_end IS NOT NULL AND {where}"
        ") AS finished WHERE month BETWEEN {} AND {}"
    )
    return sql, [*values, flt.since, flt.until]


def judged_conditions(org: int, flt: Filter, today: date) -> tuple[str, list[Any]]:
    """Conditions due in the period that can be judged: closed (on time when on or before
    the due date, else late) or still open past the due date (overdue). Open conditions not
    yet due are not judged."""
    where, values = _scoped(org, flt)
    closed_day = day_of("c.closed_at")
    sql = (
        "SELECT * FROM ("
        "SELECT c.id AS condition_id, c.text, c.due_date, c.closed_at, i.id AS initiative, "
        "i.process_code, i.name, "
        f"CASE WHEN c.closed_at IS NULL THEN 'overdue' WHEN {closed_day} <= c.due_date "
        "THEN 'on_time' ELSE 'late' END AS state, "
        f"{month('c.due_date', False)} AS month "
        "FROM gate_condition c JOIN initiative i ON i.id = c.initiative "
        f"WHERE (c.closed_at IS NOT NULL OR c.due_date < {{}}) AND {where}"
        ") AS judged WHERE month BETWEEN {} AND {}"
    )
    return sql, [today, *values, flt.since, flt.until]


def scores(org: int, flt: Filter) -> tuple[str, list[Any]]:
    """Should-meet scores (1–5) of reviews decided in the period, each beside the panel's
    mean for that criterion of that review; criteria scored by one reviewer only are left
    out (nobody to differ from)."""
    where, values = _scoped(org, flt)
    sql = (
        "SELECT * FROM ("
        "SELECT s.reviewer, s.review, s.value, rc.text AS criterion, d.gate, d.outcome, "
        "i.id AS initiative, i.process_code, i.name, "
        "s.value - AVG(CAST(s.value AS DOUBLE PRECISION)) OVER (PARTITION BY s.criterion) "
        "AS deviation, COUNT(*) OVER (PARTITION BY s.criterion) AS panel, "
        f"{month('d.decided_at')} AS month "
        "FROM gate_score s JOIN review_criterion rc ON rc.id = s.criterion "
        "JOIN gate_decision d ON d.review = s.review "
        "JOIN initiative i ON i.id = d.initiative "
        f"WHERE rc.kind = 'should' AND {where}"
        ") AS scored WHERE panel > 1 AND month BETWEEN {} AND {}"
    )
    return sql, [*values, flt.since, flt.until]


def votes(org: int, flt: Filter) -> tuple[str, list[Any]]:
    """Votes (not abstentions) of reviews decided in the period, with whether each matched
    the decision exactly."""
    where, values = _scoped(org, flt)
    sql = (
        "SELECT * FROM ("
        "SELECT v.reviewer, v.review, v.vote, d.outcome, d.gate, i.id AS initiative, "
        "i.process_code, i.name, "
        "CASE WHEN v.vote = d.outcome THEN 1 ELSE 0 END AS matched, "
        f"{month('d.decided_at')} AS month "
        "FROM gate_vote v JOIN gate_decision d ON d.review = v.review "
        "JOIN initiative i ON i.id = d.initiative "
        f"WHERE v.vote <> 'abstain' AND {where}"
        ") AS voted WHERE month BETWEEN {} AND {}"
    )
    return sql, [*values, flt.since, flt.until]
