"""KPIs of an initiative: definitions, measurements (form, import, API), threshold alerts
and the optimisation log. Every measurement goes through ``record`` so the rule that
raises alerts runs the same way whatever the source."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tracker.db import current_engine, is_unique_violation, joined_transaction, write_transaction
from tracker.errors import Conflict, Invalid, NotFound
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.kpis import control, judging, rules, spc
from tracker.kpis import queries as q
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement
from tracker.registers import fields
from tracker.registers.importing import Sheet
from tracker.tenancy import MAX_ID, TenantScope
from tracker.values import Checks, Submitted

MEASUREMENT_COLUMNS = {
    "measured_on": ["date", "日期", "监控日期"],
    "value": ["value", "actual", "实际值", "数值"],
    "denominator": ["denominator", "out of", "分母", "样本数"],
}
MEASUREMENT_REQUIRED = {"measured_on", "value"}


def denominator_message(problem: str) -> str:
    """The words for a rules.denominator_problem, in the person's language."""
    if problem == "missing":
        return _("A proportion needs its denominator: enter how many were counted.")
    if problem == "over":
        return _(
            "A proportion cannot be more than its denominator: enter a share from 0 to 1 "
            "(0 to 100 when the unit is %%)."
        )
    return _("Enter how many were counted: a whole number above 0.")


def denominator_error(kpi: dict[str, Any], value: float, denominator: float | None) -> str | None:
    """The message for a bad denominator of this KPI's measurement, or None."""
    problem = rules.denominator_problem(
        kpi["chart_kind"], judging.scale_of(kpi), value, denominator
    )
    return None if problem is None else denominator_message(problem)


MAX_SHOWN = 104  # measurements read for a KPI page (two years of weekly values)


class DuplicateMeasurement(Conflict):
    """A KPI already has a measurement for that date (409)."""


async def kpis(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    rows = (
        await scope.select(Kpi, *Kpi.all_columns())
        .where(Kpi.initiative == initiative_id)
        .order_by(Kpi.id)
    )
    ids = [r["id"] for r in rows]
    latest: dict[int, dict[str, Any]] = {}
    open_alerts: dict[int, int] = {}
    if ids:
        for m in (
            await scope.select(KpiMeasurement, *KpiMeasurement.all_columns())
            .where(KpiMeasurement.kpi.is_in(ids))
            .order_by(KpiMeasurement.measured_on)
        ):
            latest[m["kpi"]] = m
        for a in await scope.select(KpiAlert, KpiAlert.kpi).where(
            KpiAlert.kpi.is_in(ids), KpiAlert.acknowledged_at.is_null()
        ):
            open_alerts[a["kpi"]] = open_alerts.get(a["kpi"], 0) + 1
    for row in rows:
        row["latest"] = latest.get(row["id"])
        row["open_alerts"] = open_alerts.get(row["id"], 0)
        value = row["latest"]["value"] if row["latest"] else None
        row["met"] = (
            None if value is None else rules.target_met(row["direction"], row["target"], value)
        )
        row["breached"] = (
            None if value is None else rules.breached(row["direction"], row["threshold"], value)
        )
        row["overdue"] = rules.measurement_overdue(
            row["frequency"],
            row["latest"]["measured_on"] if row["latest"] else None,
            row["created_at"].date(),
            date.today(),
        )
    return rows


def _kpi_values(checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": checks.require("name", _("Name the KPI."), 200),
        "formula": checks.limit("formula", 2000),
        "data_source": checks.limit("data_source", 200),
        "frequency": fields.choice(checks, "frequency", rules.FREQUENCIES, "weekly"),
        "unit": checks.limit("unit", 30),
        "direction": fields.choice(checks, "direction", rules.DIRECTIONS, "lower"),
        "target": fields.number(checks, "target", required=True),
        "threshold": fields.number(checks, "threshold", required=True),
        "department": checks.limit("department", 100),
        "chart_kind": fields.choice(checks, "chart_kind", rules.CHART_KINDS, "individuals"),
    }
    if values["target"] is not None and values["threshold"] is not None and checks.ok:
        problem = rules.threshold_problem(
            values["direction"], values["target"], values["threshold"]
        )
        if problem:
            checks.error("threshold", _(problem))
    return values


async def create_kpi(scope: TenantScope, initiative_id: int, submitted: Submitted) -> int:
    """The new KPI's id; ``Invalid`` with the field errors."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values = _kpi_values(checks)
    checks.done()
    return int((await scope.insert(Kpi, {**values, "initiative": initiative_id}))[0]["id"])


async def update_kpi(scope: TenantScope, kpi_id: int, submitted: Submitted) -> bool:
    """Whether it was saved: False when someone saved the KPI in between (the revision the
    form was read at has moved on); ``Invalid`` with the field errors."""
    await scope.get(Kpi, kpi_id, Kpi.id)
    checks = Checks(submitted)
    values = _kpi_values(checks)
    revision = checks.get("revision")
    if not revision.isdigit():
        checks.error("revision", _("The form is incomplete; reload the page."))
    checks.done()
    columns = {Kpi._meta.get_column_by_name(k): v for k, v in values.items()}
    columns[Kpi.revision] = int(revision) + 1
    saved = await scope.update(
        Kpi, columns, Kpi.id == kpi_id, Kpi.revision == int(revision)
    ).returning(Kpi.id)
    return bool(saved)


KPI_FIELDS = (
    "name",
    "formula",
    "data_source",
    "frequency",
    "unit",
    "direction",
    "department",
    "revision",
    "chart_kind",
)


def kpi_values(row: dict[str, Any]) -> dict[str, str]:
    """A KPI as its edit form shows it."""
    values = {key: str(row[key]) for key in KPI_FIELDS}
    values.update({key: f"{row[key]:g}" for key in ("target", "threshold")})
    return values


async def kpi_view(scope: TenantScope, kpi_id: int) -> dict[str, Any]:
    """Everything one KPI's page shows. Hand-written SQL (the same on both databases): building
    the page's five queries cost more than running them."""
    if not 0 < kpi_id <= MAX_ID:
        raise NotFound()
    found = await scope.fetch_dicts(q.KPI, kpi=kpi_id)
    if not found:
        raise NotFound()
    kpi = found[0]
    total = int(kpi.pop("measurement_count"))
    applied = control.rules_of(kpi.pop("chart_rules"))
    # the latest measurements only: the page shows 60 and the chart two years of weeks
    measurements = list(
        reversed(await scope.fetch_dicts(q.LATEST_MEASUREMENTS, kpi=kpi_id, limit=MAX_SHOWN))
    )
    alerts = await scope.fetch_dicts(q.ALERTS_OF_KPI, kpi=kpi_id)
    log = await scope.fetch_dicts(q.OPTIMISATION_LOG, initiative=kpi["initiative"])
    for alert in alerts:
        alert.update({f"kpi.{k}": kpi[k] for k in ("name", "unit", "direction")})
    stages, phases = await control.stages_and_phases(scope, kpi_id, kpi["initiative"])
    kpi["overdue"] = rules.measurement_overdue(
        kpi["frequency"],
        measurements[-1]["measured_on"] if measurements else None,
        kpi["created_at"].date(),
        date.today(),
    )
    return {
        "kpi": kpi,
        "measurements": measurements,
        "total": total,
        "alerts": alerts,
        "open_alerts": [a for a in alerts if a["acknowledged_at"] is None],
        "log": log,
        "stages": stages,
        "rules": applied,
        "phases": phases,
    }


@dataclass(frozen=True)
class Recorded:
    id: int
    alert: bool  # past the alert threshold
    signals: int  # special-cause signals raised on the control chart


async def record_measurement(
    scope: TenantScope,
    kpi: dict[str, Any],
    measured_on: date,
    value: float,
    source: str,
    person_id: int | None,
    denominator: float | None = None,
    context: judging.Context | None = None,
) -> Recorded:
    """Store one measurement, raise an alert when the rule says it breaches the threshold, and
    judge it on the control chart (tracker.kpis.control). DuplicateMeasurement when the date
    is taken. ``context``: what ``control.read_context`` read for the KPI and date, if the
    caller has it.

    Whatever the number of measurements and alerts: one read (the KPI with what judging the
    point needs), then one write on PostgreSQL (the measurement, its alert and the stage in
    one statement), and one more only when the control chart signals."""
    if context is None:
        context = await control.read_context(scope, kpi["id"], measured_on)
    kpi = context.kpi
    new = {"id": None, "measured_on": measured_on, "value": value, "denominator": denominator}
    judged = await control.judged_point(scope, context, new)
    alert = rules.breached(kpi["direction"], kpi["threshold"], value)
    now = datetime.now(UTC)
    values = {
        "kpi": kpi["id"],
        "day": measured_on,
        "value": value,
        "denominator": denominator,
        "source": source,
        "person": person_id,
        "now": now,
    }
    try:
        async with joined_transaction():  # the request's own, behind the wall: no savepoint
            if current_engine().engine_type == "postgres":
                measurement_id = await _write_postgres(scope, values, alert, kpi, judged)
            else:
                measurement_id = await _write_one_by_one(scope, values, alert, kpi, judged)
            if measurement_id is None:
                raise DuplicateMeasurement()
            signals = await control.raise_signals(scope, kpi["id"], judged, measurement_id, now)
    except Exception as error:
        if is_unique_violation(error):
            raise DuplicateMeasurement() from error
        raise
    return Recorded(measurement_id, alert, signals)


async def _write_postgres(
    scope: TenantScope,
    values: dict[str, Any],
    alert: bool,
    kpi: dict[str, Any],
    judged: judging.Judged,
) -> int | None:
    stage = judged.new_stage or {}
    stage_id, limits = judged.limits or (None, {})
    columns = stage or limits
    written = await scope.fetch(
        q.RECORD_POSTGRES,
        **values,
        alert=alert,
        threshold=kpi["threshold"],
        new_stage=bool(stage),
        limit_points=stage.get("limit_points", spc.DEFAULT_LIMIT_POINTS),
        centre=columns.get("centre"),
        mr_bar=columns.get("mr_bar"),
        based_on=columns.get("based_on", 0),
        stage=stage_id,
    )
    return int(written[0]["id"]) if written else None


async def _write_one_by_one(
    scope: TenantScope,
    values: dict[str, Any],
    alert: bool,
    kpi: dict[str, Any],
    judged: judging.Judged,
) -> int | None:
    written = await scope.fetch(q.INSERT_MEASUREMENT, **values)
    if not written:
        return None
    measurement_id = int(written[0]["id"])
    if alert:
        await scope.fetch(
            q.INSERT_THRESHOLD_ALERT,
            kpi=values["kpi"],
            measurement=measurement_id,
            day=values["day"],
            value=values["value"],
            threshold=kpi["threshold"],
            now=values["now"],
        )
    await control.write_stage(scope, kpi["id"], judged, values["now"])
    return measurement_id


async def record(
    scope: TenantScope,
    kpi: dict[str, Any],
    measured_on: date,
    value: float,
    source: str,
    person_id: int | None,
    denominator: float | None = None,
) -> tuple[int, bool]:
    """``record_measurement`` as (measurement id, threshold alert raised)."""
    done = await record_measurement(scope, kpi, measured_on, value, source, person_id, denominator)
    return done.id, done.alert


async def get_kpi(scope: TenantScope, kpi_id: int) -> dict[str, Any]:
    return await scope.get(
        Kpi,
        kpi_id,
        Kpi.id,
        Kpi.direction,
        Kpi.threshold,
        Kpi.target,
        Kpi.initiative,
        Kpi.chart_kind,
        Kpi.unit,
    )


async def add_measurement(
    scope: TenantScope, kpi_id: int, submitted: Submitted, person_id: int
) -> Recorded:
    """What was recorded and raised; ``Invalid`` with the field errors (a date already
    measured too)."""
    checks = Checks(submitted)
    measured_on = fields.day(checks, "measured_on", required=True)
    value = fields.number(checks, "value", required=True)
    context = None
    if measured_on is not None and measured_on <= date.today():
        # the KPI with what judging the point needs: one round trip (404 without the KPI)
        context = await control.read_context(scope, kpi_id, measured_on)
        kpi = context.kpi
    else:
        kpi = await get_kpi(scope, kpi_id)
    denominator = fields.number(checks, "denominator", required=kpi["chart_kind"] == "proportion")
    if value is not None and checks.ok and (problem := denominator_error(kpi, value, denominator)):
        checks.error("denominator", problem)
    if measured_on and measured_on > date.today():
        checks.error("measured_on", _("A measurement cannot be dated in the future."))
    checks.done()
    assert measured_on is not None and value is not None  # required: errors otherwise
    try:
        return await record_measurement(
            scope, kpi, measured_on, value, "form", person_id, denominator, context
        )
    except DuplicateMeasurement as taken:
        message = _("This KPI already has a measurement for that date.")
        raise Invalid(_("Please correct the marked fields."), {"measured_on": message}) from taken


@dataclass
class ImportPreview:
    rows: list[tuple[date, float, float | None]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


async def preview_import(scope: TenantScope, kpi_id: int, sheet: Sheet) -> ImportPreview:
    preview = ImportPreview(errors=[(r, c, _(m)) for r, c, m in sheet.errors])
    if sheet.errors:
        return preview
    kpi = await get_kpi(scope, kpi_id)
    taken = {
        m["measured_on"]
        for m in await scope.select(KpiMeasurement, KpiMeasurement.measured_on).where(
            KpiMeasurement.kpi == kpi_id
        )
    }
    seen: set[date] = set()
    for number, row in enumerate(sheet.rows, start=2):
        day_text, value_text = row.get("measured_on", ""), row.get("value", "")
        try:
            day = date.fromisoformat(day_text[:10])
        except ValueError:
            preview.errors.append((number, "date", _("Enter a date as YYYY-MM-DD.")))
            continue
        try:
            value = float(value_text.replace(",", ""))
        except ValueError:
            preview.errors.append((number, "value", _("Enter a number.")))
            continue
        denominator = _import_denominator(row.get("denominator", ""))
        if problem := denominator_error(kpi, value, denominator):
            preview.errors.append((number, "denominator", problem))
            continue
        if day > date.today():
            preview.errors.append(
                (number, "date", _("A measurement cannot be dated in the future."))
            )
        elif day in taken:
            preview.errors.append(
                (number, "date", _("This KPI already has a measurement for that date."))
            )
        elif day in seen:
            preview.errors.append((number, "date", _("This date appears twice in the file.")))
        seen.add(day)
        preview.rows.append((day, value, denominator))
    return preview


def _import_denominator(text: str) -> float | None:
    """A file's denominator cell: None when empty, NaN (refused by the rule) when not a number."""
    if not text.strip():
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return math.nan


async def write_import(
    scope: TenantScope, kpi_id: int, preview: ImportPreview, person_id: int
) -> tuple[int, int]:
    """All rows or none, oldest first (so each is judged after the points before it).
    Returns (rows written, alerts raised)."""
    kpi = await get_kpi(scope, kpi_id)
    alerts = 0
    async with write_transaction():
        for day, value, denominator in sorted(preview.rows, key=lambda row: row[0]):
            done = await record_measurement(
                scope, kpi, day, value, "import", person_id, denominator
            )
            alerts += done.alert + done.signals
    return len(preview.rows), alerts


async def delete_measurement(scope: TenantScope, measurement_id: int) -> int:
    """Remove a mistaken measurement, and the alert it raised; returns the KPI id. The date
    is free again for the corrected value."""
    row = await scope.get(KpiMeasurement, measurement_id, KpiMeasurement.kpi)
    async with write_transaction():
        await scope.delete(KpiAlert, KpiAlert.measurement == measurement_id)
        await scope.delete(KpiMeasurement, KpiMeasurement.id == measurement_id)
    return int(row["kpi"])


async def acknowledge(scope: TenantScope, alert_id: int, person_id: int) -> int:
    """Acknowledge an alert (once; a second click changes nothing). Returns the KPI id."""
    alert = await scope.get(KpiAlert, alert_id, KpiAlert.kpi)
    await scope.update(
        KpiAlert,
        {KpiAlert.acknowledged_at: datetime.now(UTC), KpiAlert.acknowledged_by: person_id},
        KpiAlert.id == alert_id,
        KpiAlert.acknowledged_at.is_null(),
    )
    return int(alert["kpi"])


async def open_alerts(scope: TenantScope, initiative_id: int | None = None) -> list[dict[str, Any]]:
    """Alerts nobody has acknowledged yet, newest first (at most 200), with their KPI and
    initiative. Hand-written: it is on the board, the busiest page."""
    return await scope.fetch(q.OPEN_ALERTS, initiative=initiative_id)
