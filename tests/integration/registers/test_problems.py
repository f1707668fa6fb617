import pytest

from tests.helpers import make_initiative
from tracker.problems.tables import AsIsStep, Measure, Problem, ProblemScoreChange


def as_is(*rows) -> dict:
    """The as-is rows of the problem form: (step, role, minutes[, kinds]) each."""
    fields: dict = {}
    for i, (step, role, minutes, *kinds) in enumerate(rows):
        fields.update({f"no_{i}": str(i + 1), f"step_{i}": step, f"role_{i}": role,
                       f"minutes_{i}": minutes, f"kinds_{i}": list(kinds[0] if kinds else [])})  # fmt: skip
    return fields


STEPS = as_is(("Fill request", "Requester", "15"), ("Manager sign-off", "Manager", "240"))


def problem_form(steps=STEPS, **overrides):
    form = {
        "title": "Approval has too many steps",
        "description": "Three sign-offs for small purchases",
        "category": "efficiency",
        "impact": "4",
        "urgency": "5",
        "fishbone": "method",
        "whys": "Slow approval\nThree sign-offs\nNo threshold rule",
        "owner": "",
        "status": "open",
        **steps,
    }
    form.update(overrides)
    return form


async def test_member_registers_a_problem_with_evidence(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data=problem_form(owner=str(world.a.people["member"])),
        )
        assert response.status_code == 303
        page = await client.get(f"/o/alpha/initiatives/{initiative}/problems")
    assert "Approval has too many steps" in page.text and "Do first" in page.text
    problem = await Problem.select().where(Problem.initiative == initiative).first()
    assert problem["org"] == world.a.id and problem["whys"].count("\n") == 2
    steps = (
        await AsIsStep.select().where(AsIsStep.problem == problem["id"]).order_by(AsIsStep.position)
    )
    assert [(s["step"], s["role"], s["minutes"]) for s in steps] == [
        ("Fill request", "Requester", 15),
        ("Manager sign-off", "Manager", 240),
    ]
    async with world.client(world.a, "viewer") as client:
        detail = await client.get(f"/o/alpha/problems/{problem['id']}")
    assert detail.status_code == 200 and "255" in detail.text and "No threshold rule" in detail.text
    assert "Save changes" not in detail.text  # viewers read only


async def test_problem_errors_keep_input(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data=problem_form(
                as_is(("Step", "Role", "ten")),
                title="",
                impact="9",
                category="vibes",
                owner=str(world.b.people["lead"]),
            ),
        )
    assert response.status_code == 422
    for message in (
        "Name the problem.",
        "Score from 1 to 5.",
        "Choose one of the options.",
        "Enter a whole number from 0 to 100000.",
        "Choose a member of this organisation.",
    ):
        assert message in response.text
    assert 'name="minutes_0" type="text" value="ten"' in response.text
    assert not await Problem.exists().where(Problem.initiative == initiative)


async def test_edit_records_score_history_and_refuses_stale_saves(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        await client.post(f"/o/alpha/initiatives/{initiative}/problems", data=problem_form())
    problem = await Problem.select().where(Problem.initiative == initiative).first()
    async with world.client(world.a, "member") as member, world.client(world.a, "lead") as lead:
        first = await member.post(
            f"/o/alpha/problems/{problem['id']}",
            data=problem_form(impact="2", urgency="2", version=str(problem["version"])),
        )
        second = await lead.post(
            f"/o/alpha/problems/{problem['id']}",
            data=problem_form(title="Lead's title", version=str(problem["version"])),
        )
    assert first.status_code == 303 and second.status_code == 409
    assert "Someone else saved this problem" in second.text and "Lead&#39;s title" in second.text
    row = await Problem.select().where(Problem.id == problem["id"]).first()
    assert (row["impact"], row["urgency"], row["title"]) == (2, 2, problem["title"])
    change = (
        await ProblemScoreChange.select().where(ProblemScoreChange.problem == problem["id"]).first()
    )
    assert (change["impact_from"], change["impact_to"], change["changed_by"]) == (
        4,
        2,
        world.a.people["member"],
    )


@pytest.mark.parametrize("role", ["committee", "viewer"])
async def test_roles_that_may_not_write_problems(world, role):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, role) as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}/problems")).status_code == 200
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems", data=problem_form()
        )
        assert response.status_code == 403
        assert (
            await client.post(
                f"/o/alpha/initiatives/{initiative}/measures", data={"goal": "x", "measure": "y"}
            )
        ).status_code == 403
    assert not await Problem.exists().where(Problem.initiative == initiative)


async def test_outsider_sees_and_changes_nothing(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        await client.post(f"/o/alpha/initiatives/{initiative}/problems", data=problem_form())
    problem = await Problem.select().where(Problem.initiative == initiative).first()
    async with world.client(world.b, "admin") as client:
        for path in (
            f"/o/alpha/initiatives/{initiative}/problems",
            f"/o/beta/initiatives/{initiative}/problems",
            f"/o/beta/problems/{problem['id']}",
            f"/o/beta/initiatives/{initiative}/matrix",
            f"/o/beta/initiatives/{initiative}/problems/top5",
            f"/o/beta/initiatives/{initiative}/measures",
        ):
            assert (await client.get(path)).status_code == 404, path
        assert (
            await client.post(f"/o/beta/initiatives/{initiative}/problems", data=problem_form())
        ).status_code == 404
        assert (
            await client.post(
                f"/o/beta/problems/{problem['id']}", data=problem_form(title="x", version="1")
            )
        ).status_code == 404
        assert (
            await client.post(f"/o/beta/problems/{problem['id']}/move", data={"direction": "up"})
        ).status_code == 404
        matrix = await client.get("/o/beta/matrix")
    assert "Approval has too many steps" not in matrix.text
    assert (await Problem.select().where(Problem.id == problem["id"]).first()) == problem


async def test_matrix_move_in_place_with_htmx(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data=problem_form(impact="2", urgency="2"),
        )
        problem = await Problem.select().where(Problem.initiative == initiative).first()
        page = await client.get(f"/o/alpha/initiatives/{initiative}/matrix")
        assert page.status_code == 200 and "Approval has too many steps" in page.text
        response = await client.post(
            f"/o/alpha/problems/{problem['id']}/move",
            data={"direction": "up"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and response.text.lstrip().startswith('<div id="matrix"')
        plain = await client.post(
            f"/o/alpha/problems/{problem['id']}/move", data={"impact": "5", "urgency": "5"}
        )
        assert plain.status_code == 303
        portfolio = await client.get("/o/alpha/matrix")
        bad = await client.post(
            f"/o/alpha/problems/{problem['id']}/move", data={"impact": "7", "urgency": "1"}
        )
    assert bad.status_code == 400
    assert "Approval has too many steps" in portfolio.text
    row = (
        await Problem.select(Problem.impact, Problem.urgency)
        .where(Problem.id == problem["id"])
        .first()
    )
    assert (row["impact"], row["urgency"]) == (5, 5)
    changes = await ProblemScoreChange.select().where(ProblemScoreChange.problem == problem["id"])
    assert len(changes) == 2 and all(c["changed_by"] == world.a.people["member"] for c in changes)
    async with world.client(world.a, "viewer") as client:
        denied = await client.post(
            f"/o/alpha/problems/{problem['id']}/move", data={"direction": "down"}
        )
    assert denied.status_code == 403


async def test_top5_report(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        for n, (i, u) in enumerate([(1, 1), (5, 5), (4, 1), (1, 5), (3, 3), (2, 2)]):
            await client.post(
                f"/o/alpha/initiatives/{initiative}/problems",
                data=problem_form({}, title=f"P{n}-{i}x{u}", impact=str(i), urgency=str(u)),
            )
        report = await client.get(f"/o/alpha/initiatives/{initiative}/problems/top5")
    order = ["P1-5x5", "P4-3x3", "P2-4x1", "P3-1x5", "P5-2x2"]
    positions = [report.text.index(t) for t in order]
    assert positions == sorted(positions) and "P0-1x1" not in report.text


async def test_measures(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        await client.post(f"/o/alpha/initiatives/{initiative}/problems", data=problem_form())
        problem = await Problem.select().where(Problem.initiative == initiative).first()
        ok = await client.post(
            f"/o/alpha/initiatives/{initiative}/measures",
            data={
                "goal": "Approval within 2 days",
                "problem": str(problem["id"]),
                "measure": "One sign-off under 5,000 CNY",
                "department": "Finance",
                "completion_date": "2030-06-30",
                "expected_effect": "Approval time −60 %",
            },
        )
        assert ok.status_code == 303
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/measures",
            data={"goal": "", "problem": "999999", "measure": "", "completion_date": "soon"},
        )
        assert bad.status_code == 422
        page = await client.get(f"/o/alpha/initiatives/{initiative}/measures")
    assert "Choose a problem of this initiative." in bad.text and "State the goal." in bad.text
    assert (
        "One sign-off under 5,000 CNY" in page.text and "Approval has too many steps" in page.text
    )
    assert await Measure.count().where(Measure.initiative == initiative) == 1


async def test_a_growing_matrix_is_kept_once_per_viewer_not_once_per_new_problem(world):
    """Each new problem gives the matrix's grid a new key; a worker kept every one of them (up
    to 500 grids of thousands of problems: 7 GB in a soak). It keeps the latest per initiative,
    viewer and language, and the page shows every problem."""
    from tracker.problems.controller import GRIDS

    initiative = await make_initiative(world.a)
    mine = lambda: [k for k in GRIDS._values if dict(k.values).get("initiative_id") == initiative]  # noqa: E731
    async with world.client(world.a, "lead") as client:
        for n in range(4):
            await client.post(
                f"/o/alpha/initiatives/{initiative}/problems",
                data=problem_form(title=f"Kept grid {n}"),
            )
            page = await client.get(f"/o/alpha/initiatives/{initiative}/matrix")
            assert all(f"Kept grid {i}" in page.text for i in range(n + 1))
    assert len(mine()) == 1
    assert GRIDS.size <= GRIDS.max_size
