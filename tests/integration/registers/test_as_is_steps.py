"""The as-is evidence of a problem (seed 004 表1): a row per step on the problem page, each
with the kinds of problem found at it (存在问题, 可多选), ticked as checkboxes; rows reordered
by their numbers, removed by emptying the name, added in the blank rows; errors beside the row's
field with the person's input kept. And the migration that gave existing steps their one kind."""

from __future__ import annotations

import importlib.util

from tests.helpers import make_initiative
from tests.integration.registers.test_problems import as_is, problem_form
from tracker.problems.tables import AsIsStep, Problem

ZH = {"accept-language": "zh-CN"}
ROWS = as_is(
    ("Fill request", "Requester", "15", ["efficiency", "coordination"]),
    ("Manager sign-off", "Manager", "240", ["quality"]),
    ("File it", "Clerk", ""),
)


async def _steps(problem_id: int) -> list[tuple]:
    rows = await AsIsStep.select().where(AsIsStep.problem == problem_id).order_by(AsIsStep.position)
    return [(r["step"], r["role"], r["minutes"], r["kinds"]) for r in rows]


async def _register(client, initiative: int, rows: dict, title: str) -> int:
    response = await client.post(
        f"/o/alpha/initiatives/{initiative}/problems", data=problem_form(rows, title=title)
    )
    assert response.status_code == 303, response.text[-3000:]
    problem = await Problem.select(Problem.id).where(Problem.title == title).first()
    assert problem is not None
    return problem["id"]


async def test_a_step_keeps_several_kinds_shown_in_both_languages(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        problem = await _register(client, initiative, ROWS, "Approval takes a week")
        page = await client.get(f"/o/alpha/problems/{problem}")
        chinese = await client.get(f"/o/alpha/problems/{problem}", headers=ZH)
        history = await client.get(f"/o/alpha/history/problem/{problem}")
    assert await _steps(problem) == [
        ("Fill request", "Requester", 15, "efficiency,coordination"),
        ("Manager sign-off", "Manager", 240, "quality"),
        ("File it", "Clerk", None, ""),
    ]
    text = page.text
    table = text[text.index('<table class="table as-is">') :]
    first_row = table[table.index("Fill request") : table.index("Manager sign-off")]
    assert "Low efficiency" in first_row and "Poor coordination" in first_row
    assert "Poor quality" not in first_row
    assert "效率低" in chinese.text and "协同难" in chinese.text and "质量差" in chinese.text
    assert "存在问题（可多选）" in chinese.text  # the seed's own words above the checkboxes
    # the edit form: the recorded rows with their boxes ticked, then three blank rows
    assert 'name="kinds_0" value="efficiency" checked' in text
    assert 'name="kinds_0" value="coordination" checked' in text
    assert 'name="kinds_0" value="quality">' in text
    assert 'name="kinds_2" value="efficiency">' in text
    assert 'id="step_5"' in text and 'id="step_6"' not in text
    assert history.status_code == 200 and "Low efficiency, Poor coordination" in history.text


async def test_the_edit_reorders_removes_and_adds_steps(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        problem = await _register(client, initiative, ROWS, "Approval edit rows")
        version = (await Problem.select(Problem.version).where(Problem.id == problem).first())[
            "version"
        ]
        rows = {
            **ROWS,
            "no_0": "2",  # Fill request after Manager sign-off
            "no_1": "1",
            "kinds_1": ["quality", "risk"],
            "step_2": "",  # File it: removed
            "role_2": "",
            "minutes_2": "",
            "no_3": "3",  # a blank row filled in: added
            "step_3": "Notify requester",
            "role_3": "System",
            "minutes_3": "1",
            "kinds_3": ["efficiency"],
        }
        saved = await client.post(
            f"/o/alpha/problems/{problem}",
            data=problem_form(rows, title="Approval edit rows", version=str(version)),
        )
    assert saved.status_code == 303, saved.text[-3000:]
    assert await _steps(problem) == [
        ("Manager sign-off", "Manager", 240, "quality,risk"),
        ("Fill request", "Requester", 15, "efficiency,coordination"),
        ("Notify requester", "System", 1, "efficiency"),
    ]


async def test_errors_stand_beside_their_row_and_the_input_is_kept(world):
    initiative = await make_initiative(world.a)
    rows = {
        **ROWS,
        "kinds_0": ["efficiency", "slowness"],  # not a kind (a form made by hand)
        "minutes_1": "four hours",
        "step_2": "",  # a role and minutes without a step
        "no_2": "x",
    }
    async with world.client(world.a, "member") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data=problem_form(rows, title="Rows with errors"),
        )
        many = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data=problem_form(
                as_is(*((f"Step {n}", "", "") for n in range(51))), title="Too many rows"
            ),
        )
    assert response.status_code == 422
    text = response.text
    assert 'id="minutes_1-error">Enter a whole number from 0 to 100000.' in text
    assert 'id="step_2-error">Name the step.' in text
    assert 'id="no_2-error">Enter a whole number from 1 to 999.' in text
    assert 'id="kinds_0-error">Choose one of the options.' in text
    assert 'name="minutes_1" type="text" value="four hours"' in text  # kept as typed
    assert 'name="kinds_1" value="quality" checked' in text
    assert 'name="kinds_0" value="efficiency" checked' in text
    assert 'id="step_5"' in text  # blank rows again below the rows sent
    assert many.status_code == 422 and "Record at most 50 steps." in many.text
    assert not await Problem.exists().where(Problem.initiative == initiative)


async def test_a_stale_save_keeps_the_rows_typed(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        problem = await _register(client, initiative, ROWS, "Stale rows")
        rows = {**ROWS, "step_3": "Added while someone else saved", "kinds_3": ["risk"]}
        stale = await client.post(
            f"/o/alpha/problems/{problem}", data=problem_form(rows, title="Stale rows", version="0")
        )
    assert stale.status_code == 409 and "Someone else saved this problem" in stale.text
    assert 'value="Added while someone else saved"' in stale.text
    assert 'name="kinds_3" value="risk" checked' in stale.text
    assert len(await _steps(problem)) == 3


async def test_outsiders_and_readers_change_no_steps(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        problem = await _register(client, initiative, ROWS, "Rows of alpha")
    before = await _steps(problem)
    changed = problem_form(as_is(("Changed", "", "", ["risk"])), title="x", version="1")
    async with world.client(world.b, "admin") as client:
        assert (await client.post(f"/o/beta/problems/{problem}", data=changed)).status_code == 404
        assert (await client.get(f"/o/beta/problems/{problem}")).status_code == 404
    async with world.client(world.a, "viewer") as client:
        page = await client.get(f"/o/alpha/problems/{problem}")
        assert page.status_code == 200 and 'name="kinds_0"' not in page.text  # no form
        assert (await client.post(f"/o/alpha/problems/{problem}", data=changed)).status_code == 403
    assert await _steps(problem) == before


async def test_the_migration_gives_each_existing_step_its_problems_kind(world):
    path = "migrations/tracker/tracker_2026_11_30t20_10_00_000000.py"
    spec = importlib.util.spec_from_file_location("as_is_kinds_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    initiative = await make_initiative(world.a)
    o = world.a.id
    old, kept = (
        await Problem.insert(
            Problem(org=o, initiative=initiative, title="Old", category="quality", impact=3,
                    urgency=3),
            Problem(org=o, initiative=initiative, title="Kept", category="risk", impact=3,
                    urgency=3),
        )
    )  # fmt: skip
    await AsIsStep.insert(
        AsIsStep(org=o, problem=old["id"], position=0, step="Before the change", kinds=""),
        AsIsStep(org=o, problem=kept["id"], position=0, step="Ticked", kinds="efficiency,risk"),
    )
    await migration.kinds_from_problem_category(world.engine)
    assert await _steps(old["id"]) == [("Before the change", "", None, "quality")]
    assert await _steps(kept["id"]) == [("Ticked", "", None, "efficiency,risk")]
