"""The shapes of the JSON API (msgspec structs: validated on the way in, documented in the
OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Text200 = Annotated[str, msgspec.Meta(max_length=200)]
Direction = Annotated[
    Literal["lower", "higher"],
    msgspec.Meta(
        description="Which way is better: `lower` (the value should go down, e.g. a lead "
        "time) or `higher` (it should go up, e.g. a satisfaction rate)."
    ),
]


class Error(msgspec.Struct):
    status_code: int
    detail: str


class Phase(msgspec.Struct):
    number: int
    name: str
    planned_start: date
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None


class Goal(msgspec.Struct):
    metric: str
    unit: str
    baseline: float | None
    target: float | None
    direction: Direction
    due: date | None


class Initiative(msgspec.Struct):
    id: int
    process_code: str
    name: str
    process_class: str
    departments: str
    status: str
    current_phase: int | None
    owner: str | None
    sponsor: str
    goal: Goal
    start_date: date
    updated_at: datetime


class InitiativeDetail(Initiative, kw_only=True):
    scope_in: str
    scope_out: str
    phases: list[Phase]


class InitiativePage(msgspec.Struct):
    items: list[Initiative]
    total: int
    limit: int
    offset: int


class GateDecision(msgspec.Struct):
    id: int
    gate: int
    outcome: str
    method: str
    decided_at: datetime
    decided_by: str | None
    rationale: str
    from_phase: int
    to_phase: int
    recycle_to: int | None
    next_gate_date: date | None


class Problem(msgspec.Struct):
    id: int
    title: str
    description: str
    category: str
    impact: int
    urgency: int
    priority: int
    quadrant: str
    root_cause_category: str
    status: str
    owner: str | None


class Risk(msgspec.Struct):
    id: int
    description: str
    category: str
    likelihood: int
    impact: int
    score: int
    band: str
    mitigation: str
    status: str
    review_date: date | None
    owner: str | None


class Kpi(msgspec.Struct):
    id: int
    initiative_id: int
    name: str
    formula: str
    data_source: str
    frequency: str
    unit: str
    direction: Direction
    target: float
    threshold: float
    department: str
    open_alerts: int


class KpiPage(msgspec.Struct):
    items: list[Kpi]
    total: int
    limit: int
    offset: int


class Measurement(msgspec.Struct):
    id: int
    measured_on: date
    value: float
    source: str
    breached: bool
    denominator: float | None = None  # of a proportion: how many were counted


class MeasurementPage(msgspec.Struct):
    items: list[Measurement]
    total: int
    limit: int
    offset: int


class NewMeasurement(msgspec.Struct, forbid_unknown_fields=True):
    measured_on: date
    value: Annotated[float, msgspec.Meta(ge=-1e12, le=1e12)]
    denominator: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=1_000_000_000,
                description="How many were counted (a whole number): needed by a KPI read as a "
                "proportion (p-chart), whose value is a share of it (per cent when the unit "
                "is %); optional otherwise.",
            ),
        ]
        | None
    ) = None


class NewMeasurements(msgspec.Struct, forbid_unknown_fields=True):
    """One or more measurements of one KPI, written all together or not at all."""

    measurements: Annotated[list[NewMeasurement], msgspec.Meta(min_length=1, max_length=500)]


class Written(msgspec.Struct):
    created: int
    alerts_raised: int
    items: list[Measurement]
