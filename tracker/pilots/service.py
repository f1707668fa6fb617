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
from tracker.values import Checks, Submitted

FEEDBACK_CATEGORIES = ("process", "form", "tool", "training", "other")


async def pilots(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(Pilot, *Pilot.all_columns())
        .where(Pilot.initiative == initiative_id)
        .order_by(Pilot.start_date, ascending=False)
    )


async def create(scope: TenantScope, initiative_id: int, submitted: Submitted) -> int:
    """A new pilot of the initiative; returns its id. Field errors: ``Invalid``."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values: dict[str, Any] = {
        "process": checks.require("process", _("Name the piloted process."), 200),
        "scope": checks.require("scope", _("Name the pilot team or region."), 200),
        "start_date": fields.day(checks, "start_date", required=True),
        "end_date": fields.day(checks, "end_date"),
        "initiative": initiative_id,
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        checks.error("end_date", _("The end cannot be before the start."))
    checks.done()
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


async def add_metric(scope: TenantScope, pilot_id: int, submitted: Submitted) -> None:
    await scope.get(Pilot, pilot_id, Pilot.id)
    checks = Checks(submitted)
    values: dict[str, Any] = {
        "name": checks.require("name", _("Name the metric."), 200),
        "unit": checks.limit("unit", 30),
        "direction": fields.choice(checks, "direction", ("lower", "higher")),
        "baseline": fields.number(checks, "baseline", required=True),
        "result": fields.number(checks, "result"),
        "target": fields.number(checks, "target"),
        "pilot": pilot_id,
    }
    if values["result"] is not None:
        values["recorded_at"] = datetime.now(UTC)
    checks.done()
    await scope.insert(PilotMetric, values)


async def metric_pilot(scope: TenantScope, metric_id: int) -> int:
    """The pilot a metric belongs to."""
    return int((await scope.get(PilotMetric, metric_id, PilotMetric.pilot))["pilot"])


async def update_metric(scope: TenantScope, metric_id: int, submitted: Submitted) -> int:
    """Record the result (after) of a metric; returns the pilot id."""
    pilot_id = await metric_pilot(scope, metric_id)
    checks = Checks(submitted)
    result = fields.number(checks, "result", required=True)
    target = fields.number(checks, "target")
    checks.done()
    values: dict[Any, Any] = {
        PilotMetric.result: result,
        PilotMetric.recorded_at: datetime.now(UTC),
    }
    if target is not None:
        values[PilotMetric.target] = target
    await scope.update(PilotMetric, values, PilotMetric.id == metric_id)
    return pilot_id


async def add_rating(
    scope: TenantScope, pilot_id: int, submitted: Submitted, person_id: int
) -> None:
    """One rating per person and pilot (a database key): a second one replaces the first."""
    await scope.get(Pilot, pilot_id, Pilot.id)
    checks = Checks(submitted)
    value = fields.score(checks, "score")
    checks.done()
    assert value is not None  # a score is required
    changed = {SatisfactionRating.score: value, SatisfactionRating.rated_at: datetime.now(UTC)}
    mine = (SatisfactionRating.pilot == pilot_id, SatisfactionRating.rated_by == person_id)
    if await scope.update(SatisfactionRating, changed, *mine).returning(SatisfactionRating.id):
        return
    try:
        async with write_transaction():
            await scope.insert(
                SatisfactionRating, {"pilot": pilot_id, "score": value, "rated_by": person_id}
            )
    except Exception as error:  # the same person rated at the same moment (a double click)
        if not is_unique_violation(error):
            raise
        await scope.update(SatisfactionRating, changed, *mine)


async def add_unmet(scope: TenantScope, pilot_id: int, submitted: Submitted) -> None:
    await scope.get(Pilot, pilot_id, Pilot.id)
    checks = Checks(submitted)
    values = {
        "problem": checks.require(
            "unmet_problem", _("Name the problem that missed the target."), 300
        ),
        "cause": checks.require("unmet_cause", _("Give its cause."), 300),
        "pilot": pilot_id,
    }
    checks.done()
    await scope.insert(UnmetProblem, values)


async def add_feedback(
    scope: TenantScope, pilot_id: int, submitted: Submitted, person_id: int
) -> None:
    pilot = await scope.get(Pilot, pilot_id, Pilot.id, Pilot.initiative)
    checks = Checks(submitted)
    problem = None
    raw = checks.get("problem")
    if raw:
        if raw.isdigit() and await scope.count(Problem).where(
            Problem.id == int(raw), Problem.initiative == pilot["initiative"]
        ):
            problem = int(raw)
        else:
            checks.error("problem", _("Choose a problem of this initiative."))
    values = {
        "text": checks.require("text", _("Write the feedback."), 5000),
        "category": fields.choice(checks, "category", FEEDBACK_CATEGORIES, "other"),
        "problem": problem,
        "pilot": pilot_id,
        "author": person_id,
    }
    checks.done()
    await scope.insert(PilotFeedback, values)


async def save_summary(scope: TenantScope, pilot_id: int, submitted: Submitted) -> None:
    await scope.get(Pilot, pilot_id, Pilot.id)
    checks = Checks(submitted)
    summary = checks.limit("summary", 20000)
    checks.done()
    await scope.update(Pilot, {Pilot.summary: summary}, Pilot.id == pilot_id)


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
