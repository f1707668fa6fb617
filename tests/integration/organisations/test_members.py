import pytest

from tracker.accounts.tables import Invitation, Membership

NON_ADMINS = ["lead", "committee", "member", "viewer"]


async def test_admin_sees_members_and_invitations(world):
    async with world.client(world.a, "admin") as client:
        response = await client.get("/o/alpha/settings/members")
    assert response.status_code == 200
    assert world.a.emails["viewer"] in response.text
    assert world.b.emails["viewer"] not in response.text


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_other_roles_may_not_manage_members(world, role):
    membership = (
        await Membership.select(Membership.id)
        .where(Membership.org == world.a.id, Membership.person == world.a.people["viewer"])
        .first()
    )
    async with world.client(world.a, role) as client:
        assert (await client.get("/o/alpha/settings/members")).status_code == 403
        response = await client.post(
            "/o/alpha/settings/invitations", data={"email": "x@example.com", "role": "admin"}
        )
        assert response.status_code == 403
        response = await client.post(
            f"/o/alpha/settings/members/{membership['id']}/role", data={"role": "admin"}
        )
        assert response.status_code == 403
        response = await client.post(f"/o/alpha/settings/members/{membership['id']}/remove")
        assert response.status_code == 403
    row = await Membership.select(Membership.role).where(Membership.id == membership["id"]).first()
    assert row["role"] == "viewer"
    assert not await Invitation.exists().where(Invitation.email == "x@example.com")


async def test_outsider_admin_gets_404_everywhere(world):
    membership = (
        await Membership.select(Membership.id)
        .where(Membership.org == world.a.id, Membership.person == world.a.people["viewer"])
        .first()
    )
    async with world.client(world.b, "admin") as client:
        assert (await client.get("/o/alpha/settings/members")).status_code == 404
        # through their own organisation's URL, with an id of the other organisation
        response = await client.post(
            f"/o/beta/settings/members/{membership['id']}/role", data={"role": "admin"}
        )
        assert response.status_code == 404
        response = await client.post(f"/o/beta/settings/members/{membership['id']}/remove")
        assert response.status_code == 404
    row = await Membership.select(Membership.role).where(Membership.id == membership["id"]).first()
    assert row["role"] == "viewer"


async def test_change_role_and_keep_one_admin(world):
    own = (
        await Membership.select(Membership.id)
        .where(Membership.org == world.b.id, Membership.person == world.b.people["admin"])
        .first()
    )
    member = (
        await Membership.select(Membership.id)
        .where(Membership.org == world.b.id, Membership.person == world.b.people["member"])
        .first()
    )
    async with world.client(world.b, "admin") as client:
        response = await client.post(
            f"/o/beta/settings/members/{own['id']}/role", data={"role": "viewer"}
        )
        assert response.status_code == 409
        assert "at least one admin" in response.text
        response = await client.post(f"/o/beta/settings/members/{own['id']}/remove")
        assert response.status_code == 409
        response = await client.post(
            f"/o/beta/settings/members/{member['id']}/role", data={"role": "lead"}
        )
        assert response.status_code == 303
        response = await client.post(
            f"/o/beta/settings/members/{member['id']}/role", data={"role": "emperor"}
        )
        assert response.status_code == 409
    row = await Membership.select(Membership.role).where(Membership.id == member["id"]).first()
    assert row["role"] == "lead"
    await Membership.update({Membership.role: "member"}).where(Membership.id == member["id"])


async def test_remove_member(world):
    from tracker.accounts.tables import Person

    person = (
        await Person.insert(
            Person(email=f"leaver-{world.backend}@example.com", name="Leaver", password_hash="x")
        )
    )[0]["id"]
    membership = (
        await Membership.insert(Membership(org=world.a.id, person=person, role="member"))
    )[0]["id"]
    async with world.client(world.a, "admin") as client:
        response = await client.post(f"/o/alpha/settings/members/{membership}/remove")
    assert response.status_code == 303
    assert not await Membership.exists().where(Membership.id == membership)


async def test_invitation_form_errors_and_duplicates(world):
    async with world.client(world.a, "admin") as client:
        response = await client.post(
            "/o/alpha/settings/invitations", data={"email": "nope", "role": "king"}
        )
        assert response.status_code == 422
        assert (
            "Enter a valid e-mail address." in response.text and "Choose a role." in response.text
        )
        response = await client.post(
            "/o/alpha/settings/invitations",
            data={"email": world.a.emails["lead"], "role": "viewer"},
        )
        assert response.status_code == 422 and "already a member" in response.text


async def test_outsider_cannot_revoke_an_invitation(world):
    async with world.client(world.a, "admin") as client:
        await client.post(
            "/o/alpha/settings/invitations",
            data={"email": f"keep-{world.backend}@example.com", "role": "viewer"},
        )
    invitation = (
        await Invitation.select(Invitation.id)
        .where(Invitation.email == f"keep-{world.backend}@example.com")
        .first()
    )
    async with world.client(world.b, "admin") as client:
        response = await client.post(f"/o/beta/settings/invitations/{invitation['id']}/revoke")
    assert response.status_code == 404
    row = (
        await Invitation.select(Invitation.revoked_at)
        .where(Invitation.id == invitation["id"])
        .first()
    )
    assert row["revoked_at"] is None
