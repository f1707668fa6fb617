"""Pilots: metrics before and after, satisfaction, unmet problems and the feedback log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tracker.db import is_unique_violation, write_transaction
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.pilots import rules
from tracker.pilots.tables import (
    Pilot,
    PilotFeedback,
    PilotMetric,
    SatisfactionRating,
    UnmetProblem,
)
from tracker.problems.tables import Problem
from tracker.registers import fields
from tracker.tenancy import TenantScope
from tracker.web import Form

FEEDBACK_CATEGORIES = ("process", "form", "tool", "training", "other")


async def pilots(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(Pilot, *Pilot.all_columns())
        .where(Pilot.initiative == initiative_id)
        .order_by(Pilot.start_date, ascending=False)
    )


async def create(scope: TenantScope, initiative_id: int, form: Form) -> int | None:
    await scope.get(Initiative, initiative_id, Initiative.id)
    values: dict[str, Any] = {
        "process": form.require("process", _("Name the piloted process."), 200),
        "scope": form.require("scope", _("Name the pilot team or region."), 200),
        "start_date": fields.day(form, "start_date", required=True),
        "end_date": fields.day(form, "end_date"),
        "initiative": initiative_id,
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        form.error("end_date", _("The end cannot be before the start."))
    if not form.ok:
        return None
    return int((await scope.insert(Pilot, values))[0]["id"])


def decorate_metric(row: dict[str, Any]) -> dict[str, Any]:
    row["change"] = rules.change_percent(row["baseline"], row["result"])
    row["met"] = rules.target_met(row["direction"], row["result"], row["target"])
    row["bar"] = rules.before_after_bars(row["name"], row["baseline"], row["result"], row["target"])
    return row


async def pilot_view(
    scope: TenantScope, pilot_id: int, person_id: int | None = None
) -> dict[str, Any]:
    pilot = await scope.get(
        Pilot, pilot_id, *Pilot.all_columns(), Pilot.initiative.process_code, Pilot.initiative.name
    )
    metrics = [
        decorate_metric(m)
        for m in await scope.select(PilotMetric, *PilotMetric.all_columns())
        .where(PilotMetric.pilot == pilot_id)
        .order_by(PilotMetric.id)
    ]
    ratings = await scope.select(
        SatisfactionRating, SatisfactionRating.score, SatisfactionRating.rated_by
    ).where(SatisfactionRating.pilot == pilot_id)
    unmet = (
        await scope.select(UnmetProblem, *UnmetProblem.all_columns())
        .where(UnmetProblem.pilot == pilot_id)
        .order_by(UnmetProblem.id)
    )
    feedback = (
        await scope.select(
            PilotFeedback,
            *PilotFeedback.all_columns(),
            PilotFeedback.author.name,
            PilotFeedback.problem.title,
        )
        .where(PilotFeedback.pilot == pilot_id)
        .order_by(PilotFeedback.created_at, ascending=False)
    )
    problems = (
        await scope.select(Problem, Problem.id, Problem.title)
        .where(Problem.initiative == pilot["initiative"])
        .order_by(Problem.title)
    )
    return {
        "pilot": pilot,
        "metrics": metrics,
        "satisfaction": rules.satisfaction(r["score"] for r in ratings),
        "my_rating": next(
            (r["score"] for r in ratings if person_id and r["rated_by"] == person_id), None
        ),
        "unmet": unmet,
        "feedback": feedback,
        "problems": problems,
    }


async def add_metric(scope: TenantScope, pilot_id: int, form: Form) -> bool:
    await scope.get(Pilot, pilot_id, Pilot.id)
    values: dict[str, Any] = {
        "name": form.require("name", _("Name the metric."), 200),
        "unit": form.limit("unit", 30),
        "direction": fields.choice(form, "direction", ("lower", "higher")),
        "baseline": fields.number(form, "baseline", required=True),
        "result": fields.number(form, "result"),
        "target": fields.number(form, "target"),
        "pilot": pilot_id,
    }
    if values["result"] is not None:
        values["recorded_at"] = datetime.now(UTC)
    if not form.ok:
        return False
    await scope.insert(PilotMetric, values)
    return True


async def update_metric(scope: TenantScope, metric_id: int, form: Form) -> int | None:
    """Record the result (after) of a metric; returns the pilot id."""
    metric = await scope.get(PilotMetric, metric_id, PilotMetric.pilot)
    result = fields.number(form, "result", required=True)
    target = fields.number(form, "target")
    if not form.ok:
        return None
    values: dict[Any, Any] = {
        PilotMetric.result: result,
        PilotMetric.recorded_at: datetime.now(UTC),
    }
    if target is not None:
        values[PilotMetric.target] = target
    await scope.update(PilotMetric, values, PilotMetric.id == metric_id)
    return int(metric["pilot"])


async def add_rating(scope: TenantScope, pilot_id: int, form: Form, person_id: int) -> bool:
    await scope.get(Pilot, pilot_id, Pilot.id)
    """One rating per person and pilot (a database key): a second one replaces the first."""
    value = fields.score(form, "score")
    if value is None:
        return False
    changed = {SatisfactionRating.score: value, SatisfactionRating.rated_at: datetime.now(UTC)}
    mine = (SatisfactionRating.pilot == pilot_id, SatisfactionRating.rated_by == person_id)
    if await scope.update(SatisfactionRating, changed, *mine).returning(SatisfactionRating.id):
        return True
    try:
        async with write_transaction():
            await scope.insert(
                SatisfactionRating, {"pilot": pilot_id, "score": value, "rated_by": person_id}
            )
    except Exception as error:  # the same person rated at the same moment (a double click)
        if not is_unique_violation(error):
            raise
        await scope.update(SatisfactionRating, changed, *mine)
    return True


async def add_unmet(scope: TenantScope, pilot_id: int, form: Form) -> bool:
    await scope.get(Pilot, pilot_id, Pilot.id)
    values = {
        "problem": form.require(
            "unmet_problem", _("Name the problem that missed the target."), 300
        ),
        "cause": form.require("unmet_cause", _("Give its cause."), 300),
        "pilot": pilot_id,
    }
    if not form.ok:
        return False
    await scope.insert(UnmetProblem, values)
    return True


async def add_feedback(scope: TenantScope, pilot_id: int, form: Form, person_id: int) -> bool:
    pilot = await scope.get(Pilot, pilot_id, Pilot.id, Pilot.initiative)
    problem = None
    raw = form.get("problem")
    if raw:
        if raw.isdigit() and await scope.count(Problem).where(
            Problem.id == int(raw), Problem.initiative == pilot["initiative"]
        ):
            problem = int(raw)
        else:
            form.error("problem", _("Choose a problem of this initiative."))
    values = {
        "text": form.require("text", _("Write the feedback."), 5000),
        "category": fields.choice(form, "category", FEEDBACK_CATEGORIES, "other"),
        "problem": problem,
        "pilot": pilot_id,
        "author": person_id,
    }
    if not form.ok:
        return False
    await scope.insert(PilotFeedback, values)
    return True


async def save_summary(scope: TenantScope, pilot_id: int, form: Form) -> bool:
    await scope.get(Pilot, pilot_id, Pilot.id)
    summary = form.limit("summary", 20000)
    if not form.ok:
        return False
    await scope.update(Pilot, {Pilot.summary: summary}, Pilot.id == pilot_id)
    return True


async def evaluation_rows(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    """The pilot evaluation table (seed 004 table 3): one row per metric."""
    metrics = (
        await scope.select(
            PilotMetric,
            *PilotMetric.all_columns(),
            PilotMetric.pilot.process,
            PilotMetric.pilot.scope,
            PilotMetric.pilot.id,
        )
        .where(PilotMetric.pilot.initiative == initiative_id)
        .order_by(PilotMetric.id)
    )
    pilot_ids = sorted({m["pilot.id"] for m in metrics})
    ratings: dict[int, list[int]] = {p: [] for p in pilot_ids}
    unmet: dict[int, list[str]] = {p: [] for p in pilot_ids}
    if pilot_ids:
        for r in await scope.select(
            SatisfactionRating, SatisfactionRating.pilot, SatisfactionRating.score
        ).where(SatisfactionRating.pilot.is_in(pilot_ids)):
            ratings[r["pilot"]].append(r["score"])
        for u in await scope.select(
            UnmetProblem, UnmetProblem.pilot, UnmetProblem.problem, UnmetProblem.cause
        ).where(UnmetProblem.pilot.is_in(pilot_ids)):
            unmet[u["pilot"]].append(f"{u['problem']} → {u['cause']}")
    for m in metrics:
        decorate_metric(m)
        m["satisfaction"] = rules.satisfaction(ratings[m["pilot.id"]]).mean
        m["unmet"] = "; ".join(unmet[m["pilot.id"]])
    return metrics
