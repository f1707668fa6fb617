"""Rollout waves and training: the plan by wave, sessions with attendees and assessment
scores, pass rates per wave against the organisation's pass mark, and who must retrain."""

from __future__ import annotations

from typing import Any

from tracker.accounts.tables import Organisation
from tracker.db import is_unique_violation, write_transaction
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.registers import fields
from tracker.rollout import rules
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted

MAX_ATTENDEES = 200


async def pass_mark(org_id: int) -> int:
    row = (
        await Organisation.select(Organisation.training_pass_mark)
        .where(Organisation.id == org_id)
        .first()
    )
    return int(row["training_pass_mark"]) if row else rules.DEFAULT_PASS_MARK


async def save_pass_mark(org_id: int, submitted: Submitted) -> None:
    checks = Checks(submitted)
    problem = rules.pass_mark_problem(checks.get("pass_mark"))
    if problem:
        checks.error("pass_mark", _(problem))
    checks.done()
    await Organisation.update(
        {Organisation.training_pass_mark: int(checks.get("pass_mark"))}
    ).where(Organisation.id == org_id)


async def rollout_view(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    mark = await pass_mark(scope.org_id)
    waves = (
        await scope.select(RolloutWave, *RolloutWave.all_columns(), RolloutWave.owner.name)
        .where(RolloutWave.initiative == initiative_id)
        .order_by(RolloutWave.start_date)
        .order_by(RolloutWave.id)
    )
    sessions = (
        await scope.select(TrainingSession, *TrainingSession.all_columns())
        .where(TrainingSession.initiative == initiative_id)
        .order_by(TrainingSession.held_on)
        .order_by(TrainingSession.id)
    )
    results = (
        await scope.select(
            TrainingResult,
            *TrainingResult.all_columns(),
            TrainingResult.session.held_on,
            TrainingResult.session.wave,
        )
        .where(TrainingResult.session.is_in([s["id"] for s in sessions]))
        .order_by(TrainingResult.session.held_on)
        .order_by(TrainingResult.id)
        if sessions
        else []
    )
    for wave in waves:
        scores = [r["score"] for r in results if r["session.wave"] == wave["id"]]
        wave["pass_rate"] = rules.pass_rate(scores, mark)
    for session in sessions:
        mine = [r for r in results if r["session"] == session["id"]]
        session["attendees"] = len(mine)
        session["pass_rate"] = rules.pass_rate([r["score"] for r in mine], mark)
    overall = rules.pass_rate([r["score"] for r in results], mark)
    return {
        "waves": waves,
        "sessions": sessions,
        "pass_mark": mark,
        "overall": overall,
        "retrain": rules.to_retrain(results, mark),
        "complete": rules.rollout_complete(w["status"] for w in waves),
    }


def _wave_values(checks: Checks) -> dict[str, Any]:
    values: dict[str, Any] = {
        "scope": checks.require(
            "scope", _("Name the departments, regions or weeks of the wave."), 200
        ),
        "start_date": fields.day(checks, "start_date", required=True),
        "end_date": fields.day(checks, "end_date", required=True),
        "status": fields.choice(checks, "status", rules.WAVE_STATUSES, "planned"),
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        checks.error("end_date", _("The end cannot be before the start."))
    return values


async def add_wave(scope: TenantScope, initiative_id: int, submitted: Submitted) -> None:
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    values = _wave_values(checks)
    values["owner"] = await fields.member(checks, "owner", scope.org_id)
    checks.done()
    await scope.insert(RolloutWave, {**values, "initiative": initiative_id})


async def wave_initiative(scope: TenantScope, wave_id: int) -> int:
    """The initiative a wave belongs to."""
    return int((await scope.get(RolloutWave, wave_id, RolloutWave.initiative))["initiative"])


async def update_wave(scope: TenantScope, wave_id: int, submitted: Submitted) -> int:
    """Change a wave's scope, dates, owner and status; returns the initiative id."""
    initiative_id = await wave_initiative(scope, wave_id)
    checks = Checks(submitted)
    values = _wave_values(checks)
    owner = await fields.member(checks, "owner", scope.org_id)
    checks.done()
    columns = {RolloutWave._meta.get_column_by_name(k): v for k, v in values.items()}
    columns[RolloutWave.owner] = owner
    await scope.update(RolloutWave, columns, RolloutWave.id == wave_id)
    return initiative_id


def wave_fields(wave: dict[str, Any]) -> dict[str, str]:
    """A wave's values as its edit form shows them."""
    return {
        "scope": wave["scope"],
        "start_date": wave["start_date"].isoformat(),
        "end_date": wave["end_date"].isoformat(),
        "owner": str(wave["owner"] or ""),
        "status": wave["status"],
    }


async def set_wave_status(scope: TenantScope, wave_id: int, submitted: Submitted) -> int:
    """Move a wave to another status; returns the initiative id."""
    initiative_id = await wave_initiative(scope, wave_id)
    checks = Checks(submitted)
    status = fields.choice(checks, "status", rules.WAVE_STATUSES)
    checks.done()
    await scope.update(RolloutWave, {RolloutWave.status: status}, RolloutWave.id == wave_id)
    return initiative_id


def _attendees(text: str) -> list[str]:
    names: list[str] = []
    for line in text.replace("，", ",").replace(",", "\n").splitlines():
        name = line.strip()[:200]
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


async def add_session(scope: TenantScope, initiative_id: int, submitted: Submitted) -> int:
    """A training session with its attendees; returns its id."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    checks = Checks(submitted)
    wave = None
    raw = checks.get("wave")
    if raw:
        if raw.isdigit() and await scope.count(RolloutWave).where(
            RolloutWave.id == int(raw), RolloutWave.initiative == initiative_id
        ):
            wave = int(raw)
        else:
            checks.error("wave", _("Choose a wave of this initiative."))
    values = {
        "held_on": fields.day(checks, "held_on", required=True),
        "trainer": checks.require("trainer", _("Name the trainer."), 200),
        "topic": checks.limit("topic", 200),
        "wave": wave,
        "initiative": initiative_id,
    }
    attendees = _attendees(checks.limit("attendees", 20000))
    if not attendees:
        checks.error("attendees", _("List the attendees, one per line."))
    elif len(attendees) > MAX_ATTENDEES:
        checks.error("attendees", _("At most 200 attendees per session."))
    checks.done()
    async with write_transaction():
        session = (await scope.insert(TrainingSession, values))[0]["id"]
        await scope.insert(
            TrainingResult, *({"session": session, "attendee": name} for name in attendees)
        )
    return int(session)


async def session_view(scope: TenantScope, session_id: int) -> dict[str, Any]:
    session = await scope.get(
        TrainingSession,
        session_id,
        *TrainingSession.all_columns(),
        TrainingSession.wave.scope,
        TrainingSession.initiative.process_code,
        TrainingSession.initiative.name,
    )
    results = (
        await scope.select(TrainingResult, *TrainingResult.all_columns())
        .where(TrainingResult.session == session_id)
        .order_by(TrainingResult.id)
    )
    mark = await pass_mark(scope.org_id)
    for r in results:
        r["passed"] = rules.passed(r["score"], mark)
    return {
        "session": session,
        "results": results,
        "pass_mark": mark,
        "pass_rate": rules.pass_rate([r["score"] for r in results], mark),
    }


async def save_scores(scope: TenantScope, session_id: int, submitted: Submitted) -> None:
    """Scores of every attendee (0–100, blank = not assessed) and new attendees, at once."""
    await scope.get(TrainingSession, session_id, TrainingSession.id)
    results = await scope.select(TrainingResult, TrainingResult.id).where(
        TrainingResult.session == session_id
    )
    checks = Checks(submitted)
    scores: dict[int, int | None] = {}
    for r in results:
        key = f"score_{r['id']}"
        if key in submitted:
            scores[r["id"]] = fields.whole(checks, key, 0, 100)
    new = _attendees(checks.limit("new_attendees", 5000))
    checks.done()
    try:
        async with write_transaction():
            for result_id, score in scores.items():
                await scope.update(
                    TrainingResult, {TrainingResult.score: score}, TrainingResult.id == result_id
                )
            if new:
                await scope.insert(
                    TrainingResult, *({"session": session_id, "attendee": name} for name in new)
                )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        message = _("This person is already on the list of this session.")
        raise Invalid(_("Please correct the marked fields."), {"new_attendees": message}) from error
