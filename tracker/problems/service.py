"""Problems, their matrix and the measures; always within one organisation."""

from __future__ import annotations

from typing import Any

from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.problems import queries as q
from tracker.problems import rules
from tracker.problems.tables import AsIsStep, Measure, Problem, ProblemScoreChange
from tracker.registers import fields
from tracker.tenancy import TenantScope
from tracker.web import Form

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


def parse_steps(form: Form) -> list[dict[str, Any]]:
    """As-is evidence, one step a line: ``step | responsible role | minutes``."""
    parsed = []
    for number, line in enumerate(form.get("as_is").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        step = parts[0][:200]
        role = parts[1][:100] if len(parts) > 1 else ""
        minutes_raw = parts[2] if len(parts) > 2 else ""
        minutes = None
        if minutes_raw:
            if not minutes_raw.isdigit() or int(minutes_raw) > 100_000:
                form.error("as_is", _("Line %(n)s: the duration is whole minutes.", n=number))
            else:
                minutes = int(minutes_raw)
        if not step:
            form.error("as_is", _("Line %(n)s: name the step.", n=number))
        parsed.append({"step": step, "role": role, "minutes": minutes})
    if len(parsed) > 50:
        form.error("as_is", _("Record at most 50 steps."))
    return parsed


async def parse(scope: TenantScope, form: Form) -> dict[str, Any]:
    values = {
        "title": form.require("title", _("Name the problem."), 200),
        "description": form.limit("description", 5000),
        "category": fields.choice(form, "category", rules.Category),
        "impact": fields.score(form, "impact"),
        "urgency": fields.score(form, "urgency"),
        "fishbone": form.get("fishbone"),
        "whys": "\n".join(rules.parse_whys(form.limit("whys", 5000))),
        "owner": await fields.member(form, "owner", scope.org_id),
        "status": fields.choice(form, "status", rules.ProblemStatus, rules.ProblemStatus.OPEN),
    }
    if values["fishbone"] and values["fishbone"] not in set(rules.Fishbone):
        form.error("fishbone", _("Choose one of the options."))
    return values


async def create(scope: TenantScope, initiative_id: int, form: Form) -> int | None:
    await scope.get(Initiative, initiative_id, Initiative.id)
    values = await parse(scope, form)
    as_is = parse_steps(form)
    if not form.ok:
        return None
    async with write_transaction():
        problem_id = (await scope.insert(Problem, {**values, "initiative": initiative_id}))[0]["id"]
        if as_is:
            await scope.insert(
                AsIsStep,
                *({**s, "problem": problem_id, "position": i} for i, s in enumerate(as_is)),
            )
    return int(problem_id)


async def update(scope: TenantScope, problem_id: int, form: Form, person_id: int) -> str:
    """ "saved", "invalid" or "conflict" (someone saved in between)."""
    current = await get(scope, problem_id)
    values = await parse(scope, form)
    as_is = parse_steps(form)
    version = form.get("version")
    if not version.isdigit():
        form.error("title", _("The form is incomplete; reload the page."))
    if not form.ok:
        return "invalid"
    async with write_transaction():
        saved = await scope.update(
            Problem,
            {
                **{getattr(Problem, k): v for k, v in values.items()},
                Problem.version: int(version) + 1,
            },
            Problem.id == problem_id,
            Problem.version == int(version),
        ).returning(Problem.id)
        if not saved:
            return "conflict"
        if (current["impact"], current["urgency"]) != (values["impact"], values["urgency"]):
            await record_move(
                scope, problem_id, current, values["impact"], values["urgency"], person_id
            )
        await scope.delete(AsIsStep, AsIsStep.problem == problem_id)
        if as_is:
            await scope.insert(
                AsIsStep,
                *({**s, "problem": problem_id, "position": i} for i, s in enumerate(as_is)),
            )
    return "saved"


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


def matrix(rows: list[dict[str, Any]]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {
        (i, u): [] for i in range(1, 6) for u in range(1, 6)
    }
    for row in rows:
        cells[(row["impact"], row["urgency"])].append(row)
    return cells


# --- measures -------------------------------------------------------------------------------


async def measures(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return (
        await scope.select(Measure, *Measure.all_columns(), Measure.problem.title)
        .where(Measure.initiative == initiative_id)
        .order_by(Measure.completion_date, Measure.id)
    )


async def create_measure(scope: TenantScope, initiative_id: int, form: Form) -> int | None:
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
    if not form.ok:
        return None
    return int((await scope.insert(Measure, values))[0]["id"])
