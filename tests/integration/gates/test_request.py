import asyncio
from datetime import date, timedelta

import pytest

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review, request_review
from tracker.gates.tables import (
    GateCriterion,
    GateReview,
    InitiativeEvent,
    ReviewAssignment,
    ReviewCriterion,
)


async def test_lead_requests_a_review_with_evidence(world):
    initiative = await make_initiative(world.a, phase=2)
    async with world.client(world.a, "lead") as client:
        page = await client.get(f"/o/alpha/initiatives/{initiative}/gate/request")
    assert page.status_code == 200 and "Problems registered and prioritised" in page.text
    first = (
        await GateCriterion.select(GateCriterion.id)
        .where(GateCriterion.org == world.a.id, GateCriterion.gate == 2)
        .order_by(GateCriterion.position)
        .first()
    )
    review = await open_review(
        world,
        world.a,
        initiative,
        **{
            f"note_{first['id']}": "As-is map of 14 steps",
            f"links_{first['id']}": "https://wiki.example.com/asis",
        },
    )
    items = (
        await ReviewCriterion.select()
        .where(ReviewCriterion.review == review)
        .order_by(ReviewCriterion.position)
    )
    assert [i["kind"] for i in items] == ["must", "must", "should", "should"]
    assert items[0]["evidence_note"] == "As-is map of 14 steps"
    assert await ReviewAssignment.count().where(ReviewAssignment.review == review) == 2
    assert await InitiativeEvent.exists().where(
        InitiativeEvent.initiative == initiative, InitiativeEvent.kind == "review_requested"
    )
    async with world.client(world.a, "viewer") as client:
        detail = await client.get(f"/o/alpha/initiatives/{initiative}")
        board = await client.get("/o/alpha/")
    assert f"/reviews/{review}" in detail.text
    assert "Gate review open" in board.text


async def test_request_errors_keep_input(world):
    initiative = await make_initiative(world.a)
    response = await request_review(
        world, world.a, initiative, reviewers=(), due_date="yesterday", proposed_decision="maybe"
    )
    assert response.status_code == 422
    assert "Choose at least one reviewer" in response.text
    assert "Enter a date as YYYY-MM-DD." in response.text
    assert "Choose the decision you propose." in response.text
    past = await request_review(
        world, world.a, initiative, due_date=(date.today() - timedelta(days=1)).isoformat()
    )
    assert past.status_code == 422 and "cannot be due in the past" in past.text
    not_committee = await request_review(world, world.a, initiative, reviewers=("member",))
    assert not_committee.status_code == 422 and "steering-committee members" in not_committee.text
    assert not await GateReview.exists().where(GateReview.initiative == initiative)


async def test_reviewers_from_another_organisation_are_refused(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/gate/request",
            data={
                "proposed_decision": "go",
                "due_date": date.today().isoformat(),
                "reviewers": [str(world.b.people["committee"])],
            },
        )
    assert response.status_code == 422
    assert not await GateReview.exists().where(GateReview.initiative == initiative)


async def test_one_open_review_at_a_time(world):
    initiative = await make_initiative(world.a)
    await open_review(world, world.a, initiative)
    again = await request_review(world, world.a, initiative)
    assert again.status_code == 409 and "already open" in again.text
    assert await GateReview.count().where(GateReview.initiative == initiative) == 1


async def test_double_clicked_request_makes_one_review(world):
    initiative = await make_initiative(world.a)
    responses = await asyncio.gather(
        *(request_review(world, world.a, initiative) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses).count(303) == 1
    assert await GateReview.count().where(GateReview.initiative == initiative) == 1


@pytest.mark.parametrize("role", ["committee", "member", "viewer"])
async def test_roles_that_may_not_request(world, role):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, role) as client:
        assert (
            await client.get(f"/o/alpha/initiatives/{initiative}/gate/request")
        ).status_code == 403
    response = await request_review(world, world.a, initiative, role=role)
    assert response.status_code == 403
    assert not await GateReview.exists().where(GateReview.initiative == initiative)


async def test_a_lead_who_does_not_own_the_initiative_may_not_request(world):
    initiative = await make_initiative(world.a, owner=world.a.people["admin"])
    response = await request_review(world, world.a, initiative, role="lead")
    assert response.status_code == 403


async def test_outsider_gets_404(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.b, "admin") as client:
        assert (
            await client.get(f"/o/alpha/initiatives/{initiative}/gate/request")
        ).status_code == 404
        assert (
            await client.get(f"/o/beta/initiatives/{initiative}/gate/request")
        ).status_code == 404
    response = await request_review(world, world.b, initiative, role="admin")
    assert response.status_code == 404
    assert not await GateReview.exists().where(GateReview.initiative == initiative)


async def test_template_changes_never_alter_a_requested_review(world):
    initiative = await make_initiative(world.a, phase=6)
    review = await open_review(world, world.a, initiative)
    before = await ReviewCriterion.select(ReviewCriterion.text).where(
        ReviewCriterion.review == review
    )
    criterion = (
        await GateCriterion.select(GateCriterion.id)
        .where(GateCriterion.org == world.a.id, GateCriterion.gate == 6)
        .first()
    )
    async with world.client(world.a, "admin") as client:
        await client.post(
            f"/o/alpha/settings/gates/criteria/{criterion['id']}",
            data={"text": "Edited later", "kind": "must", "weight": "2"},
        )
        await client.post(
            "/o/alpha/settings/gates/6/criteria",
            data={"text": "Added later", "kind": "should", "weight": "1"},
        )
    after = await ReviewCriterion.select(ReviewCriterion.text).where(
        ReviewCriterion.review == review
    )
    assert before == after
    await GateCriterion.update(
        {
            GateCriterion.text: "KPIs monitored against targets",
            GateCriterion.kind: "should",
            GateCriterion.weight: 3,
        }
    ).where(GateCriterion.id == criterion["id"])
    await GateCriterion.delete().where(
        GateCriterion.org == world.a.id, GateCriterion.text == "Added later"
    )
