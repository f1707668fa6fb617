"""The records the Pareto page ranks, read in one query whatever their number, and their
keys per dimension."""

from __future__ import annotations

from typing import Any

from tracker.db import fetch
from tracker.pareto import rules
from tracker.tenancy import TenantScope

# register → (its dimensions, the query of its records with their initiative)
REGISTERS: dict[str, tuple[tuple[str, ...], str]] = {
    "problems": (
        ("category", "fishbone", "department", "process_class"),
        "SELECT r.id, r.title AS label, r.category, r.fishbone, r.status, ",
    ),
    "risks": (
        ("category", "department", "process_class"),
        "SELECT r.id, r.description AS label, r.category, r.status, ",
    ),
    "resistance": (
        ("barrier", "stakeholder_group", "department", "process_class"),
        "SELECT r.id, r.stakeholder_group AS label, r.barrier, r.stakeholder_group, r.status, ",
    ),
}
TABLES = {"problems": "problem", "risks": "risk", "resistance": "resistance_entry"}
MAX_RECORDS = 20000


async def records(scope: TenantScope, register: str) -> list[dict[str, Any]]:
    _dims, select = REGISTERS[register]
    return await fetch(
        select + "i.id AS initiative, i.process_code, i.name AS initiative_name, "
        "i.departments, i.process_class "
        f"FROM {TABLES[register]} r JOIN initiative i ON i.id = r.initiative "
        "WHERE r.org = {} ORDER BY r.id LIMIT {}",
        scope.org_id,
        MAX_RECORDS,
    )


def keys_of(record: dict[str, Any], by: str) -> list[str]:
    if by == "department":
        return rules.split_departments(record["departments"] or "")
    return [record[by] or ""]


def pareto(rows: list[dict[str, Any]], by: str) -> list[rules.Bar]:
    return rules.rank(key for row in rows for key in keys_of(row, by))


def drill(rows: list[dict[str, Any]], by: str, key: str) -> list[dict[str, Any]]:
    return [row for row in rows if key in keys_of(row, by)]
