from datetime import date, timedelta

import pytest

from tests.helpers import initiative_form
from tracker.initiatives.tables import Initiative, Phase


async def test_lead_creates_an_initiative_that_starts_in_scoping(world):
    form = initiative_form(world.a, name="Complaint handling 客户投诉处理")
    async with world.client(world.a, "lead") as client:
        response = await client.post("/o/alpha/initiatives", data=form)
    assert response.status_code == 303
    initiative_id = int(response.headers["location"].rsplit("/", 1)[1])
    row = (
        await Initiative.select(Initiative.all_columns(), Initiative.current_phase.number)
        .where(Initiative.id == initiative_id)
        .first()
    )
    year = date.today().year
    assert row["org"] == world.a.id and row["process_code"].startswith(f"CS-COMPLAINT-{year}-")
    assert row["current_phase.number"] == 1 and row["status"] == "on_track"
    assert row["goal_baseline"] == 48 and row["goal_target"] == 24
    phases = await Phase.select().where(Phase.initiative == initiative_id).order_by(Phase.number)
    assert [p["number"] for p in phases] == [1, 2, 3, 4, 5, 6]
    assert phases[0]["actual_start"] == date.today() and phases[1]["actual_start"] is None
    assert phases[0]["planned_end"] == date.today() + timedelta(days=6)
    assert phases[5]["planned_end"] is None
    assert all(p["org"] == world.a.id for p in phases)


async def test_codes_number_in_sequence(world):
    async with world.client(world.a, "admin") as client:
        first = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a, code_dept="SEQ", code_business="X"),
        )
        second = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a, code_dept="SEQ", code_business="X"),
        )
        suggestion = await client.get(
            "/o/alpha/initiatives/suggest-code", params={"code_dept": "seq", "code_business": "x"}
        )
    codes = []
    for response in (first, second):
        row = (
            await Initiative.select(Initiative.process_code)
            .where(Initiative.id == int(response.headers["location"].rsplit("/", 1)[1]))
            .first()
        )
        codes.append(row["process_code"])
    year = date.today().year
    assert codes == [f"SEQ-X-{year}-001", f"SEQ-X-{year}-002"]
    assert f'value="SEQ-X-{year}-003"' in suggestion.text


async def test_duplicate_code_is_an_error_beside_the_field(world):
    code = f"DUP-X-{date.today().year}-001"
    async with world.client(world.a, "lead") as client:
        await client.post("/o/alpha/initiatives", data=initiative_form(world.a, process_code=code))
        response = await client.post(
            "/o/alpha/initiatives", data=initiative_form(world.a, process_code=code, name="Second")
        )
    assert response.status_code == 422
    assert "Another initiative already uses this code." in response.text
    assert await Initiative.count().where(Initiative.process_code == code) == 1


async def test_the_same_code_may_exist_in_another_organisation(world):
    code = f"SHARE-X-{date.today().year}-001"
    async with world.client(world.a, "lead") as client:
        assert (
            await client.post(
                "/o/alpha/initiatives", data=initiative_form(world.a, process_code=code)
            )
        ).status_code == 303
    async with world.client(world.b, "lead") as client:
        assert (
            await client.post(
                "/o/beta/initiatives", data=initiative_form(world.b, process_code=code)
            )
        ).status_code == 303


async def test_validation_errors_keep_the_input(world):
    before = await Initiative.count()
    form = initiative_form(
        world.a,
        name="",
        goal_baseline="forty",
        goal_target="60",
        goal_direction="lower",
        process_class="galactic",
        owner=str(world.a.people["viewer"]),
        process_code="bad code",
        start_date="2026-13-45",
        scope_in="keep <this> text",
    )
    async with world.client(world.a, "lead") as client:
        response = await client.post("/o/alpha/initiatives", data=form)
    assert response.status_code == 422
    html = response.text
    for message in (
        "Name the initiative.",
        "Enter a number.",
        "Choose a process class.",
        "Choose the program lead who owns this initiative.",
        "Use the pattern DEPT-BUSINESS-YEAR-SEQ",
        "Enter a date as YYYY-MM-DD.",
    ):
        assert message in html
    assert "keep &lt;this&gt; text" in html and 'value="forty"' in html
    assert await Initiative.count() == before


async def test_goal_must_improve_in_its_direction(world):
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(
                world.a, goal_baseline="48", goal_target="60", goal_direction="lower"
            ),
        )
    assert response.status_code == 422
    assert "The target must be below the baseline when lower is better." in response.text


async def test_over_long_text_is_refused(world):
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a, name="x" * 201, scope_in="y" * 6000),
        )
    assert response.status_code == 422
    assert (
        "Use at most 200 characters." in response.text
        and "Use at most 5000 characters." in response.text
    )


@pytest.mark.parametrize("role", ["committee", "member", "viewer"])
async def test_roles_that_may_not_create(world, role):
    before = await Initiative.count()
    async with world.client(world.a, role) as client:
        assert (await client.get("/o/alpha/initiatives/new")).status_code == 403
        assert (
            await client.post("/o/alpha/initiatives", data=initiative_form(world.a))
        ).status_code == 403
        assert (await client.get("/o/alpha/initiatives/suggest-code")).status_code == 403
    assert await Initiative.count() == before


async def test_outsider_cannot_create_in_another_organisation(world):
    before = await Initiative.count()
    async with world.client(world.b, "admin") as client:
        assert (await client.get("/o/alpha/initiatives/new")).status_code == 404
        response = await client.post("/o/alpha/initiatives", data=initiative_form(world.a))
        assert response.status_code == 404
        # an owner from the other organisation is refused in one's own
        response = await client.post("/o/beta/initiatives", data=initiative_form(world.a))
        assert response.status_code == 422
    assert await Initiative.count() == before


async def test_new_form_renders(world):
    async with world.client(world.a, "lead") as client:
        response = await client.get("/o/alpha/initiatives/new")
    assert response.status_code == 200
    assert (
        'name="goal_baseline"' in response.text
        and f'value="{date.today().isoformat()}"' in response.text
    )


async def test_a_goal_due_in_the_past_is_refused_beside_the_field(world):
    before = await Initiative.count()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            "/o/alpha/initiatives", data=initiative_form(world.a, goal_due=yesterday)
        )
        later = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a, goal_due=(date.today() + timedelta(days=90)).isoformat()),
        )
    assert response.status_code == 422
    assert "The goal&#39;s due date cannot be in the past." in response.text
    assert f'value="{yesterday}"' in response.text
    assert later.status_code == 303
    assert await Initiative.count() == before + 1
