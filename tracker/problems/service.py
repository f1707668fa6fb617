"""Problems, their matrix and the measures; always within one organisation."""

from __future__ import annotations

from typing import Any

from tracker.db import write_transaction
from tracker.errors import Conflict, Invalid
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.problems import queries as q
from tracker.problems import rules
from tracker.problems.forms import ProblemInput, StepRow
from tracker.problems.tables import AsIsStep, Measure, Problem, ProblemScoreChange
from tracker.registers import fields
from tracker.registers.fields import Errors
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted

MAX_STEPS = 50  # as-is steps of one problem

COLUMNS = (
    Problem.id,
    Problem.initiative,
    Problem.title,
    Problem.description,
    Problem.category,
    Problem.impact,
    Problem.urgency,
    Problem.fishbone,
    Problem.whys,
    Problem.owner,
    Problem.owner.name,
    Problem.status,
    Problem.created_at,
    Problem.version,
)


def decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["quadrant"] = rules.quadrant(row["impact"], row["urgency"])
        row["score"] = row["impact"] * row["urgency"]
    return rows


async def problems(scope: TenantScope, initiative_id: int | None = None) -> list[dict[str, Any]]:
    """Problems in priority order (of one initiative, or the whole portfolio)."""
    rows = await scope.fetch_dicts(q.PROBLEMS, initiative=initiative_id)
    return rules.prioritise(decorate(rows))


LIST_PAGE = 100  # problems per page of the register's list


async def problem_page(
    scope: TenantScope, initiative_id: int, page: int
) -> tuple[list[dict[str, Any]], int]:
    """Page ``page`` (from 1) of one initiative's problems in priority order, and how many it
    has in all."""
    rows = await scope.fetch_dicts(
        q.PRIORITY_PAGE,
        initiative=initiative_id,
        limit=LIST_PAGE,
        offset=(page - 1) * LIST_PAGE,
    )
    counted = await scope.fetch_dicts(q.PROBLEM_COUNT, initiative=initiative_id)
    return decorate(rows), int(counted[0]["n"])


async def top(scope: TenantScope, initiative_id: int, n: int = 5) -> list[dict[str, Any]]:
    """The ``n`` first open or analysing problems of one initiative in priority order."""
    rows = await scope.fetch_dicts(
        q.PRIORITY_PAGE, initiative=initiative_id, statuses=rules.LIVE, limit=n, offset=0
    )
    return decorate(rows)


async def get(scope: TenantScope, problem_id: int) -> dict[str, Any]:
    row = await scope.get(
        Problem, problem_id, *COLUMNS, Problem.initiative.process_code, Problem.initiative.name
    )
    decorate([row])
    return row


async def steps(scope: TenantScope, problem_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(AsIsStep, *AsIsStep.all_columns())
        .where(AsIsStep.problem == problem_id)
        .order_by(AsIsStep.position)
    )


def check_steps(rows: tuple[StepRow, ...], errors: Errors) -> list[dict[str, Any]]:
    """The as-is evidence, a row per step (blank rows left out), in the order of their numbers
    (a row without one keeps its place); each error beside its row's field."""
    kept: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for row in rows:
        if row.blank:
            continue
        i = row.index
        if not row.step:
            errors.error(f"step_{i}", _("Name the step."))
        minutes = None
        if row.minutes:
            if not row.minutes.isdigit() or int(row.minutes) > 100_000:
                errors.error(
                    f"minutes_{i}",
                    _("Enter a whole number from %(low)s to %(high)s.", low=0, high=100_000),
                )
            else:
                minutes = int(row.minutes)
        number = i + 1
        if row.no:
            if row.no.isdigit() and 1 <= int(row.no) <= 999:
                number = int(row.no)
            else:
                errors.error(
                    f"no_{i}", _("Enter a whole number from %(low)s to %(high)s.", low=1, high=999)
                )
        if set(row.kinds) - set(rules.KINDS):
            errors.error(f"kinds_{i}", _("Choose one of the options."))
        kinds = rules.kinds_text(k for k in row.kinds if k in rules.KINDS)
        step = {"step": row.step[:200], "role": row.role[:100], "minutes": minutes, "kinds": kinds}
        kept.append(((number, i), step))
    if len(kept) > MAX_STEPS:
        errors.error("as_is", _("Record at most 50 steps."))
    return [step for _order, step in sorted(kept, key=lambda pair: pair[0])]


async def check(
    scope: TenantScope, data: ProblemInput, errors: Errors
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The problem's values and its as-is steps; every error goes to ``errors`` by field."""
    values = {
        "title": fields.text_value(data.title, errors, "title", 200, _("Name the problem.")),
        "description": fields.text_value(data.description, errors, "description", 5000),
        "category": fields.choice_value(data.category, errors, "category", rules.Category),
        "impact": fields.score_value(data.impact, errors, "impact"),
        "urgency": fields.score_value(data.urgency, errors, "urgency"),
        "fishbone": data.fishbone,
        "whys": "\n".join(rules.parse_whys(fields.text_value(data.whys, errors, "whys", 5000))),
        "owner": await fields.member_value(data.owner, errors, "owner", scope.org_id),
        "status": fields.choice_value(
            data.status, errors, "status", rules.ProblemStatus, rules.ProblemStatus.OPEN
        ),
    }
    if values["fishbone"] and values["fishbone"] not in set(rules.Fishbone):
        errors.error("fishbone", _("Choose one of the options."))
    return values, check_steps(data.steps, errors)


def _invalid(errors: Errors) -> Invalid:
    return Invalid(_("Please correct the marked fields."), errors)


async def _write_steps(scope: TenantScope, problem_id: int, steps: list[dict[str, Any]]) -> None:
    if steps:
        await scope.insert(
            AsIsStep, *({**s, "problem": problem_id, "position": i} for i, s in enumerate(steps))
        )


async def create(scope: TenantScope, initiative_id: int, data: ProblemInput) -> int:
    """The new problem's id; ``Invalid`` with the errors beside their fields."""
    await scope.get(Initiative, initiative_id, Initiative.id)
    errors = Errors()
    values, steps = await check(scope, data, errors)
    if errors:
        raise _invalid(errors)
    async with write_transaction():
        problem_id = (await scope.insert(Problem, {**values, "initiative": initiative_id}))[0]["id"]
        await _write_steps(scope, problem_id, steps)
    return int(problem_id)


async def update(scope: TenantScope, problem_id: int, data: ProblemInput, person_id: int) -> None:
    """Save the edit: ``Invalid`` with the errors beside their fields, ``Conflict`` when
    someone saved in between (the version edited is no longer the problem's)."""
    current = await get(scope, problem_id)
    errors = Errors()
    values, steps = await check(scope, data, errors)
    if not data.version.isdigit():
        errors.error("title", _("The form is incomplete; reload the page."))
    if errors:
        raise _invalid(errors)
    version = int(data.version)
    async with write_transaction():
        saved = await scope.update(
            Problem,
            {
                **{getattr(Problem, k): v for k, v in values.items()},
                Problem.version: version + 1,
            },
            Problem.id == problem_id,
            Problem.version == version,
        ).returning(Problem.id)
        if not saved:
            raise Conflict(_("Someone else saved this problem while you were editing it."))
        if (current["impact"], current["urgency"]) != (values["impact"], values["urgency"]):
            await record_move(
                scope, problem_id, current, values["impact"], values["urgency"], person_id
            )
        await scope.delete(AsIsStep, AsIsStep.problem == problem_id)
        await _write_steps(scope, problem_id, steps)


async def record_move(
    scope: TenantScope,
    problem_id: int,
    current: dict[str, Any],
    impact: int,
    urgency: int,
    person_id: int,
) -> None:
    await scope.insert(
        ProblemScoreChange,
        {
            "problem": problem_id,
            "impact_from": current["impact"],
            "urgency_from": current["urgency"],
            "impact_to": impact,
            "urgency_to": urgency,
            "changed_by": person_id,
        },
    )


async def move(
    scope: TenantScope, problem_id: int, impact: int, urgency: int, person_id: int
) -> None:
    """Re-score a problem on the matrix; the change is recorded with who and when."""
    async with write_transaction():
        current = await scope.get(Problem, problem_id, Problem.impact, Problem.urgency)
        if (current["impact"], current["urgency"]) == (impact, urgency):
            return
        await scope.update(
            Problem,
            {
                Problem.impact: impact,
                Problem.urgency: urgency,
                Problem.version: Problem.version + 1,
            },
            Problem.id == problem_id,
        )
        await record_move(scope, problem_id, current, impact, urgency, person_id)


async def history(scope: TenantScope, problem_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(
            ProblemScoreChange,
            *ProblemScoreChange.all_columns(),
            ProblemScoreChange.changed_by.name,
        )
        .where(ProblemScoreChange.problem == problem_id)
        .order_by(ProblemScoreChange.changed_at, ascending=False)
    )


# --- measures -------------------------------------------------------------------------------


async def measures(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(Measure, *Measure.all_columns(), Measure.problem.title)
        .where(Measure.initiative == initiative_id)
        .order_by(Measure.completion_date, Measure.id)
    )


async def create_measure(scope: TenantScope, initiative_id: int, submitted: Submitted) -> int:
    form = Checks(submitted)
    await scope.get(Initiative, initiative_id, Initiative.id)
    problem = None
    raw = form.get("problem")
    if raw:
        if raw.isdigit() and await scope.count(Problem).where(
            Problem.id == int(raw), Problem.initiative == initiative_id
        ):
            problem = int(raw)
        else:
            form.error("problem", _("Choose a problem of this initiative."))
    values = {
        "goal": form.require("goal", _("State the goal."), 300),
        "measure": form.require("measure", _("Describe the measure."), 5000),
        "department": form.limit("department", 100),
        "completion_date": fields.day(form, "completion_date"),
        "expected_effect": form.limit("expected_effect", 300),
        "problem": problem,
        "initiative": initiative_id,
    }
    form.done()
    return int((await scope.insert(Measure, values))[0]["id"])
