from tracker.accounts.tables import Person, Session
from tracker.auth import start_session, token_hash


async def test_change_password_ends_other_sessions(world):
    person = world.b.people["member"]
    mine = await start_session(person)
    other = await start_session(person)
    async with world.client() as client:
        client.cookies.set("tracker_session", mine)
        response = await client.post(
            "/account/password",
            data={
                "current": world.password,
                "new": "a brand new secret",
                "confirm": "a brand new secret",
            },
        )
    assert response.status_code == 303
    assert await Session.exists().where(Session.token_hash == token_hash(mine))
    assert not await Session.exists().where(Session.token_hash == token_hash(other))
    async with world.client() as client:
        ok = await client.post(
            "/login", data={"email": world.b.emails["member"], "password": "a brand new secret"}
        )
    assert ok.status_code == 303
    # put the standing password back for the other tests
    from tracker.auth import hash_password

    await Person.update({Person.password_hash: await hash_password(world.password)}).where(
        Person.id == person
    )


async def test_change_password_errors(world):
    before = (
        await Person.select(Person.password_hash)
        .where(Person.id == world.a.people["viewer"])
        .first()
    )
    async with world.client(world.a, "viewer") as client:
        response = await client.post(
            "/account/password",
            data={"current": "not my password", "new": "short", "confirm": "other"},
        )
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    assert "Use at least 12 characters." in response.text
    assert "The two new passwords differ." in response.text
    after = (
        await Person.select(Person.password_hash)
        .where(Person.id == world.a.people["viewer"])
        .first()
    )
    assert before == after


async def test_account_page_needs_login(world):
    async with world.client() as client:
        response = await client.get("/account")
    assert response.status_code == 303


async def test_a_guessable_new_password_is_refused_with_the_reason(world):
    """Finding 6: the same rule when a password is changed."""
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            "/account/password",
            data={"current": world.password, "new": "Passw0rd!!!!", "confirm": "Passw0rd!!!!"},
        )
    assert response.status_code == 422
    assert "This is a common password, or too close to one." in response.text
    assert 'id="new-error"' in response.text
