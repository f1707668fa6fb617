import re

from tracker.accounts.tables import Invitation, Membership, Person


async def invite(world, email, role="member"):
    async with world.client(world.a, "admin") as client:
        response = await client.post(
            "/o/alpha/settings/invitations", data={"email": email, "role": role}
        )
    assert response.status_code == 200
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', response.text).group(1)
    return "/" + link.split("/", 3)[3]


async def test_new_person_accepts_an_invitation(world):
    email = f"newbie-{world.backend}@example.com"
    path = await invite(world, email, "committee")
    async with world.client() as client:
        page = await client.get(path)
        assert page.status_code == 200 and email in page.text and "Steering committee" in page.text
        response = await client.post(
            path, data={"name": "New Bie", "password": "a long new password"}
        )
        assert response.status_code == 303 and response.headers["location"] == "/o/alpha/"
        assert "tracker_session" in response.cookies
        again = await client.get(path)
    assert again.status_code == 404  # works once
    person = await Person.select().where(Person.email == email).first()
    membership = (
        await Membership.select()
        .where(Membership.person == person["id"], Membership.org == world.a.id)
        .first()
    )
    assert membership["role"] == "committee"


async def test_existing_person_joins_a_second_organisation(world):
    email = world.b.emails["lead"]
    path = await invite(world, email, "viewer")
    async with world.client(world.b, "lead") as client:
        response = await client.post(path)
        assert response.status_code == 303
        board = await client.get("/o/alpha/")
        assert board.status_code == 200
    roles = await Membership.select(Membership.org.slug, Membership.role).where(
        Membership.person == world.b.people["lead"]
    )
    assert {(r["org.slug"], r["role"]) for r in roles} >= {("beta", "lead"), ("alpha", "viewer")}
    await Membership.delete().where(
        Membership.person == world.b.people["lead"], Membership.org == world.a.id
    )


async def test_invitation_for_someone_else_is_refused(world):
    path = await invite(world, f"someone-{world.backend}@example.com")
    async with world.client(world.b, "viewer") as client:
        response = await client.post(path)
    assert response.status_code == 403
    assert not await Membership.exists().where(
        Membership.person == world.b.people["viewer"], Membership.org == world.a.id
    )


async def test_invitation_errors_keep_input(world):
    path = await invite(world, f"weak-{world.backend}@example.com")
    async with world.client() as client:
        response = await client.post(path, data={"name": "Weak <Pw>", "password": "123"})
    assert response.status_code == 422
    assert (
        "Use at least 12 characters." in response.text
        and 'value="Weak &lt;Pw&gt;"' in response.text
    )


async def test_bogus_and_revoked_tokens_are_404(world):
    email = f"revoked-{world.backend}@example.com"
    path = await invite(world, email)
    invitation = await Invitation.select(Invitation.id).where(Invitation.email == email).first()
    async with world.client(world.a, "admin") as client:
        response = await client.post(f"/o/alpha/settings/invitations/{invitation['id']}/revoke")
        assert response.status_code == 303
    async with world.client() as client:
        assert (await client.get(path)).status_code == 404
        assert (await client.get("/invite/not-a-real-token")).status_code == 404
        assert (
            await client.post(path, data={"name": "x", "password": "a long new password"})
        ).status_code == 404


async def test_the_outbox_keeps_no_invitation_link_and_the_mail_has_one(world, mailbox):
    """Finding 8: the link is made when the mail is sent; only its hash is stored."""
    from tracker.digests.mailer import deliver_pending
    from tracker.digests.tables import EmailMessage

    email = f"outboxed-{world.backend}@example.com"
    path = await invite(world, email)
    token = path.rsplit("/", 1)[1]
    invitation = await Invitation.select().where(Invitation.email == email).first()
    queued = await EmailMessage.select().where(EmailMessage.key == f"invitation:{invitation['id']}")
    assert (
        queued and token not in queued[0]["body_text"] and "/invite/" not in queued[0]["body_text"]
    )
    assert token not in str(invitation)  # the row has the hash and a key, never the token
    await deliver_pending()
    sent = [m for rcpt, m in mailbox.messages if rcpt == [email]]
    assert len(sent) == 1 and path in sent[0].get_body(("plain",)).get_content()
    async with world.client(world.a, "admin") as client:
        again = await client.post(f"/o/alpha/settings/invitations/{invitation['id']}/resend")
    assert again.status_code == 200
    new_path = (
        "/" + re.search(r'value="(http[^"]+/invite/[^"]+)"', again.text).group(1).split("/", 3)[3]
    )
    assert new_path != path
    await deliver_pending()
    sent = [m for rcpt, m in mailbox.messages if rcpt == [email]]
    assert len(sent) == 2 and new_path in sent[1].get_body(("plain",)).get_content()
    async with world.client() as client:
        assert (await client.get(path)).status_code == 404  # the old link stopped working
        assert (await client.get(new_path)).status_code == 200
    async with world.client(world.b, "admin") as outsider:
        response = await outsider.post(f"/o/beta/settings/invitations/{invitation['id']}/resend")
    assert response.status_code == 404


async def test_a_guessable_password_is_refused_when_accepting(world):
    """Finding 6: the same rule when an invited person sets their password."""
    email = f"weakling-{world.backend}@example.com"
    path = await invite(world, email)
    async with world.client() as client:
        response = await client.post(path, data={"name": "Wei Ling", "password": "123456789012"})
    assert response.status_code == 422
    assert "This is a common password, or too close to one." in response.text
    assert not await Person.exists().where(Person.email == email)
