"""Judging a new point of a KPI's control chart on what recording it reads (``Context``):
pure, no database; ``tracker.kpis.control`` reads the context and writes what is judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.kpis import spc


def as_stages(rows: list[dict[str, Any]]) -> list[spc.Stage]:
    return [
        spc.Stage(
            r["starts_on"],
            r["label"],
            spc.Limits(r["centre"], r["mr_bar"], r["based_on"])
            if r["centre"] is not None and r["based_on"] >= spc.MIN_LIMIT_POINTS
            else None,
        )
        for r in rows
    ]


@dataclass
class Context:
    """What recording a measurement on ``day`` reads, in one round trip (``read_context``):
    the KPI (with the columns of ``tracker.kpis.service.get_kpi``), the organisation's rules,
    the KPI's stages, and of the stage the day falls in only the points judging a point on
    that day needs: ``head``, its first points where its limits or centre need them (at most
    ``head_limit``; fewer: the whole stage), ``before``, the ``spc.LOOKBACK`` points before
    the day, and ``after``, its points from the day on; all oldest first."""

    day: date
    kpi: dict[str, Any]
    rules: tuple[str, ...]
    stages: list[dict[str, Any]]
    head: list[dict[str, Any]]
    head_limit: int
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    missing_denominator: bool  # a proportion's stage holds a point without one

    @property
    def whole_stage(self) -> bool:
        """``head`` holds every point of the stage (fewer came than were asked for)."""
        return len(self.head) < self.head_limit


def by_day(point: dict[str, Any]) -> date:
    return point["measured_on"]


@dataclass
class Judged:
    """What judging a point writes: a new baseline stage with its limits (``new_stage``),
    limits kept on an existing stage (``limits``: its id and the columns), and the signals,
    each (point, rule, the line it is judged against); the new point's id is None until it
    is written."""

    new_stage: dict[str, Any] | None = None
    limits: tuple[int, dict[str, Any]] | None = None
    signals: list[tuple[dict[str, Any], str, float]] = field(default_factory=list)


def with_point(points: list[dict[str, Any]], new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The points with the new one in its place by date (unless it is stored already)."""
    if new is None or any(p["measured_on"] == new["measured_on"] for p in points):
        return points
    return sorted([*points, new], key=by_day)


def limit_columns(limits: spc.Limits | None) -> dict[str, Any]:
    return {
        "centre": limits.centre if limits else None,
        "mr_bar": limits.mr_bar if limits else None,
        "based_on": limits.points if limits else 0,
    }


def judge(context: Context, new: dict[str, Any] | None) -> Judged | None:
    """Judge the point on ``context.day`` (``new``, not yet stored; None: the stored one) as
    the whole stage would be judged: give the KPI a baseline stage from the day if it has
    none, complete the stage's limits while they rest on fewer points than asked for, and
    find each signal at or after the point (every signal of the stage when its limits have
    just become complete). None when that needs every point of the stage and ``head`` does
    not hold them (``with_whole_stage``, then judge again)."""
    day = context.day
    if context.stages:
        at = spc.stage_of(day, as_stages(context.stages))
        if at is None:
            return Judged()  # before the first stage: nothing to judge against
        stage = context.stages[at]
    else:
        stage = {"id": None, "starts_on": day, "label": "baseline"}
        stage["limit_points"] = spc.DEFAULT_LIMIT_POINTS
        stage.update(limit_columns(None))
    size = stage["limit_points"]
    head = with_point(context.head, new)
    window = [*context.before, *with_point(context.after, new)]
    first = len(context.before)  # the window's first point from the day on
    judged = Judged()
    kind = context.kpi.get("chart_kind") or "individuals"
    if kind != "individuals":
        return _judge_attribute(context, judged, stage, head, window, first)
    if stage["based_on"] < size:
        limits = spc.xmr_limits([p["value"] for p in head[:size]])
        columns = limit_columns(limits)
        if stage["id"] is None:
            judged.new_stage = {**stage, **columns}
        elif any(stage[k] != v for k, v in columns.items()):
            judged.limits = (stage["id"], columns)
        if columns["based_on"] < size:
            return judged  # provisional limits judge nothing yet
        if not context.whole_stage:
            return None
        assert limits is not None
        window, first = head, 0  # just completed: every signal of the stage
    else:
        limits = as_stages([stage])[0].limits
        if limits is None:
            return judged
    for signal in spc.signals([p["value"] for p in window], limits, context.rules):
        if signal.index >= first:
            point = window[signal.index]
            line = limits.centre
            if signal.rule == "beyond":
                line = limits.upper if point["value"] > limits.upper else limits.lower
            judged.signals.append((point, signal.rule, line))
    return judged


def _judge_attribute(
    context: Context,
    judged: Judged,
    stage: dict[str, Any],
    head: list[dict[str, Any]],
    window: list[dict[str, Any]],
    first: int,
) -> Judged | None:
    """``judge`` for a p- or c-chart: nothing until the stage has its base points; the centre
    comes from them."""
    size = stage["limit_points"]
    whole = context.whole_stage
    if whole and len(head) < size:
        return judged
    if whole and len(head) == size:
        window, first = head, 0  # just complete: every signal of the stage
        base: list[dict[str, Any]] = []
    elif context.missing_denominator:
        return judged  # the chart cannot be drawn
    else:
        base = head[:size]
    points = [*base, *window]
    limits = spc.attribute_limits(
        context.kpi["chart_kind"],
        [p["value"] for p in points],
        [p["denominator"] for p in points],
        size,
        scale_of(context.kpi),
    )
    if limits is None:
        return judged
    limits = limits[len(base) :]
    values = [p["value"] for p in window]
    for signal in spc.signals(spc.standardised(values, limits), spc.UNIT_LIMITS, context.rules):
        if signal.index >= first:
            point = window[signal.index]
            centre, lower, upper = limits[signal.index]
            line = centre
            if signal.rule == "beyond":
                line = upper if point["value"] > upper else lower
            judged.signals.append((point, signal.rule, line))
    return judged


def scale_of(kpi: dict[str, Any]) -> float:
    """A proportion is entered in its unit: per cent when the unit is %, else a fraction."""
    return 100.0 if (kpi.get("unit") or "").strip() == "%" else 1.0
