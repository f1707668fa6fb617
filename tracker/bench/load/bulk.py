"""The seed's bulk: an organisation's initiatives with their phases and registers, written with
COPY in batches (a few round trips per thousand initiatives instead of fifteen per initiative).

Ids are reserved from each table's sequence first, so rows can name their parents without
reading them back; every trigger fires as it would for rows written by the app (the audit
trail, the board's revision), so the data looks as a real organisation's would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker.audit import rules as audit_rules
from tracker.initiatives.rules import plan_phases

BATCH = 1000  # initiatives per transaction
KPIS = (("Cycle days", "lower", 3.0), ("Resolution %", "higher", 95.0))
WEEKS = 52  # a year of weekly measurements per KPI
PROBLEMS, RISKS = 4, 3
CRITERIA = 4  # should-meet criteria of each open review


@dataclass
class Org:
    """What the bulk needs to know of an organisation, and what it hands back."""

    id: int
    lead: int
    reviewers: list[int]
    vote_rule: str
    initiatives: list[int] = field(default_factory=list)
    kpis: list[int] = field(default_factory=list)  # per initiative: one per KPIS, in order
    reviews: list[tuple[int, list[int]]] = field(default_factory=list)  # open, with criteria


async def reserve(connection: Any, table: str, count: int) -> list[int]:
    """``count`` ids of ``table``'s sequence, reserved in one round trip."""
    first = await connection.fetchval(
        "WITH s AS (SELECT pg_get_serial_sequence($1, 'id') AS name), "
        "f AS (SELECT name, nextval(name) AS v FROM s) "
        "SELECT v FROM f WHERE setval(name, v + $2 - 1) IS NOT NULL",
        table,
        count,
    )
    return list(range(first, first + count))


def _phases(org: int, initiative: int, start: date, phase: int, today: date) -> Iterator[tuple]:
    """As ``tracker.demo.seed_initiative``: earlier phases ended on their plan + a little."""
    cursor = start
    for p in plan_phases(start):
        actual_start = actual_end = None
        if p.number < phase:
            length = (p.planned_end - p.planned_start).days if p.planned_end else 7
            actual_start, actual_end = cursor, cursor + timedelta(days=length + (p.number % 3))
            cursor = actual_end + timedelta(days=1)
        elif p.number == phase:
            actual_start = min(cursor, today)
        yield (
            org,
            initiative,
            int(p.number),
            p.planned_start,
            p.planned_end,
            actual_start,
            actual_end,
        )


async def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=columns)


async def seed_batch(
    connection: Any, org: Org, numbers: range, rng: random.Random, today: date
) -> None:
    """Initiatives ``numbers`` of the organisation, in one transaction: phases (the current
    one set), 4 problems, 3 risks, a pilot with a metric, 2 KPIs with a year of weekly
    measurements each, and an open gate-1 review (but for initiative 0, which the measured
    review page uses) with its reviewers and four criteria."""
    n = len(numbers)
    initiatives = await reserve(connection, "initiative", n)
    phases = await reserve(connection, "phase", 6 * n)
    pilots = await reserve(connection, "pilot", n)
    kpis = await reserve(connection, "kpi", len(KPIS) * n)
    measurements = iter(await reserve(connection, "kpi_measurement", WEEKS * len(KPIS) * n))
    voted = [i for i, number in enumerate(numbers) if number > 0]
    reviews = await reserve(connection, "gate_review", len(voted))
    criteria = await reserve(connection, "review_criterion", CRITERIA * len(voted))
    now = datetime.now(UTC)
    rows: dict[str, list[tuple]] = {k: [] for k in TABLES}
    current = []
    for i, number in enumerate(numbers):
        initiative = initiatives[i]
        start = today - timedelta(days=rng.randint(1, 200))
        phase = rng.randint(1, 6)
        rows["initiative"].append(
            (initiative, org.id, f"Initiative {number}", f"L-X-{today.year}-{number:05d}",
             "core", f"Dept {number % 9}", org.lead, "Cycle time", "h", 48.0, 24.0, "lower",
             "on_track", start)
        )  # fmt: skip
        for k, row in enumerate(_phases(org.id, initiative, start, phase, today)):
            rows["phase"].append((phases[6 * i + k], *row))
        current.append((initiative, phases[6 * i + phase - 1]))
        for k in range(PROBLEMS):
            rows["problem"].append(
                (org.id, initiative, f"Problem {number}.{k}", "quality", rng.randint(1, 5),
                 rng.randint(1, 5))
            )  # fmt: skip
        for k in range(RISKS):
            rows["risk"].append(
                (org.id, initiative, f"Risk {number}.{k}", "other", rng.randint(1, 5),
                 rng.randint(1, 5))
            )  # fmt: skip
        rows["pilot"].append((pilots[i], org.id, initiative, "P", "Team", today))
        rows["pilot_metric"].append(
            (org.id, pilots[i], "Time", "lower", 30.0, float(rng.randint(5, 40)), 10.0, now)
        )
        for k, (name, direction, base) in enumerate(KPIS):
            kpi = kpis[len(KPIS) * i + k]
            threshold = base * (1.15 if direction == "lower" else 0.95)
            rows["kpi"].append((kpi, org.id, initiative, name, direction, base, threshold))
            org.kpis.append(kpi)
            for week in range(WEEKS):
                when = today - timedelta(days=7 * (WEEKS - week))
                value = round(base * rng.uniform(0.9, 1.1), 2)
                rows["kpi_measurement"].append((next(measurements), org.id, kpi, when, value))
    for j, i in enumerate(voted):
        review = reviews[j]
        rows["gate_review"].append(
            (review, org.id, initiatives[i], 1, "open", "go", today, org.vote_rule, org.lead)
        )
        for reviewer in org.reviewers:
            rows["review_assignment"].append((org.id, review, reviewer))
        ids = criteria[CRITERIA * j : CRITERIA * (j + 1)]
        for position, criterion in enumerate(ids):
            rows["review_criterion"].append(
                (criterion, org.id, review, position, f"Criterion {position}", "should", 2)
            )
        org.reviews.append((review, ids))
    async with connection.transaction():
        for table, columns in TABLES.items():
            if table == "kpi_measurement":
                await _measurements(connection, rows[table])
                continue
            await _copy(connection, table, columns, rows[table])
            if table == "phase":
                await connection.execute(
                    "UPDATE initiative i SET current_phase = c.phase "
                    "FROM unnest($1::int[], $2::int[]) AS c(initiative, phase) "
                    "WHERE i.id = c.initiative",
                    [c[0] for c in current],
                    [c[1] for c in current],
                )
    org.initiatives += initiatives


# The audit trail's row for each measurement written, as the trigger ``tracker_audit_row``
# writes it (tracker/audit/triggers.py): every column not skipped and not null, as
# [null, value]; its subject the KPI.
MEASUREMENTS_AUDITED = """
INSERT INTO audit_entry
    (org, at, table_name, row_id, operation, subject_table, subject_id, changes)
SELECT m.org, clock_timestamp(), 'kpi_measurement', m.id, 'insert', 'kpi', m.kpi,
       (SELECT jsonb_object_agg(key, jsonb_build_array('null'::jsonb, value))
        FROM jsonb_each(to_jsonb(m))
        WHERE value <> 'null'::jsonb
          AND key <> ALL ($3::text[]))
FROM kpi_measurement m
WHERE m.id BETWEEN $1 AND $2
"""


async def _measurements(connection: Any, rows: list[tuple]) -> None:
    """A year of measurements per KPI: 85 % of the seed's rows. The audit trigger's PL/pgSQL
    costs 3 times the row's own writing (85 against 18 µs a row here), so the batch is
    written with the trigger off (inside the transaction: nothing else sees it off) and the
    audit rows are then written in one statement, the same as the trigger's."""
    if not rows:
        return
    await connection.execute("ALTER TABLE kpi_measurement DISABLE TRIGGER audit_row")
    await _copy(connection, "kpi_measurement", TABLES["kpi_measurement"], rows)
    skipped = list(audit_rules.skipped(audit_rules.BY_TABLE["kpi_measurement"]))
    await connection.execute(MEASUREMENTS_AUDITED, rows[0][0], rows[-1][0], skipped)
    await connection.execute("ALTER TABLE kpi_measurement ENABLE TRIGGER audit_row")


# In the order they are written (parents first), with the columns each row above gives.
TABLES: dict[str, tuple[str, ...]] = {
    "initiative": (
        "id", "org", "name", "process_code", "process_class", "departments", "owner",
        "goal_metric", "goal_unit", "goal_baseline", "goal_target", "goal_direction", "status",
        "start_date",
    ),
    "phase": (
        "id", "org", "initiative", "number", "planned_start", "planned_end", "actual_start",
        "actual_end",
    ),
    "problem": ("org", "initiative", "title", "category", "impact", "urgency"),
    "risk": ("org", "initiative", "description", "category", "likelihood", "impact"),
    "pilot": ("id", "org", "initiative", "process", "scope", "start_date"),
    "pilot_metric": (
        "org", "pilot", "name", "direction", "baseline", "result", "target", "recorded_at",
    ),
    "kpi": ("id", "org", "initiative", "name", "direction", "target", "threshold"),
    "kpi_measurement": ("id", "org", "kpi", "measured_on", "value"),
    "gate_review": (
        "id", "org", "initiative", "gate", "status", "proposed_decision", "due_date",
        "rule_snapshot", "requested_by",
    ),
    "review_assignment": ("org", "review", "reviewer"),
    "review_criterion": ("id", "org", "review", "position", "text", "kind", "weight"),
}  # fmt: skip


async def seed_initiatives(
    url: str, org: Org, count: int, rng: random.Random, progress: bool = False
) -> None:
    """``count`` initiatives of ``org``, ``BATCH`` to a transaction, on a connection of its
    own (COPY needs asyncpg's own connection, not Piccolo's)."""
    import asyncpg

    today = date.today()
    connection = await asyncpg.connect(url)
    try:
        for first in range(0, count, BATCH):
            await seed_batch(connection, org, range(first, min(count, first + BATCH)), rng, today)
            if progress and count > BATCH:
                print(f"    {min(count, first + BATCH)}/{count} initiatives", flush=True)
    finally:
        await connection.close()
