"""Control charts of KPIs: their stages and kept limits, the organisation's rule setting,
and signal alerts. A signal (a special cause under one of the rules) raises an alert of kind
"signal" exactly once: the key (kpi, kind, rule, date) refuses a second one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from tracker.db import is_unique_violation, joined_transaction, write_transaction
from tracker.errors import Invalid, NotFound
from tracker.i18n import gettext as _
from tracker.kpis import control_chart, spc
from tracker.kpis import queries as q
from tracker.kpis import rules as kpi_rules
from tracker.kpis.judging import (
    Context,
    Judged,
    as_stages,
    by_day,
    judge,
    scale_of,
)
from tracker.kpis.tables import ControlChartSetting, Kpi, KpiStage
from tracker.registers import fields
from tracker.tenancy import MAX_ID, TenantScope
from tracker.values import Checks, Submitted

STAGE_LABELS = ("baseline", "pilot", "rollout", "monitoring", "other")
MAX_STAGE_POINTS = 5000  # points of one stage read to judge a new one
END_OF_TIME = date(9999, 12, 31)  # the end of the last stage


async def applied_rules(scope: TenantScope) -> tuple[str, ...]:
    rows = await scope.fetch(q.APPLIED_RULES)
    return rules_of(rows[0]["rules"] if rows else None)


def rules_of(saved: str | None) -> tuple[str, ...]:
    """The rules an organisation applies: those it saved, else every rule."""
    return spc.parse_rules(saved) if saved is not None else spc.RULES


async def save_settings(scope: TenantScope, submitted: Submitted) -> None:
    """The rules applied and the sustainment check days ("30, 90, 180"); ``Invalid`` when
    the days are not a list of whole numbers."""
    checks = Checks(submitted)
    rules = ",".join(spc.parse_rules(",".join(checks.all("rules"))))
    try:
        days = kpi_rules.parse_days(checks.get("sustainment_days"))
    except ValueError:
        days = ()
    if not days:
        checks.error(
            "sustainment_days",
            _("List whole numbers of days from 1 to 3650, separated by commas."),
        )
    checks.done()
    values = {"rules": rules, "sustainment_days": ",".join(str(d) for d in days)}
    async with write_transaction():
        updated = await scope.update(
            ControlChartSetting,
            {ControlChartSetting._meta.get_column_by_name(k): v for k, v in values.items()},
        ).returning(ControlChartSetting.id)
        if not updated:
            await scope.insert(ControlChartSetting, values)


async def stage_rows(scope: TenantScope, kpi_id: int) -> list[dict[str, Any]]:
    return await scope.fetch_dicts(q.STAGES, kpi=kpi_id)


async def _stage_points(
    scope: TenantScope, kpi_id: int, rows: list[dict[str, Any]], at: int
) -> list[dict[str, Any]]:
    """The measurements of one stage, oldest first."""
    stage = rows[at]
    until = rows[at + 1]["starts_on"] if at + 1 < len(rows) else END_OF_TIME
    return await scope.fetch(
        q.STAGE_POINTS, kpi=kpi_id, start=stage["starts_on"], until=until, limit=MAX_STAGE_POINTS
    )


async def _set_limits(
    scope: TenantScope, stage: dict[str, Any], points: list[dict[str, Any]]
) -> spc.Limits | None:
    """Limits from the stage's first `limit_points` points, kept on the stage."""
    limits = spc.xmr_limits([p["value"] for p in points[: stage["limit_points"]]])
    await scope.update(
        KpiStage,
        {
            KpiStage.centre: limits.centre if limits else None,
            KpiStage.mr_bar: limits.mr_bar if limits else None,
            KpiStage.based_on: limits.points if limits else 0,
        },
        KpiStage.id == stage["id"],
    )
    stage.update(
        centre=limits.centre if limits else None,
        mr_bar=limits.mr_bar if limits else None,
        based_on=limits.points if limits else 0,
    )
    return limits


KPI_COLUMNS = ("id", "direction", "threshold", "target", "initiative", "chart_kind", "unit")
_STAGE_PART = ("id", "label", "limit_points", "centre", "mr_bar", "based_on")


async def read_context(scope: TenantScope, kpi_id: int, day: date) -> Context:
    """The KPI and what judging a point on ``day`` needs (``Context``); 404 without the KPI."""
    if not 0 < kpi_id <= MAX_ID:
        raise NotFound()
    rows = await scope.fetch(
        q.RECORD_CONTEXT,
        kpi=kpi_id,
        day=day,
        default_points=spc.DEFAULT_LIMIT_POINTS,
        lookback=spc.LOOKBACK,
        max_points=MAX_STAGE_POINTS,
        end_of_time=END_OF_TIME,
    )
    found = [r for r in rows if r["part"] == "kpi"]
    if not found:
        raise NotFound()
    row = found[0]
    kpi = {k: row["value"] if k == "threshold" else row[k] for k in KPI_COLUMNS}
    points: dict[str, list[dict[str, Any]]] = {"head": [], "before": [], "after": []}
    stages = []
    for r in rows:
        if r["part"] == "stage":
            stages.append({"kpi": kpi_id, "starts_on": r["day"], **{k: r[k] for k in _STAGE_PART}})
        elif r["part"] in points:
            points[r["part"]].append(
                {"id": r["id"], "measured_on": r["day"], "value": r["value"],
                 "denominator": r["denominator"]}
            )  # fmt: skip
    for listed in points.values():
        listed.sort(key=by_day)
    return Context(
        day=day,
        kpi=kpi,
        rules=rules_of(row["rules"]),
        stages=sorted(stages, key=lambda r: r["starts_on"]),
        head=points["head"],
        head_limit=int(row["limit_points"]),  # the kpi row carries how many were asked for
        before=points["before"],
        after=points["after"],
        missing_denominator=bool(row["missing"]),
    )


async def with_whole_stage(scope: TenantScope, context: Context) -> Context:
    """``context`` with every point of the day's stage in ``head`` (where ``judge`` needs
    them: limits completed on a stage of more points than they rest on)."""
    at = spc.stage_of(context.day, as_stages(context.stages)) if context.stages else None
    start = context.stages[at]["starts_on"] if at is not None else context.day
    later = [r["starts_on"] for r in context.stages if r["starts_on"] > context.day]
    points = await scope.fetch_dicts(
        q.STAGE_POINTS,
        kpi=context.kpi["id"],
        start=start,
        until=later[0] if later else END_OF_TIME,
        limit=MAX_STAGE_POINTS,
    )
    return replace(context, head=points, head_limit=MAX_STAGE_POINTS + 1)


async def judged_point(scope: TenantScope, context: Context, new: dict[str, Any] | None) -> Judged:
    """``judge``, reading the whole stage first where it needs it."""
    judged = judge(context, new)
    if judged is None:
        judged = judge(await with_whole_stage(scope, context), new)
        assert judged is not None
    return judged


async def write_stage(scope: TenantScope, kpi_id: int, judged: Judged, now: datetime) -> None:
    """The stage a judgement made or completed (SQLite, and a point judged again)."""
    if judged.new_stage is not None:
        stage = judged.new_stage
        await scope.fetch(
            q.INSERT_STAGE,
            kpi=kpi_id,
            day=stage["starts_on"],
            limit_points=stage["limit_points"],
            centre=stage["centre"],
            mr_bar=stage["mr_bar"],
            based_on=stage["based_on"],
            now=now,
        )
    elif judged.limits is not None:
        stage_id, columns = judged.limits
        await scope.fetch(q.UPDATE_LIMITS, stage=stage_id, **columns)


async def raise_signals(
    scope: TenantScope, kpi_id: int, judged: Judged, measurement_id: int, now: datetime
) -> int:
    """One alert per signal, unless the key says it was raised already (the new point's id is
    ``measurement_id``); the number raised. `threshold` keeps the line it is judged against:
    the limit crossed, or the centre line."""
    if not judged.signals:
        return 0
    rows = [
        {
            "measurement": point["id"] if point["id"] is not None else measurement_id,
            "measured_on": point["measured_on"],
            "value": point["value"],
            "line": line,
            "rule": rule,
        }
        for point, rule, line in judged.signals
    ]
    return len(await scope.insert_rows(q.INSERT_SIGNAL, rows, kpi=kpi_id, now=now))


async def judge_new_point(scope: TenantScope, kpi: dict[str, Any], measured_on: date) -> int:
    """Judge a stored point (again: a retry, a second worker) as when it was recorded; the
    number of alerts raised (none twice: the key holds)."""
    context = await read_context(scope, kpi["id"], measured_on)
    stored = next((p for p in context.after if p["measured_on"] == measured_on), None)
    if stored is None:
        return 0
    judged = await judged_point(scope, context, None)
    now = datetime.now(UTC)
    async with joined_transaction():
        await write_stage(scope, kpi["id"], judged, now)
        return await raise_signals(scope, kpi["id"], judged, stored["id"], now)


def attribute_signals(
    kind: str, values: list[float], dens: list[float | None], base: int, scale: float, rules: Any
) -> tuple[list[tuple[float, float, float]] | None, list[spc.Signal]]:
    """A p- or c-chart stage: its per-point limits (centre from the first `base` points) and
    its special causes, judged standardised by the same rules as individuals."""
    limits = spc.attribute_limits(kind, values, dens, base, scale)
    if limits is None:
        return None, []
    return limits, spc.signals(spc.standardised(values, limits), spc.UNIT_LIMITS, rules)


def _stage_values(checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {
        "starts_on": fields.day(checks, "starts_on", required=True),
        "label": fields.choice(checks, "label", STAGE_LABELS, "baseline"),
        "limit_points": fields.number(checks, "limit_points", required=True),
    }
    points = values["limit_points"]
    if points is not None and (points != int(points) or not 2 <= points <= 100):
        checks.error("limit_points", _("Enter a whole number of points from 2 to 100."))
    elif points is not None:
        values["limit_points"] = int(points)
    return values


async def add_stage(scope: TenantScope, kpi_id: int, submitted: Submitted) -> None:
    """A new stage from a date, its limits from its first N points (computed now, kept);
    ``Invalid`` with the field errors (a date where a stage starts already too)."""
    await scope.get(Kpi, kpi_id, Kpi.id)
    checks = Checks(submitted)
    values = _stage_values(checks)
    checks.done()
    try:
        async with write_transaction():
            await scope.insert(KpiStage, {**values, "kpi": kpi_id})
            await _recompute_all(scope, kpi_id)
    except Exception as error:
        if is_unique_violation(error):
            taken = _("A stage of this KPI already starts on that date.")
            raise Invalid(_("Please correct the marked fields."), {"starts_on": taken}) from error
        raise


async def _recompute_all(scope: TenantScope, kpi_id: int) -> None:
    rows = await stage_rows(scope, kpi_id)
    for at, stage in enumerate(rows):
        await _set_limits(scope, stage, await _stage_points(scope, kpi_id, rows, at))


async def recompute(scope: TenantScope, kpi_id: int) -> None:
    """Recompute every stage's limits from its first N points, on purpose."""
    await scope.get(Kpi, kpi_id, Kpi.id)
    async with write_transaction():
        await _recompute_all(scope, kpi_id)


async def delete_stage(scope: TenantScope, stage_id: int) -> int:
    """Remove a stage (its points join the stage before); returns the KPI id."""
    stage = await scope.get(KpiStage, stage_id, KpiStage.kpi)
    async with write_transaction():
        await scope.delete(KpiStage, KpiStage.id == stage_id)
        await _recompute_all(scope, int(stage["kpi"]))
    return int(stage["kpi"])


STAGE_COLUMNS = ("id", "kpi", "starts_on", "label", "limit_points", "centre", "mr_bar", "based_on")


async def stages_and_phases(
    scope: TenantScope, kpi_id: int, initiative_id: int
) -> tuple[list[dict[str, Any]], list[tuple[int, date]]]:
    """``stage_rows`` and ``phase_starts`` in one round trip (a KPI's page shows both)."""
    rows = await scope.fetch(q.STAGES_AND_PHASES, kpi=kpi_id, initiative=initiative_id)
    stages = [{name: r[name] for name in STAGE_COLUMNS} for r in rows if r["kind"] == "stage"]
    phases = sorted((int(r["number"]), r["starts_on"]) for r in rows if r["kind"] == "phase")
    return stages, phases


def chart_view(
    kpi: dict[str, Any],
    measurements: list[dict[str, Any]],
    stages: list[dict[str, Any]],
    rules: tuple[str, ...],
    phases: list[tuple[int, date]],
) -> dict[str, Any]:
    """What the control-chart partial shows: the geometry, each stage's part with its limits
    and signals, and capability of the latest stage (only on enough points)."""
    days = [m["measured_on"] for m in measurements]
    values = [m["value"] for m in measurements]
    kind = kpi.get("chart_kind") or "individuals"
    point_limits = None
    if kind == "individuals":
        parts = spc.segments(days, values, as_stages(stages), rules)
    else:
        parts, point_limits = _attribute_parts(kpi, measurements, stages, rules)
        if point_limits is None:  # a denominator is missing: read it as individuals
            kind = "individuals"
            parts = spc.segments(days, values, as_stages(stages), rules)
    chart = (
        control_chart.build(
            days, values, parts, kpi["target"], kpi["threshold"], phases, point_limits
        )
        if measurements
        else None
    )
    latest = [values[i] for i in range(parts[-1].first, parts[-1].last + 1)] if parts else []
    # Ppk rests on a normal model of individual values: not said of proportions or counts
    capability = spc.ppk(latest, kpi["target"], kpi["direction"]) if kind == "individuals" else None
    return {
        "chart": chart,
        "parts": parts,
        "rules": rules,
        "days": days,
        "values": values,
        "latest_points": len(latest),
        "ppk": capability,
        "meets_share": None if capability is None else spc.share_meeting_target(capability),
        "min_capability_points": spc.MIN_CAPABILITY_POINTS,
        "kind": kind,
        "wanted_kind": kpi.get("chart_kind") or "individuals",
        "point_limits": point_limits,
    }


def _attribute_parts(
    kpi: dict[str, Any],
    measurements: list[dict[str, Any]],
    stages: list[dict[str, Any]],
    rules: tuple[str, ...],
) -> tuple[list[spc.Segment], list[tuple[float, float, float]] | None]:
    """The stages of a p- or c-chart with their per-point limits, or None for the limits when
    a proportion misses a denominator."""
    days = [m["measured_on"] for m in measurements]
    base_of = {r["starts_on"]: r["limit_points"] for r in stages}
    parts: list[spc.Segment] = []
    limits: list[tuple[float, float, float]] = []
    for part in spc.segments(days, [m["value"] for m in measurements], as_stages(stages), ()):
        chunk = measurements[part.first : part.last + 1]
        found, signals = attribute_signals(
            kpi["chart_kind"],
            [m["value"] for m in chunk],
            [m.get("denominator") for m in chunk],
            base_of.get(part.stage.starts_on, spc.DEFAULT_LIMIT_POINTS),
            scale_of(kpi),
            rules,
        )
        if found is None:
            return parts, None
        limits += found
        shifted = [spc.Signal(s.index + part.first, s.rule) for s in signals]
        parts.append(
            spc.Segment(
                spc.Stage(part.stage.starts_on, part.stage.label, None),
                part.first,
                part.last,
                shifted,
            )
        )
    return parts, limits
