"""Judging a new KPI point on the points recording it reads (tracker.kpis.judging.judge: the
stage's first points while they are needed, the LOOKBACK points before the day and those
after it) decides what judging it on every point of its stage decided: the same limits
kept, the same signals against the same lines; for individuals, p- and c-charts, a first
stage, incomplete and complete limits, points entered between others, and a point judged
again."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from tracker.kpis import control, judging, spc

START = date(2026, 1, 1)


def whole_stage_judgement(
    kpi: dict[str, Any], stages: list[dict[str, Any]], stored: list[dict[str, Any]], day: date,
    rules: tuple[str, ...],
) -> tuple[tuple[Any, ...] | None, list[tuple[date, str, float]]]:  # fmt: skip
    """The judgement as it was made before (on every point of the stage, the new one already
    stored, as tracker.kpis.control did): the stage's limit columns after it, and each signal
    raised as (day, rule, line)."""
    stages = [dict(s) for s in stages] or [
        {"starts_on": day, "label": "baseline", "limit_points": spc.DEFAULT_LIMIT_POINTS,
         "centre": None, "mr_bar": None, "based_on": 0}
    ]  # fmt: skip
    at = spc.stage_of(day, judging.as_stages(stages))
    if at is None:
        return None, []
    stage = stages[at]
    until = stages[at + 1]["starts_on"] if at + 1 < len(stages) else date(9999, 12, 31)
    points = [p for p in stored if stage["starts_on"] <= p["measured_on"] < until]
    size = stage["limit_points"]
    values = [p["value"] for p in points]
    raised = []
    if kpi["chart_kind"] != "individuals":
        if len(points) < size:
            return None, []
        completed = len(points) == size
        limits, found = control.attribute_signals(
            kpi["chart_kind"], values, [p["denominator"] for p in points], size,
            judging.scale_of(kpi), rules,
        )  # fmt: skip
        for signal in found:
            point = points[signal.index]
            if completed or point["measured_on"] >= day:
                assert limits is not None
                centre, lower, upper = limits[signal.index]
                line = centre
                if signal.rule == "beyond":
                    line = upper if point["value"] > upper else lower
                raised.append((point["measured_on"], signal.rule, line))
        return None, raised
    completed = False
    if stage["based_on"] < size:
        found = spc.xmr_limits(values[:size])
        stage.update(judging.limit_columns(found))
        completed = stage["based_on"] >= size
        if not completed:
            return _columns(stage), []
    kept = judging.as_stages([stage])[0].limits
    if kept is None:
        return _columns(stage), []
    for signal in spc.signals(values, kept, rules):
        point = points[signal.index]
        if not completed and point["measured_on"] < day:
            continue
        line = kept.centre
        if signal.rule == "beyond":
            line = kept.upper if point["value"] > kept.upper else kept.lower
        raised.append((point["measured_on"], signal.rule, line))
    return _columns(stage), raised


def _columns(stage: dict[str, Any]) -> tuple[Any, ...]:
    return stage["centre"], stage["mr_bar"], stage["based_on"]


def context_as_read(
    kpi: dict[str, Any], stages: list[dict[str, Any]], stored: list[dict[str, Any]], day: date,
    rules: tuple[str, ...],
) -> judging.Context:  # fmt: skip
    """What tracker.kpis.queries.RECORD_CONTEXT reads (the same choice, made in Python)."""
    starts = [s["starts_on"] for s in stages]
    s = max((d for d in starts if d <= day), default=None)
    e = min((d for d in starts if d > day), default=None)
    fresh = not stages
    stage = next((x for x in stages if x["starts_on"] == s), None)
    if fresh:
        head_limit = spc.DEFAULT_LIMIT_POINTS + 1
    elif stage is None:
        head_limit = 0
    elif kpi["chart_kind"] != "individuals" or stage["based_on"] < stage["limit_points"]:
        head_limit = stage["limit_points"] + 1
    else:
        head_limit = 0
    low = s or day
    inside = [
        p
        for p in stored
        if (s is not None or fresh)
        and p["measured_on"] >= low
        and (e is None or p["measured_on"] < e)
    ]
    return judging.Context(
        day=day,
        kpi=kpi,
        rules=rules,
        stages=[dict(x, id=i + 1) for i, x in enumerate(stages)],
        head=inside[:head_limit],
        head_limit=head_limit,
        before=[p for p in inside if s is not None and p["measured_on"] < day][-spc.LOOKBACK :],
        after=[p for p in inside if p["measured_on"] >= day],
        missing_denominator=kpi["chart_kind"] == "proportion"
        and any(p["denominator"] is None or p["denominator"] <= 0 for p in inside),
    )


def judged_on_what_is_read(
    kpi: dict[str, Any], stages: list[dict[str, Any]], stored: list[dict[str, Any]], day: date,
    new: dict[str, Any] | None, rules: tuple[str, ...],
) -> tuple[tuple[Any, ...] | None, list[tuple[date, str, float]]]:  # fmt: skip
    existing = [p for p in stored if new is None or p["measured_on"] != day]
    context = context_as_read(kpi, stages, existing, day, rules)
    judged = judging.judge(context, new)
    if judged is None:  # with_whole_stage: every point of the stage in head
        inside = context_as_read(kpi, stages, existing, day, rules)
        at = spc.stage_of(day, judging.as_stages(context.stages)) if stages else None
        low = stages[at]["starts_on"] if at is not None else day
        later = [x["starts_on"] for x in stages if x["starts_on"] > day]
        whole = [
            p
            for p in existing
            if low <= p["measured_on"] and (not later or p["measured_on"] < later[0])
        ]
        inside.head, inside.head_limit = whole, len(whole) + 1
        judged = judging.judge(inside, new)
        assert judged is not None
    at = spc.stage_of(day, judging.as_stages(context.stages)) if stages else None
    columns = None
    if judged.new_stage is not None:
        columns = _columns(judged.new_stage)
    elif judged.limits is not None:
        columns = _columns(judged.limits[1])
    elif at is not None and kpi["chart_kind"] == "individuals":
        columns = _columns(stages[at])
    signals = [(p["measured_on"], rule, line) for p, rule, line in judged.signals]
    return columns, signals


def example(rng: random.Random) -> tuple[Any, ...]:
    kind = rng.choice(["individuals", "individuals", "proportion", "count"])
    unit = rng.choice(["%", ""])
    kpi = {"id": 1, "chart_kind": kind, "unit": unit, "direction": "lower", "threshold": 9.0}
    days = sorted(rng.sample(range(120), rng.randint(0, 45)))
    level, stored = 10.0, []
    for d in days:
        level += rng.choice([-0.4, -0.2, -0.1, 0.0, 0.1, 0.2, 0.4, 1.5, -1.5])
        if kind == "individuals":
            value, denominator = round(level, 1), None
        elif kind == "count":
            value, denominator = float(rng.choice([2, 3, 4, 5, 6, 12])), None
        else:
            denominator = float(rng.choice([50, 100, 200]))
            share = rng.choice([0.02, 0.03, 0.04, 0.05, 0.15])
            value = round(share * denominator) / denominator * (100 if unit == "%" else 1)
            if rng.random() < 0.03:
                denominator = None
        stored.append(
            {
                "id": d + 1,
                "measured_on": START + timedelta(d),
                "value": value,
                "denominator": denominator,
            }
        )
    stages = []
    for start in sorted(rng.sample(range(-5, 120), rng.choice([0, 0, 1, 1, 2, 3]))):
        size = rng.randint(2, 12)
        starts_on = START + timedelta(start)
        stages.append({"kpi": 1, "starts_on": starts_on, "label": "other", "limit_points": size})
    for i, stage in enumerate(stages):
        until = stages[i + 1]["starts_on"] if i + 1 < len(stages) else date(9999, 12, 31)
        values = [p["value"] for p in stored if stage["starts_on"] <= p["measured_on"] < until]
        # limits as a recompute leaves them, or still waiting for their points
        found = spc.xmr_limits(values[: stage["limit_points"]]) if rng.random() < 0.8 else None
        stage.update(judging.limit_columns(found))
    rules = tuple(r for r in spc.RULES if rng.random() < 0.8) or spc.RULES
    if stored and rng.random() < 0.15:  # a stored point judged again
        day, new = rng.choice(stored)["measured_on"], None
    else:
        taken = {p["measured_on"] for p in stored}
        day = START + timedelta(
            rng.choice([d for d in range(-3, 125) if START + timedelta(d) not in taken])
        )
        value = round(level + rng.choice([-3.0, -0.2, 0.0, 0.2, 3.0]), 1)
        denominator = None
        if kind == "proportion":
            denominator = 100.0
            value = rng.choice([0.02, 0.04, 0.3]) * (100 if unit == "%" else 1)
        elif kind == "count":
            value = float(rng.choice([3, 4, 20]))
        new = {"id": None, "measured_on": day, "value": value, "denominator": denominator}
        stored = sorted([*stored, {**new, "id": 10_000}], key=lambda p: p["measured_on"])
    return kpi, stages, stored, day, new, rules


@pytest.mark.parametrize("seed", range(8))
def test_judging_on_the_points_read_is_judging_on_the_whole_stage(seed):
    rng = random.Random(seed)
    signalled = 0
    for _ in range(400):
        kpi, stages, stored, day, new, rules = example(rng)
        expected = whole_stage_judgement(kpi, stages, stored, day, rules)
        got = judged_on_what_is_read(kpi, stages, stored, day, new, rules)
        if kpi["chart_kind"] != "individuals":
            expected, got = (None, expected[1]), (None, got[1])
        assert got == expected, (kpi, stages, day, new, rules)
        signalled += bool(expected[1])
    assert signalled > 40  # the examples do signal


def test_a_point_past_the_stage_start_reads_only_the_lookback_points_before_it():
    """A complete stage of 400 points: a new latest point is judged on the 8 before it."""
    kpi = {"id": 1, "chart_kind": "individuals", "unit": "", "direction": "lower", "threshold": 9}
    stored = [
        {"id": d, "measured_on": START + timedelta(d), "value": 10.0 + (d % 2) / 10, "denominator": None}
        for d in range(400)
    ]  # fmt: skip
    limits = spc.xmr_limits([p["value"] for p in stored[:20]])
    stage = {"kpi": 1, "starts_on": START, "label": "baseline", "limit_points": 20}
    stage.update(judging.limit_columns(limits))
    day = START + timedelta(400)
    context = context_as_read(kpi, [stage], stored, day, spc.RULES)
    assert (len(context.head), len(context.before), len(context.after)) == (0, spc.LOOKBACK, 0)
    new = {"id": None, "measured_on": day, "value": 50.0, "denominator": None}
    judged = judging.judge(context, new)
    assert judged is not None and [(p["value"], r) for p, r, _ in judged.signals] == [
        (50.0, "beyond")
    ]
