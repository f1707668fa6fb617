"""Conditions of a Go with conditions (issue 14, defect 10): the reviewer or the chair gives
each condition its owner and due date; the initiative's lead can reassign or re-date an open
one later, and the history records it. Before, every condition got owner = the lead and
due = 14 days on."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review
from tracker.gates.tables import Condition, InitiativeEvent


async def conditions_of(initiative):
    rows = await Condition.select().where(Condition.initiative == initiative).order_by(Condition.id)
    return [(r["text"], r["owner"], r["due_date"]) for r in rows]


async def test_the_chair_sets_owner_and_due_date_per_condition(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    member, committee = world.a.people["member"], world.a.people["committee"]
    finance, training = date.today() + timedelta(days=10), date.today() + timedelta(days=30)
    async with world.client(world.a, "admin") as client:
        page = await client.get(f"/o/alpha/reviews/{review}")
        assert 'name="condition_owner_0"' in page.text and 'name="condition_due_4"' in page.text
        response = await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={
                "decision": "go_conditions",
                "rationale": "Agreed in the meeting",
                "condition_0": "Sign-off from Finance",
                "condition_owner_0": str(committee),
                "condition_due_0": finance.isoformat(),
                "condition_1": "Train the night shift",
                "condition_owner_1": str(member),
                "condition_due_1": training.isoformat(),
                "condition_2": "Publish the FAQ",  # owner and date left to the defaults
            },
        )
    assert response.status_code == 303, response.text[:3000]
    assert await conditions_of(initiative) == [
        ("Sign-off from Finance", committee, finance),
        ("Train the night shift", member, training),
        ("Publish the FAQ", world.a.people["lead"], date.today() + timedelta(days=14)),
    ]


async def test_bad_condition_rows_come_back_beside_their_fields(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    outsider = world.b.people["member"]
    async with world.client(world.a, "admin") as client:
        response = await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={
                "decision": "go_conditions",
                "rationale": "Agreed",
                "condition_0": "Sign-off from Finance",
                "condition_owner_0": str(outsider),
                "condition_due_0": (date.today() - timedelta(days=1)).isoformat(),
                "condition_owner_1": str(world.a.people["member"]),
            },
        )
    assert response.status_code == 422
    assert "Choose a member of this organisation." in response.text
    assert "A condition cannot be due in the past." in response.text
    assert "Write the condition." in response.text
    assert 'value="Sign-off from Finance"' in response.text  # the input is kept
    assert await conditions_of(initiative) == []


async def test_reviewers_plan_their_conditions_and_the_rule_keeps_them(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    due = date.today() + timedelta(days=21)
    member = world.a.people["member"]
    for role, text in (("committee", "Retrain team B"), ("admin", "Update the form")):
        response = await cast(
            world,
            world.a,
            role,
            review,
            "go_conditions",
            condition_0=text,
            condition_owner_0=str(member),
            condition_due_0=due.isoformat(),
        )
        assert response.status_code == 303, response.text[:3000]
    assert sorted(await conditions_of(initiative)) == [
        ("Retrain team B", member, due),
        ("Update the form", member, due),
    ]


async def test_the_lead_reassigns_or_re_dates_an_open_condition_in_the_history(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.a, "admin") as client:
        await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={"decision": "go_conditions", "rationale": "ok", "condition_0": "Sign-off"},
        )
    condition = (await Condition.select().where(Condition.initiative == initiative).first())["id"]
    later = date.today() + timedelta(days=40)
    member = world.a.people["member"]
    path = f"/o/alpha/conditions/{condition}/plan"
    async with world.client(world.a, "lead") as lead:
        page = await lead.get(f"/o/alpha/initiatives/{initiative}")
        assert f'action="{path}"' in page.text
        moved = await lead.post(path, data={"owner": str(member), "due_date": later.isoformat()})
        assert moved.status_code == 303
        past = await lead.post(
            path,
            data={"owner": str(member), "due_date": date.today().replace(year=2020).isoformat()},
        )
        assert past.status_code == 422 and "cannot be due in the past" in past.text
        history = await lead.get(f"/o/alpha/initiatives/{initiative}")
    assert await conditions_of(initiative) == [("Sign-off", member, later)]
    assert "Condition reassigned or re-dated" in history.text and later.isoformat() in history.text
    events = await InitiativeEvent.select().where(
        InitiativeEvent.initiative == initiative, InitiativeEvent.kind == "condition_replanned"
    )
    assert len(events) == 1
    async with world.client(world.a, "committee") as committee:
        refused = await committee.post(
            path, data={"owner": str(member), "due_date": later.isoformat()}
        )
    assert refused.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        for slug in ("beta", "alpha"):
            response = await outsider.post(
                f"/o/{slug}/conditions/{condition}/plan",
                data={"owner": str(world.b.people["admin"]), "due_date": later.isoformat()},
            )
            assert response.status_code == 404
    assert await conditions_of(initiative) == [("Sign-off", member, later)]
