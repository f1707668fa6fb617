from datetime import date

import pytest

from tests.helpers import initiative_row, make_initiative
from tests.integration.gates.gate_helpers import (
    cast,
    open_review,
    request_review,
    review_status,
    scorecard,
)
from tracker.gates.tables import Condition, GateDecision, Score, Vote
from tracker.initiatives.tables import Phase


async def current_phase(initiative_id):
    row = await initiative_row(initiative_id)
    phase = await Phase.select(Phase.number).where(Phase.id == row["current_phase"]).first()
    return phase["number"], row["status"]


async def test_scoring_is_independent_until_one_has_voted(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    assert (await cast(world, world.a, "committee", review, "go", should=2)).status_code == 303
    async with world.client(world.a, "admin") as client:
        before = await client.get(f"/o/alpha/reviews/{review}")
    assert "Submit my scores and vote" in before.text
    assert "Committee of alpha</strong>:" not in before.text  # the other vote is hidden
    assert "You will see the other reviewers" in before.text and "1 of 2 reviewers" in before.text
    async with world.client(world.a, "viewer") as client:
        viewer = await client.get(f"/o/alpha/reviews/{review}")
    assert viewer.status_code == 200 and "Tally" in viewer.text  # not a reviewer: reads the tally
    assert "Submit my scores" not in viewer.text


async def test_majority_for_go_moves_the_initiative_on(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    assert (await cast(world, world.a, "committee", review, "go", should=5)).status_code == 303
    assert await review_status(review) == "open"
    response = await cast(world, world.a, "admin", review, "go", should=2)
    assert response.status_code == 303
    assert await review_status(review) == "decided"
    assert await current_phase(initiative) == (3, "on_track")
    decision = await GateDecision.select().where(GateDecision.review == review).first()
    assert decision["outcome"] == "go" and decision["method"] == "rule"
    assert (decision["from_phase"], decision["to_phase"]) == (2, 3)
    phases = {p["number"]: p for p in await Phase.select().where(Phase.initiative == initiative)}
    assert phases[2]["actual_end"] == date.today() and phases[3]["actual_start"] == date.today()
    async with world.client(world.a, "admin") as client:
        page = await client.get(f"/o/alpha/reviews/{review}")
        board = await client.get("/o/alpha/")
    assert "Decision: Go" in page.text
    assert "Spread" in page.text and ">3<" in page.text  # 5 vs 2 on the should-meet criteria
    design = board.text.split('id="phase-3"')[1].split('id="phase-4"')[0]
    assert f"/initiatives/{initiative}" in design


async def test_go_with_conditions_blocks_the_next_gate_until_closed(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    await cast(
        world,
        world.a,
        "committee",
        review,
        "go_conditions",
        conditions="Train the night shift\nPublish the SOP draft",
    )
    await cast(world, world.a, "admin", review, "go")
    assert await current_phase(initiative) == (4, "on_track")
    conditions = await Condition.select().where(Condition.initiative == initiative)
    assert sorted(c["text"] for c in conditions) == [
        "Publish the SOP draft",
        "Train the night shift",
    ]
    assert all(c["owner"] == world.a.people["lead"] for c in conditions)
    blocked = await request_review(world, world.a, initiative)
    assert (
        blocked.status_code == 409 and "conditions of the last gate must be closed" in blocked.text
    )
    async with world.client(world.a, "viewer") as client:
        board = await client.get("/o/alpha/")
        assert "2 open conditions" in board.text
        denied = await client.post(
            f"/o/alpha/conditions/{conditions[0]['id']}/close", data={"note": "x"}
        )
        assert denied.status_code == 403
    async with world.client(world.b, "admin") as client:
        outsider = await client.post(
            f"/o/beta/conditions/{conditions[0]['id']}/close", data={"note": "x"}
        )
        assert outsider.status_code == 404
    async with world.client(world.a, "lead") as client:
        for c in conditions:
            closed = await client.post(
                f"/o/alpha/conditions/{c['id']}/close", data={"note": "done"}
            )
            assert closed.status_code == 303
        again = await client.post(
            f"/o/alpha/conditions/{conditions[0]['id']}/close", data={"note": "x"}
        )
        assert again.status_code == 409
    assert (await request_review(world, world.a, initiative)).status_code == 303


async def test_recycle_returns_to_the_named_phase_and_plans_again(world):
    initiative = await make_initiative(world.a, phase=4, age_days=80)
    review = await open_review(world, world.a, initiative)
    await cast(
        world,
        world.a,
        "committee",
        review,
        "recycle",
        recycle_to="3",
        rationale="Pilot missed its target",
    )
    await cast(
        world, world.a, "admin", review, "recycle", recycle_to="3", rationale="Redesign SMS step"
    )
    assert await current_phase(initiative) == (3, "on_track")
    phases = {p["number"]: p for p in await Phase.select().where(Phase.initiative == initiative)}
    assert phases[3]["actual_start"] == date.today() and phases[3]["actual_end"] is None
    assert phases[4]["actual_start"] is None and phases[3]["planned_start"] == date.today()
    assert phases[1]["actual_end"] is not None  # earlier history stays


async def test_stop_vote_goes_to_the_chair_who_confirms(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    await cast(world, world.a, "committee", review, "stop", rationale="No business case")
    await cast(world, world.a, "admin", review, "go")
    assert await review_status(review) == "awaiting_chair"
    async with world.client(world.a, "committee") as client:
        queue = await client.get("/o/alpha/reviews")
        denied = await client.post(
            f"/o/alpha/reviews/{review}/decide", data={"decision": "stop", "rationale": "x"}
        )
    assert denied.status_code == 403
    async with world.client(world.a, "admin") as client:
        queue = await client.get("/o/alpha/reviews")
        assert (
            f"/reviews/{review}" in queue.text and "Waiting for my decision as chair" in queue.text
        )
        bad = await client.post(
            f"/o/alpha/reviews/{review}/decide", data={"decision": "stop", "rationale": ""}
        )
        assert bad.status_code == 422 and "Give the reason for this decision." in bad.text
        ok = await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={"decision": "stop", "rationale": "Confirmed: no business case"},
        )
        assert ok.status_code == 303
    assert await current_phase(initiative) == (2, "stopped")
    assert (await request_review(world, world.a, initiative)).status_code == 409


async def test_hold_pauses_and_the_committee_resumes(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    await cast(world, world.a, "committee", review, "hold", rationale="Wait for budget")
    await cast(world, world.a, "admin", review, "hold", rationale="Budget")
    assert await current_phase(initiative) == (3, "on_hold")
    async with world.client(world.a, "lead") as client:
        assert (await client.post(f"/o/alpha/initiatives/{initiative}/resume")).status_code == 403
    async with world.client(world.b, "committee") as client:
        assert (await client.post(f"/o/beta/initiatives/{initiative}/resume")).status_code == 404
    async with world.client(world.a, "committee") as client:
        assert (await client.post(f"/o/alpha/initiatives/{initiative}/resume")).status_code == 303
        assert (await client.post(f"/o/alpha/initiatives/{initiative}/resume")).status_code == 409
    assert await current_phase(initiative) == (3, "on_track")


async def test_go_at_the_monitoring_gate_completes_the_initiative(world):
    initiative = await make_initiative(world.a, phase=6)
    review = await open_review(world, world.a, initiative)
    await cast(world, world.a, "committee", review, "go")
    await cast(world, world.a, "admin", review, "go")
    assert await current_phase(initiative) == (6, "completed")


async def test_vote_errors_keep_the_input_and_write_nothing(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    card = await scorecard(review)
    first = next(iter(card))
    data = {**card, first: "", "vote": "recycle", "recycle_to": "5", "rationale": ""}
    async with world.client(world.a, "committee") as client:
        response = await client.post(f"/o/alpha/reviews/{review}/vote", data=data)
    assert response.status_code == 422
    assert (
        "Answer yes or no." in response.text and "Choose the phase to return to." in response.text
    )
    assert "Give the reason for this vote." in response.text
    assert 'value="recycle" checked' in response.text
    assert not await Vote.exists().where(Vote.review == review)
    assert not await Score.exists().where(Score.review == review)


async def test_double_vote_is_refused_and_nothing_changes(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative, reviewers=("committee", "admin"))
    assert (await cast(world, world.a, "committee", review, "go")).status_code == 303
    again = await cast(world, world.a, "committee", review, "stop", rationale="changed my mind")
    assert again.status_code == 409 and "cannot be changed" in again.text
    votes = await Vote.select(Vote.vote).where(Vote.review == review)
    assert [v["vote"] for v in votes] == ["go"]


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
async def test_only_assigned_reviewers_vote(world, role):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    response = await cast(world, world.a, role, review, "go")
    assert response.status_code == 403
    assert not await Vote.exists().where(Vote.review == review)


async def test_outsider_cannot_see_or_vote(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.b, "committee") as client:
        assert (await client.get(f"/o/alpha/reviews/{review}")).status_code == 404
        assert (await client.get(f"/o/beta/reviews/{review}")).status_code == 404
    response = await cast(world, world.b, "committee", review, "go")
    assert response.status_code == 404
    async with world.client(world.b, "admin") as client:
        decide = await client.post(
            f"/o/beta/reviews/{review}/decide", data={"decision": "go", "rationale": "x"}
        )
        assert decide.status_code == 404
    assert not await Vote.exists().where(Vote.review == review)


async def test_abstaining_needs_no_scores(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.a, "committee") as client:
        response = await client.post(f"/o/alpha/reviews/{review}/vote", data={"vote": "abstain"})
    assert response.status_code == 303
    assert await Vote.count().where(Vote.review == review) == 1
