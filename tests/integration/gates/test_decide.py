import asyncio
import json

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review, review_status
from tracker.gates.tables import (
    ApprovalStep,
    DecisionCorrection,
    GateDecision,
    GateRule,
    InitiativeEvent,
    Vote,
)


async def set_rule(org, **values):
    row = await GateRule.select().where(GateRule.org == org.id).first()
    await GateRule.update({getattr(GateRule, k): v for k, v in values.items()}).where(
        GateRule.id == row["id"]
    )
    return row


async def restore_rule(row):
    await GateRule.update(
        {
            GateRule.chair: row["chair"],
            GateRule.approval_chain: row["approval_chain"],
            GateRule.quorum_kind: row["quorum_kind"],
            GateRule.quorum_value: row["quorum_value"],
        }
    ).where(GateRule.id == row["id"])


async def test_simultaneous_last_votes_make_one_decision_and_lose_no_vote(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    results = await asyncio.gather(
        cast(world, world.a, "committee", review, "go"),
        cast(world, world.a, "admin", review, "go"),
    )
    assert [r.status_code for r in results] == [303, 303]
    assert await Vote.count().where(Vote.review == review) == 2
    assert await GateDecision.count().where(GateDecision.review == review) == 1
    assert await review_status(review) == "decided"
    events = await InitiativeEvent.select(InitiativeEvent.kind).where(
        InitiativeEvent.initiative == initiative
    )
    assert [e["kind"] for e in events].count("decided") == 1


async def test_double_clicked_vote_counts_once(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    results = await asyncio.gather(
        *(cast(world, world.a, "committee", review, "go") for _ in range(4))
    )
    assert sorted(r.status_code for r in results).count(303) == 1
    assert await Vote.count().where(Vote.review == review) == 1


async def test_two_chairs_deciding_at_once_make_one_decision(world):
    rule = await set_rule(world.a, chair=world.a.people["committee"])
    try:
        initiative = await make_initiative(world.a)
        review = await open_review(world, world.a, initiative)

        async def decide(role, outcome):
            async with world.client(world.a, role) as client:
                return await client.post(
                    f"/o/alpha/reviews/{review}/decide",
                    data={"decision": outcome, "rationale": f"{role} decides"},
                )

        results = await asyncio.gather(decide("committee", "go"), decide("admin", "hold"))
        codes = sorted(r.status_code for r in results)
        assert codes == [303, 409]
        assert await GateDecision.count().where(GateDecision.review == review) == 1
        loser = next(r for r in results if r.status_code == 409)
        assert "already decided" in loser.text
    finally:
        await restore_rule(rule)


async def test_chair_records_a_consensus_decision_with_conditions(world):
    initiative = await make_initiative(world.a, phase=3)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.a, "admin") as client:
        response = await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={
                "decision": "go_conditions",
                "rationale": "Agreed in the meeting",
                "conditions": "Sign-off from Finance",
                "condition_due": "2030-01-31",
                "next_gate_date": "2030-03-01",
            },
        )
        assert response.status_code == 303
        page = await client.get(f"/o/alpha/reviews/{review}")
    assert "Decision: Go with conditions" in page.text and "Sign-off from Finance" in page.text
    decision = await GateDecision.select().where(GateDecision.review == review).first()
    assert decision["method"] == "chair" and decision["decided_by"] == world.a.people["admin"]
    assert decision["next_gate_date"].isoformat() == "2030-03-01"
    # voting has closed
    late = await cast(world, world.a, "committee", review, "go")
    assert late.status_code == 409


async def test_decisions_are_permanent_and_corrections_are_linked(world):
    initiative = await make_initiative(world.a)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.a, "admin") as client:
        await client.post(
            f"/o/alpha/reviews/{review}/decide", data={"decision": "go", "rationale": "ok"}
        )
    decision = await GateDecision.select().where(GateDecision.review == review).first()
    async with world.client(world.a, "lead") as client:
        denied = await client.post(
            f"/o/alpha/decisions/{decision['id']}/corrections", data={"text": "no"}
        )
        assert denied.status_code == 403
    async with world.client(world.b, "admin") as client:
        outsider = await client.post(
            f"/o/beta/decisions/{decision['id']}/corrections", data={"text": "x"}
        )
        assert outsider.status_code == 404
    async with world.client(world.a, "admin") as client:
        ok = await client.post(
            f"/o/alpha/decisions/{decision['id']}/corrections",
            data={"text": "The rationale should cite the pilot report."},
        )
        assert ok.status_code == 303
        page = await client.get(f"/o/alpha/reviews/{review}")
    assert "The rationale should cite the pilot report." in page.text
    assert (
        await DecisionCorrection.count().where(DecisionCorrection.decision == decision["id"]) == 1
    )
    after = await GateDecision.select().where(GateDecision.review == review).first()
    assert after == decision


async def test_approval_chain_approves_in_order(world):
    chain = [
        {"label": "Business owner", "person": world.a.people["lead"]},
        {"label": "Executive in charge", "person": world.a.people["admin"]},
    ]
    rule = await set_rule(world.a, approval_chain=json.dumps(chain))
    try:
        initiative = await make_initiative(world.a, phase=2)
        review = await open_review(world, world.a, initiative)
        await cast(world, world.a, "committee", review, "go")
        await cast(world, world.a, "admin", review, "go")
        assert await review_status(review) == "approving"
        async with world.client(world.a, "admin") as client:
            early = await client.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "approve"}
            )
            assert early.status_code == 403  # level 2 waits for level 1
        async with world.client(world.a, "lead") as client:
            queue = await client.get("/o/alpha/reviews")
            assert f"/reviews/{review}" in queue.text
            first = await client.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "approve"}
            )
            assert first.status_code == 303
        assert await review_status(review) == "approving"
        async with world.client(world.a, "admin") as client:
            second = await client.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "approve"}
            )
            assert second.status_code == 303
        assert await review_status(review) == "decided"
        steps = await ApprovalStep.select(ApprovalStep.status).where(ApprovalStep.review == review)
        assert [s["status"] for s in steps] == ["approved", "approved"]
        decision = await GateDecision.select().where(GateDecision.review == review).first()
        assert decision["outcome"] == "go" and decision["to_phase"] == 3
    finally:
        await restore_rule(rule)


async def test_a_declined_approval_puts_the_initiative_on_hold(world):
    chain = [{"label": "Business owner", "person": world.a.people["lead"]}]
    rule = await set_rule(world.a, approval_chain=json.dumps(chain))
    try:
        initiative = await make_initiative(world.a, phase=2)
        review = await open_review(world, world.a, initiative)
        await cast(world, world.a, "committee", review, "go")
        await cast(world, world.a, "admin", review, "go")
        async with world.client(world.a, "lead") as client:
            no_reason = await client.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "decline"}
            )
            assert no_reason.status_code == 422
            declined = await client.post(
                f"/o/alpha/reviews/{review}/approval",
                data={"action": "decline", "note": "Budget not approved"},
            )
            assert declined.status_code == 303
        decision = await GateDecision.select().where(GateDecision.review == review).first()
        assert decision["outcome"] == "hold" and "Budget not approved" in decision["rationale"]
    finally:
        await restore_rule(rule)


async def test_my_reviews_lists_what_waits_overdue_first(world):
    first = await make_initiative(world.a, name="Later review")
    second = await make_initiative(world.a, name="Sooner review")
    await open_review(world, world.a, first, due_date="2099-01-01")
    soon = await open_review(world, world.a, second)
    async with world.client(world.a, "committee") as client:
        page = await client.get("/o/alpha/reviews")
    assert page.status_code == 200
    assert page.text.index("Sooner review") < page.text.index("Later review")
    assert f"/reviews/{soon}" in page.text
    async with world.client(world.a, "viewer") as client:
        empty = await client.get("/o/alpha/reviews")
    assert "Sooner review" not in empty.text and "Nothing waits for you" in empty.text
    async with world.client(world.b, "committee") as client:
        assert (await client.get("/o/alpha/reviews")).status_code == 404
        other = await client.get("/o/beta/reviews")
    assert "Sooner review" not in other.text
