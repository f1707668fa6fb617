"""The records the Pareto page ranks, read in one query whatever their number, and their
keys per dimension."""

from __future__ import annotations

from typing import Any

from tracker.pareto import queries as q
from tracker.pareto import rules
from tracker.sql import Statement
from tracker.tenancy import TenantScope

# register → (its dimensions, the statement of its records with their initiative)
REGISTERS: dict[str, tuple[tuple[str, ...], Statement]] = {
    "problems": (("category", "fishbone", "department", "process_class"), q.PROBLEM_RECORDS),
    "risks": (("category", "department", "process_class"), q.RISK_RECORDS),
    "resistance": (
        ("barrier", "stakeholder_group", "department", "process_class"),
        q.RESISTANCE_RECORDS,
    ),
}
MAX_RECORDS = 20000


async def records(scope: TenantScope, register: str) -> list[dict[str, Any]]:
    _dims, statement = REGISTERS[register]
    return await scope.fetch(statement, limit=MAX_RECORDS)


def keys_of(record: dict[str, Any], by: str) -> list[str]:
    if by == "department":
        return rules.split_departments(record["departments"] or "")
    return [record[by] or ""]


def pareto(rows: list[dict[str, Any]], by: str) -> list[rules.Bar]:
    return rules.rank(key for row in rows for key in keys_of(row, by))


def drill(rows: list[dict[str, Any]], by: str, key: str) -> list[dict[str, Any]]:
    return [row for row in rows if key in keys_of(row, by)]
