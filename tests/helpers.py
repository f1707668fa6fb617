"""Helpers for integration tests: seeded initiatives, database reads, form payloads."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from tracker.demo import seed_initiative
from tracker.initiatives.tables import Initiative

_seq = itertools.count(1)


async def make_initiative(org: Any, phase: int = 1, age_days: int = 3, **values: Any) -> int:
    """An initiative of ``org`` already in ``phase`` (seeded as the demo does)."""
    n = next(_seq)
    today = date.today()
    row = dict(
        name=f"Initiative {n}",
        process_code=f"T-SEED-{today.year}-{n:03d}",
        process_class="core",
        departments="Customer service",
        owner=org.people["lead"],
        goal_metric="Cycle time",
        goal_unit="h",
        goal_baseline=48.0,
        goal_target=24.0,
        goal_direction="lower",
        status="on_track",
    )
    row.update(values)
    return await seed_initiative(org.id, row, today - timedelta(days=age_days), phase, today)


async def initiative_row(initiative_id: int) -> dict[str, Any]:
    return await Initiative.select().where(Initiative.id == initiative_id).first()  # type: ignore[return-value]


def initiative_form(org: Any, **overrides: str) -> dict[str, str]:
    form = {
        "name": "Customer complaint handling",
        "code_dept": "CS",
        "code_business": "COMPLAINT",
        "process_code": "",
        "process_class": "core",
        "departments": "Customer service, Quality",
        "owner": str(org.people["lead"]),
        "sponsor": "COO",
        "start_date": date.today().isoformat(),
        "goal_metric": "Complaint response time",
        "goal_baseline": "48",
        "goal_target": "24",
        "goal_unit": "h",
        "goal_direction": "lower",
        "goal_due": "",
        "scope_in": "Online channels",
        "scope_out": "Offline stores",
        "start_point": "Customer files a complaint",
        "end_point": "Complaint closed",
    }
    form.update(overrides)
    return form
