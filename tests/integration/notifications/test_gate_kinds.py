"""Each gate event tells the right people once and only once, in their organisation only."""

from __future__ import annotations

import asyncio
import json

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review, request_review
from tests.integration.notifications.helpers import choose, forget_choice, mails_for, told
from tracker.gates.tables import Condition, GateRule
from tracker.notifications import Kind


async def test_a_review_asks_each_reviewer_for_their_vote_once_with_an_email(world):
    org = world.a
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative)
    again = await request_review(world, org, initiative)
    assert again.status_code == 409  # a double submit opens nothing and tells nobody again
    for role in ("committee", "admin"):
        rows = await told(org.people[role], Kind.VOTE_REQUESTED, review)
        assert len(rows) == 1, role
        assert rows[0]["url"] == f"/o/alpha/reviews/{review}" and rows[0]["org"] == org.id
        assert rows[0]["actor"] == org.people["lead"] and rows[0]["read_at"] is None
        mails = await mails_for(rows)
        assert len(mails) == 1 and mails[0]["kind"] == "notification"  # e-mailed at once
        assert mails[0]["to_email"] == org.emails[role]
        assert f"/o/alpha/reviews/{review}" in mails[0]["body_text"]
        assert "/account/notifications" in mails[0]["body_text"]
    assert await told(world.b.people["committee"], Kind.VOTE_REQUESTED, review) == []


async def test_whoever_requests_is_not_told_of_their_own_request(world):
    org = world.a
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative, role="admin")
    assert await told(org.people["admin"], Kind.VOTE_REQUESTED, review) == []
    assert len(await told(org.people["committee"], Kind.VOTE_REQUESTED, review)) == 1


async def test_the_decision_tells_the_lead_and_each_condition_owner(world):
    org = world.a
    initiative = await make_initiative(org, phase=3)
    review = await open_review(world, org, initiative)
    await cast(
        world,
        org,
        "committee",
        review,
        "go_conditions",
        condition_0="Train the night shift",
        condition_owner_0=str(org.people["member"]),
    )
    assert await told(org.people["lead"], Kind.REVIEW_DECIDED, review) == []  # still open
    await cast(world, org, "admin", review, "go")
    decided = await told(org.people["lead"], Kind.REVIEW_DECIDED, review)
    assert len(decided) == 1 and decided[0]["detail"] == "go_conditions"
    assert len(await mails_for(decided)) == 1
    condition = await Condition.select().where(Condition.initiative == initiative).first()
    assigned = await told(org.people["member"], Kind.CONDITION_ASSIGNED, condition["id"])
    assert len(assigned) == 1 and assigned[0]["title"] == "Train the night shift"
    # a second vote after the decision changes nothing and tells nobody again
    await cast(world, org, "admin", review, "go")
    assert len(await told(org.people["lead"], Kind.REVIEW_DECIDED, review)) == 1
    # reassigning the condition tells the new owner once (twice posted: once told)
    async with world.client(org, "lead") as lead:
        for _ in range(2):
            await lead.post(
                f"/o/alpha/conditions/{condition['id']}/plan",
                data={
                    "owner": str(org.people["committee"]),
                    "due_date": condition["due_date"].isoformat(),
                },
            )
    assert len(await told(org.people["committee"], Kind.CONDITION_ASSIGNED, condition["id"])) == 1


async def test_an_approval_waits_at_each_level_of_the_gate_chain(world):
    org = world.a
    chain = [
        {"label": "Business owner", "person": org.people["member"]},
        {"label": "Executive", "person": org.people["viewer"]},
    ]
    await GateRule.update({GateRule.approval_chain: json.dumps(chain)}).where(
        GateRule.org == org.id
    )
    try:
        initiative = await make_initiative(org, phase=2)
        review = await open_review(world, org, initiative)
        await cast(world, org, "committee", review, "go")
        await cast(world, org, "admin", review, "go")
        first = await told(org.people["member"], Kind.APPROVAL_WAITING, review)
        assert len(first) == 1
        assert await told(org.people["viewer"], Kind.APPROVAL_WAITING, review) == []
        async with world.client(org, "member") as member:
            done = await member.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "approve"}
            )
            assert done.status_code == 303
        assert len(await told(org.people["viewer"], Kind.APPROVAL_WAITING, review)) == 1
        async with world.client(org, "viewer") as viewer:  # the chain ends: nothing waits
            done = await viewer.post(
                f"/o/alpha/reviews/{review}/approval", data={"action": "approve"}
            )
            assert done.status_code == 303
    finally:
        await GateRule.update({GateRule.approval_chain: "[]"}).where(GateRule.org == org.id)


async def test_the_persons_choice_is_respected(world):
    org = world.a
    committee, admin = org.people["committee"], org.people["admin"]
    await choose(org.id, committee, Kind.VOTE_REQUESTED, "off")
    await choose(org.id, admin, Kind.VOTE_REQUESTED, "digest")
    try:
        initiative = await make_initiative(org, phase=2)
        review = await open_review(world, org, initiative)
        assert await told(committee, Kind.VOTE_REQUESTED, review) == []  # not at all
        digest_only = await told(admin, Kind.VOTE_REQUESTED, review)
        assert len(digest_only) == 1 and digest_only[0]["channel"] == "digest"
        assert await mails_for(digest_only) == []  # waits for the digest
    finally:
        await forget_choice(org.id, committee, Kind.VOTE_REQUESTED)
        await forget_choice(org.id, admin, Kind.VOTE_REQUESTED)


async def test_notify_is_exactly_once_however_often_and_never_crosses_organisations(world):
    from tracker.notifications import notify

    org = world.a
    person = org.people["member"]
    key = f"mentioned:test:{world.backend}"

    async def tell() -> list[int]:
        return await notify(
            org.id,
            kind=Kind.MENTIONED,
            recipients=[person, world.b.people["admin"], org.people["lead"]],
            actor_id=org.people["lead"],
            subject_kind="comment",
            subject_id=987_654,  # a subject no other test tells of
            url="/o/alpha/reviews/7#comment-7",
            key=key,
            title="Gate 2 of the order process",
        )

    # two workers at once, then a retry: one row, one e-mail, to the member only (the actor
    # is never told, the other organisation's admin is not a member here)
    results = await asyncio.gather(tell(), tell())
    assert sorted(results, key=len) == [[], [person]]
    assert await tell() == []
    rows = await told(person, Kind.MENTIONED, 987_654)
    assert len(rows) == 1 and len(await mails_for(rows)) == 1
    assert await told(world.b.people["admin"], Kind.MENTIONED, 987_654) == []
    assert await told(org.people["lead"], Kind.MENTIONED, 987_654) == []


async def test_comments_wait_for_the_digest_by_default(world):
    from tracker.notifications import notify

    org = world.a
    told_now = await notify(
        org.id,
        kind=Kind.COMMENT,
        recipients=[org.people["lead"]],
        actor_id=org.people["member"],
        subject_kind="problem",
        subject_id=3,
        url="/o/alpha/problems/3",
        key=f"comment:test:{world.backend}",
        title="Waiting at the hand-off",
    )
    assert told_now == [org.people["lead"]]
    rows = await told(org.people["lead"], Kind.COMMENT, 3)
    assert rows[0]["channel"] == "digest" and await mails_for(rows) == []
