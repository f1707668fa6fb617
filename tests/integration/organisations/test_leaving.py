"""Leaving an organisation, and an admin removing a membership: the person's open reviews
are handed on or withdrawn, and the page says which."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from tests.conftest import make_org
from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review, request_review, review_status
from tracker.accounts.tables import Membership
from tracker.auth import hash_password
from tracker.gates.tables import (
    Condition,
    GateDecision,
    GateRule,
    InitiativeEvent,
    ReviewAssignment,
    Vote,
)
from tracker.initiatives.tables import Initiative

_n = itertools.count(1)


async def new_org(world):
    return await make_org(f"leave{next(_n)}-{world.backend}", await hash_password(world.password))


async def membership_of(org, role) -> int:
    row = (
        await Membership.select(Membership.id)
        .where(Membership.org == org.id, Membership.person == org.people[role])
        .first()
    )
    return row["id"]


async def events(initiative_id, kind):
    rows = await InitiativeEvent.select(InitiativeEvent.kind, InitiativeEvent.detail).where(
        InitiativeEvent.initiative == initiative_id, InitiativeEvent.kind == kind
    )
    return [json.loads(r["detail"]) for r in rows]


async def test_a_member_leaves_and_loses_access(world):
    org = await new_org(world)
    async with world.client(org, "member") as client:
        page = await client.get(f"/o/{org.slug}/leave")
        assert page.status_code == 200 and "Nothing waits for you here." in page.text
        response = await client.post(f"/o/{org.slug}/leave")
        assert response.status_code == 303 and response.headers["location"] == "/orgs"
        told = await client.get("/orgs")
        assert f"You left Org {org.slug}." in told.text
        assert (await client.get(f"/o/{org.slug}/")).status_code == 404
    assert not await Membership.exists().where(
        Membership.org == org.id, Membership.person == org.people["member"]
    )


async def test_the_last_admin_cannot_leave_and_is_told_why(world):
    org = await new_org(world)
    async with world.client(org, "admin") as client:
        page = await client.get(f"/o/{org.slug}/leave")
        assert "An organisation needs at least one admin" in page.text
        response = await client.post(f"/o/{org.slug}/leave")
    assert response.status_code == 409
    assert "make someone else an admin first" in response.text
    assert await Membership.exists().where(
        Membership.org == org.id, Membership.person == org.people["admin"]
    )


async def test_a_removed_reviewer_is_no_longer_awaited_and_the_rule_decides(world):
    org = await new_org(world)
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative, reviewers=("committee", "admin"))
    assert (await cast(world, org, "admin", review, "go")).status_code in (200, 303)
    assert await review_status(review) == "open"  # half the reviewers: no quorum yet
    committee = await membership_of(org, "committee")
    async with world.client(org, "admin") as client:
        preview = await client.get(f"/o/{org.slug}/settings/members/{committee}/remove")
        assert "Their vote is no longer awaited on:" in preview.text
        response = await client.post(f"/o/{org.slug}/settings/members/{committee}/remove")
        assert response.status_code == 303
        told = await client.get(response.headers["location"])
    assert "Committee of" in told.text and "Their vote is no longer awaited on:" in told.text
    assert await review_status(review) == "decided"  # the admin's vote alone is the quorum now
    assert await GateDecision.exists().where(GateDecision.review == review)
    assert [e["reviewer"] for e in await events(initiative, "reviewer_left")] == [
        f"Committee of {org.slug}"
    ]
    async with world.client(org, "admin") as client:
        history = await client.get(f"/o/{org.slug}/initiatives/{initiative}")
    assert f"Reviewer left the organisation: Committee of {org.slug}" in history.text


async def test_a_review_left_without_reviewers_is_withdrawn_and_can_be_requested_again(world):
    org = await new_org(world)
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative, reviewers=("committee",))
    async with world.client(org, "committee") as client:
        response = await client.post(f"/o/{org.slug}/leave")
        assert response.status_code == 303
        told = await client.get("/orgs")
    assert "Withdrawn, as no reviewer is left:" in told.text
    assert await review_status(review) == "withdrawn"
    assert await events(initiative, "review_withdrawn")
    again = await request_review(world, org, initiative, reviewers=("admin",))
    assert again.status_code == 303


async def test_a_cast_vote_stays_when_its_reviewer_leaves(world):
    org = await new_org(world)
    await GateRule.update({GateRule.quorum_kind: "count", GateRule.quorum_value: 3}).where(
        GateRule.org == org.id
    )
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative, reviewers=("committee", "admin"))
    await cast(world, org, "committee", review, "go")
    async with world.client(org, "committee") as client:
        assert "Your votes stay on:" in (await client.get(f"/o/{org.slug}/leave")).text
        await client.post(f"/o/{org.slug}/leave")
    assert await Vote.exists().where(
        Vote.review == review, Vote.reviewer == org.people["committee"]
    )
    assert await ReviewAssignment.exists().where(
        ReviewAssignment.review == review, ReviewAssignment.reviewer == org.people["committee"]
    )


async def test_a_removed_lead_hands_initiatives_conditions_and_the_chair_to_the_admin(world):
    org = await new_org(world)
    initiative = await make_initiative(org, phase=2)  # owned by the lead
    review = await open_review(world, org, initiative, reviewers=("admin",))
    decision = (
        await GateDecision.insert(
            GateDecision(
                org=org.id,
                review=review,
                initiative=initiative,
                gate=1,
                outcome="go_conditions",
                method="chair",
                from_phase=1,
                to_phase=2,
            )
        )
    )[0]["id"]
    await Condition.insert(
        Condition(
            org=org.id,
            initiative=initiative,
            decision=decision,
            text="Map the as-is process",
            owner=org.people["lead"],
            due_date=date.today() + timedelta(days=5),
        )
    )
    await GateRule.update(
        {
            GateRule.chair: org.people["lead"],
            GateRule.approval_chain: json.dumps([{"label": "Owner", "person": org.people["lead"]}]),
        }
    ).where(GateRule.org == org.id)
    lead = await membership_of(org, "lead")
    async with world.client(org, "admin") as client:
        response = await client.post(f"/o/{org.slug}/settings/members/{lead}/remove")
        told = await client.get(response.headers["location"])
    assert (
        f"Admin of {org.slug} takes over 1 initiatives (with 1 open reviews), 1 open" in told.text
    )
    assert "The decision rule has no chair any more" in told.text
    owner = await Initiative.select(Initiative.owner).where(Initiative.id == initiative).first()
    assert owner["owner"] == org.people["admin"]
    condition = (
        await Condition.select(Condition.owner).where(Condition.initiative == initiative).first()
    )
    assert condition["owner"] == org.people["admin"]
    rule = (
        await GateRule.select(GateRule.chair, GateRule.approval_chain)
        .where(GateRule.org == org.id)
        .first()
    )
    assert rule["chair"] is None
    assert json.loads(rule["approval_chain"])[0]["person"] == org.people["admin"]
    assert await events(initiative, "handed_over") == [
        {"from": f"Lead of {org.slug}", "to": f"Admin of {org.slug}"}
    ]
    async with world.client(org, "admin") as client:
        history = await client.get(f"/o/{org.slug}/initiatives/{initiative}")
    assert f"Handed over: Lead of {org.slug} → Admin of {org.slug}" in history.text


async def test_outsiders_cannot_remove_or_see_the_removal_page(world):
    org = await new_org(world)
    member = await membership_of(org, "member")
    for slug in ("beta", org.slug):
        async with world.client(world.b, "admin") as client:
            page = await client.get(f"/o/{slug}/settings/members/{member}/remove")
            post = await client.post(f"/o/{slug}/settings/members/{member}/remove")
            leave = await client.get(f"/o/{org.slug}/leave")
        assert page.status_code == post.status_code == leave.status_code == 404, slug
    assert await Membership.exists().where(Membership.id == member)


async def test_only_admins_remove_members(world):
    org = await new_org(world)
    member = await membership_of(org, "member")
    async with world.client(org, "lead") as client:
        page = await client.get(f"/o/{org.slug}/settings/members/{member}/remove")
        post = await client.post(f"/o/{org.slug}/settings/members/{member}/remove")
    assert page.status_code == post.status_code == 403
    assert await Membership.exists().where(Membership.id == member)


async def test_a_pending_sop_approval_goes_to_the_admin_who_removes_the_approver(world):
    from tracker.demo_program import seed_program
    from tracker.sops.tables import SopApproval, SopVersion

    org = await new_org(world)
    initiative = await make_initiative(org, phase=3)
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    await seed_program(
        org.id, initiative, "CS-COMPLAINT", f"SOP-LV-2026-{org.id:03d}", people, date.today()
    )
    version = await SopVersion.select(SopVersion.id).where(SopVersion.org == org.id).first()
    await SopApproval.insert(
        SopApproval(
            org=org.id,
            version=version["id"],
            round=9,
            level=1,
            label="Quality",
            approver=org.people["committee"],
        )
    )
    committee = await membership_of(org, "committee")
    async with world.client(org, "admin") as client:
        preview = await client.get(f"/o/{org.slug}/settings/members/{committee}/remove")
        assert "approvals waiting." in preview.text
        await client.post(f"/o/{org.slug}/settings/members/{committee}/remove")
    row = (
        await SopApproval.select(SopApproval.approver)
        .where(SopApproval.org == org.id, SopApproval.round == 9)
        .first()
    )
    assert row["approver"] == org.people["admin"]
    assert not await SopApproval.exists().where(
        SopApproval.approver == org.people["committee"], SopApproval.decision == ""
    )


async def test_an_admin_who_removes_themselves_lands_on_their_organisations(world):
    org = await new_org(world)
    await Membership.update({Membership.role: "admin"}).where(
        Membership.org == org.id, Membership.person == org.people["lead"]
    )
    own = await membership_of(org, "admin")
    async with world.client(org, "admin") as client:
        response = await client.post(f"/o/{org.slug}/settings/members/{own}/remove")
    assert response.status_code == 303 and response.headers["location"] == "/orgs"
    assert not await Membership.exists().where(Membership.id == own)
