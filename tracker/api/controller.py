"""The JSON API, version 1: read initiatives, phases, gate decisions and registers; write KPI
measurements. Every request carries an organisation's API token (``Authorization: Bearer
…``); every query is scoped to that organisation."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.openapi.spec import SecurityScheme
from litestar.params import Parameter

from tracker.api import schemas
from tracker.api.openapi import allowed, answers
from tracker.api.tokens import WRITES, ApiClient, authenticate
from tracker.db import write_transaction
from tracker.errors import TrackerError
from tracker.gates.tables import GateDecision
from tracker.initiatives.tables import Initiative, Phase
from tracker.kpis import rules as kpi_rules
from tracker.kpis import service as kpi_service
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement
from tracker.labels import phase_label
from tracker.problems import rules as problem_rules
from tracker.problems.tables import Problem
from tracker.risks import rules as risk_rules
from tracker.risks.tables import Risk

log = logging.getLogger("tracker.api")
MAX_PAGE = 200
MAX_BODY = 64 * 1024
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="page size (at most 200)")]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


async def provide_client(request: Request) -> ApiClient:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("Send an API token: Authorization: Bearer <token>.")
    client = await authenticate(token.strip(), writing=bool(request.route_handler.opt.get(WRITES)))
    if client is None:
        raise NotAuthorizedException("This API token is not valid or has been revoked.")
    return client


def api_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, TrackerError):
        exc = exc.http()
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        details = "; ".join(
            f"{e.get('key') or 'body'}: {e.get('message')}" for e in extra if isinstance(e, dict)
        )
        if details:
            detail = f"The request is not valid: {details}"
        elif exc.detail and exc.detail != "Validation failed":
            detail = str(exc.detail)
        else:
            detail = "The request is not valid."
        return Response({"status_code": 400, "detail": detail}, status_code=400)
    if isinstance(exc, HTTPException):
        detail = str(exc.detail)
        if exc.status_code == 404 and detail in ("", "Not Found"):
            detail = "Not found in this organisation."
        if exc.status_code == 413:
            detail = f"The body is larger than {MAX_BODY // 1024} KiB."
        headers = allowed(exc)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Response(
            {"status_code": exc.status_code, "detail": detail},
            status_code=exc.status_code,
            headers=headers,
        )
    log.error("API error on %s", request.url.path, exc_info=exc)
    return Response({"status_code": 500, "detail": "Internal error."}, status_code=500)


def _initiative(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "process_code": row["process_code"],
        "name": row["name"],
        "process_class": row["process_class"],
        "departments": row["departments"],
        "status": row["status"],
        "current_phase": row["current_phase.number"],
        "owner": row["owner.name"],
        "sponsor": row["sponsor"],
        "goal": schemas.Goal(
            metric=row["goal_metric"],
            unit=row["goal_unit"],
            baseline=row["goal_baseline"],
            target=row["goal_target"],
            direction=row["goal_direction"],
            due=row["goal_due"],
        ),
        "start_date": row["start_date"],
        "updated_at": row["updated_at"],
    }


INITIATIVE_COLUMNS = (
    *Initiative.all_columns(exclude=[Initiative.org]),
    Initiative.owner.name,
    Initiative.current_phase.number,  # type: ignore[union-attr]
)


@get("/initiatives", summary="List initiatives", responses=answers())
async def list_initiatives(
    client: ApiClient,
    limit: Limit = 50,
    offset: Offset = 0,
    status: str | None = None,
    phase: Annotated[int | None, Parameter(ge=1, le=6)] = None,
) -> schemas.InitiativePage:
    query = client.tenant.select(Initiative, *INITIATIVE_COLUMNS)
    count = client.tenant.count(Initiative)
    if status:
        query, count = (
            query.where(Initiative.status == status),
            count.where(Initiative.status == status),
        )
    if phase:
        condition = Initiative.current_phase.number == phase  # type: ignore[union-attr]
        query, count = query.where(condition), count.where(condition)
    rows = await query.order_by(Initiative.id).limit(limit).offset(offset)
    return schemas.InitiativePage(
        items=[schemas.Initiative(**_initiative(r)) for r in rows],
        total=await count,
        limit=limit,
        offset=offset,
    )


async def _phases(client: ApiClient, initiative_id: Id) -> list[schemas.Phase]:
    rows = (
        await client.tenant.select(Phase, *Phase.all_columns())
        .where(Phase.initiative == initiative_id)
        .order_by(Phase.number)
    )
    return [
        schemas.Phase(
            number=r["number"],
            name=phase_label(r["number"]),
            planned_start=r["planned_start"],
            planned_end=r["planned_end"],
            actual_start=r["actual_start"],
            actual_end=r["actual_end"],
        )
        for r in rows
    ]


@get(
    "/initiatives/{initiative_id:int}",
    summary="One initiative with its phases",
    responses=answers(404),
)
async def get_initiative(client: ApiClient, initiative_id: Id) -> schemas.InitiativeDetail:
    row = await client.tenant.get(Initiative, initiative_id, *INITIATIVE_COLUMNS)
    return schemas.InitiativeDetail(
        **_initiative(row),
        scope_in=row["scope_in"],
        scope_out=row["scope_out"],
        phases=await _phases(client, initiative_id),
    )


@get(
    "/initiatives/{initiative_id:int}/phases",
    summary="The six phases of an initiative",
    responses=answers(404),
)
async def list_phases(client: ApiClient, initiative_id: Id) -> list[schemas.Phase]:
    await client.tenant.get(Initiative, initiative_id, Initiative.id)
    return await _phases(client, initiative_id)


@get(
    "/initiatives/{initiative_id:int}/gate-decisions",
    summary="Gate decisions, oldest first",
    responses=answers(404),
)
async def list_decisions(client: ApiClient, initiative_id: Id) -> list[schemas.GateDecision]:
    await client.tenant.get(Initiative, initiative_id, Initiative.id)
    rows = (
        await client.tenant.select(
            GateDecision, *GateDecision.all_columns(), GateDecision.decided_by.name
        )
        .where(GateDecision.initiative == initiative_id)
        .order_by(GateDecision.decided_at)
    )
    return [
        schemas.GateDecision(
            id=r["id"],
            gate=r["gate"],
            outcome=r["outcome"],
            method=r["method"],
            decided_at=r["decided_at"],
            decided_by=r["decided_by.name"],
            rationale=r["rationale"],
            from_phase=r["from_phase"],
            to_phase=r["to_phase"],
            recycle_to=r["recycle_to"],
            next_gate_date=r["next_gate_date"],
        )
        for r in rows
    ]


@get(
    "/initiatives/{initiative_id:int}/problems",
    summary="The problem register",
    responses=answers(404),
)
async def list_problems(
    client: ApiClient, initiative_id: Id, limit: Limit = 50, offset: Offset = 0
) -> list[schemas.Problem]:
    await client.tenant.get(Initiative, initiative_id, Initiative.id)
    rows = (
        await client.tenant.select(Problem, *Problem.all_columns(), Problem.owner.name)
        .where(Problem.initiative == initiative_id)
        .order_by(Problem.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        schemas.Problem(
            id=r["id"],
            title=r["title"],
            description=r["description"],
            category=r["category"],
            impact=r["impact"],
            urgency=r["urgency"],
            priority=r["impact"] * r["urgency"],
            quadrant=str(problem_rules.quadrant(r["impact"], r["urgency"])),
            root_cause_category=r["fishbone"],
            status=r["status"],
            owner=r["owner.name"],
        )
        for r in rows
    ]


@get("/initiatives/{initiative_id:int}/risks", summary="The risk register", responses=answers(404))
async def list_risks(
    client: ApiClient, initiative_id: Id, limit: Limit = 50, offset: Offset = 0
) -> list[schemas.Risk]:
    await client.tenant.get(Initiative, initiative_id, Initiative.id)
    rows = (
        await client.tenant.select(Risk, *Risk.all_columns(), Risk.owner.name)
        .where(Risk.initiative == initiative_id)
        .order_by(Risk.id)
        .limit(limit)
        .offset(offset)
    )
    result = []
    for r in rows:
        value = risk_rules.score(r["likelihood"], r["impact"])
        result.append(
            schemas.Risk(
                id=r["id"],
                description=r["description"],
                category=r["category"],
                likelihood=r["likelihood"],
                impact=r["impact"],
                score=value,
                band=risk_rules.band(value),
                mitigation=r["mitigation"],
                status=r["status"],
                review_date=r["review_date"],
                owner=r["owner.name"],
            )
        )
    return result


def _kpi(row: dict[str, Any], open_alerts: int) -> schemas.Kpi:
    return schemas.Kpi(
        id=row["id"],
        initiative_id=row["initiative"],
        name=row["name"],
        formula=row["formula"],
        data_source=row["data_source"],
        frequency=row["frequency"],
        unit=row["unit"],
        direction=row["direction"],
        target=row["target"],
        threshold=row["threshold"],
        department=row["department"],
        open_alerts=open_alerts,
    )


@get(
    "/initiatives/{initiative_id:int}/kpis",
    summary="The KPIs of an initiative",
    responses=answers(404),
)
async def list_kpis(client: ApiClient, initiative_id: Id) -> list[schemas.Kpi]:
    await client.tenant.get(Initiative, initiative_id, Initiative.id)
    rows = await kpi_service.kpis(client.tenant, initiative_id)
    return [_kpi(r, r["open_alerts"]) for r in rows]


@get("/kpis", summary="The organisation's KPIs, with their open alerts", responses=answers(404))
async def list_all_kpis(
    client: ApiClient,
    limit: Limit = 50,
    offset: Offset = 0,
    initiative_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
) -> schemas.KpiPage:
    query = client.tenant.select(Kpi, *Kpi.all_columns())
    count = client.tenant.count(Kpi)
    if initiative_id:
        query, count = (
            query.where(Kpi.initiative == initiative_id),
            count.where(Kpi.initiative == initiative_id),
        )
    rows = await query.order_by(Kpi.id).limit(limit).offset(offset)
    alerts: dict[int, int] = {}
    if rows:
        for a in await client.tenant.select(KpiAlert, KpiAlert.kpi).where(
            KpiAlert.kpi.is_in([r["id"] for r in rows]), KpiAlert.acknowledged_at.is_null()
        ):
            alerts[a["kpi"]] = alerts.get(a["kpi"], 0) + 1
    return schemas.KpiPage(
        items=[_kpi(r, alerts.get(r["id"], 0)) for r in rows],
        total=await count,
        limit=limit,
        offset=offset,
    )


@get("/kpis/{kpi_id:int}", summary="One KPI", responses=answers(404))
async def get_kpi(client: ApiClient, kpi_id: Id) -> schemas.Kpi:
    row = await client.tenant.get(Kpi, kpi_id, *Kpi.all_columns())
    alerts = await client.tenant.count(KpiAlert).where(
        KpiAlert.kpi == kpi_id, KpiAlert.acknowledged_at.is_null()
    )
    return _kpi(row, alerts)


def _measurement(row: dict[str, Any], kpi: dict[str, Any]) -> schemas.Measurement:
    return schemas.Measurement(
        id=row["id"],
        measured_on=row["measured_on"],
        value=row["value"],
        source=row["source"],
        breached=kpi_rules.breached(kpi["direction"], kpi["threshold"], row["value"]),
        denominator=row["denominator"],
    )


@get(
    "/kpis/{kpi_id:int}/measurements",
    summary="Measurements of a KPI, oldest first",
    responses=answers(404),
)
async def list_measurements(
    client: ApiClient,
    kpi_id: Id,
    limit: Limit = 100,
    offset: Offset = 0,
    since: date | None = None,
) -> schemas.MeasurementPage:
    kpi = await kpi_service.get_kpi(client.tenant, kpi_id)
    query = client.tenant.select(KpiMeasurement, *KpiMeasurement.all_columns()).where(
        KpiMeasurement.kpi == kpi_id
    )
    count = client.tenant.count(KpiMeasurement).where(KpiMeasurement.kpi == kpi_id)
    if since:
        query = query.where(KpiMeasurement.measured_on >= since)
        count = count.where(KpiMeasurement.measured_on >= since)
    rows = await query.order_by(KpiMeasurement.measured_on).limit(limit).offset(offset)
    return schemas.MeasurementPage(
        items=[_measurement(r, kpi) for r in rows], total=await count, limit=limit, offset=offset
    )


def _check_denominators(kpi: dict[str, Any], measurements: list[schemas.NewMeasurement]) -> None:
    """422 naming the first measurement whose denominator the KPI page's rule refuses."""
    for number, m in enumerate(measurements, start=1):
        denominator = None if m.denominator is None else float(m.denominator)
        if problem := kpi_service.denominator_error(kpi, m.value, denominator):
            detail = f"Measurement {number} ({m.measured_on}): {problem} Nothing was written."
            raise HTTPException(status_code=422, detail=detail)


@post(
    "/kpis/{kpi_id:int}/measurements",
    summary="Record measurements (all or none)",
    request_max_body_size=MAX_BODY,
    status_code=201,
    responses=answers(403, 404, 409, 413, 415, 422),
    opt={WRITES: True},  # a read-only token is refused (403) as the token is resolved
)
async def add_measurements(
    request: Request, client: ApiClient, kpi_id: Id, data: schemas.NewMeasurements
) -> schemas.Written:
    """Needs a token with the write scope. A date that already has a measurement, or that
    appears twice in the body, refuses the whole request (409); nothing is written."""
    if request.content_type[0] != "application/json":
        raise HTTPException(status_code=415, detail="Send the body as application/json.")
    kpi = await kpi_service.get_kpi(client.tenant, kpi_id)
    days = [m.measured_on for m in data.measurements]
    if len(set(days)) != len(days):
        raise HTTPException(status_code=409, detail="A date appears twice in the body.")
    if any(d > date.today() for d in days):
        raise HTTPException(status_code=422, detail="A measurement cannot be dated in the future.")
    _check_denominators(kpi, data.measurements)
    items, alerts = [], 0
    try:
        async with write_transaction():
            for m in data.measurements:
                denominator = None if m.denominator is None else float(m.denominator)
                measurement_id, alert = await kpi_service.record(
                    client.tenant, kpi, m.measured_on, m.value, "api", None, denominator
                )
                alerts += alert
                items.append(
                    schemas.Measurement(
                        id=measurement_id,
                        measured_on=m.measured_on,
                        value=m.value,
                        source="api",
                        breached=alert,
                        denominator=denominator,
                    )
                )
    except kpi_service.DuplicateMeasurement:
        raise HTTPException(
            status_code=409,
            detail="This KPI already has a measurement for one of these dates; "
            "nothing was written.",
        ) from None
    return schemas.Written(created=len(items), alerts_raised=alerts, items=items)


ROUTES = [
    list_initiatives,
    get_initiative,
    list_phases,
    list_decisions,
    list_problems,
    list_risks,
    list_kpis,
    list_all_kpis,
    get_kpi,
    list_measurements,
    add_measurements,
]

BEARER = SecurityScheme(type="http", scheme="bearer", description="An organisation's API token")


def router() -> Router:
    return Router(
        path="/api/v1",
        route_handlers=ROUTES,
        dependencies={"client": Provide(provide_client)},
        exception_handlers={Exception: api_error},
        security=[{"token": []}],
        tags=["v1"],
    )
