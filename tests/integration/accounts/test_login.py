from tracker.accounts.tables import LoginFailure, Session
from tracker.auth import token_hash


async def test_login_starts_a_new_session_and_follows_next(world):
    email = world.a.emails["member"]
    async with world.client() as client:
        client.cookies.set("tracker_session", "an-old-token-from-before")
        response = await client.post(
            "/login", data={"email": email.upper(), "password": world.password, "next": "/o/alpha/"}
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/o/alpha/"
    token = response.cookies["tracker_session"]
    assert token != "an-old-token-from-before"
    assert await Session.exists().where(Session.token_hash == token_hash(token))


async def test_login_never_redirects_off_site(world):
    async with world.client() as client:
        response = await client.post(
            "/login",
            data={
                "email": world.a.emails["member"],
                "password": world.password,
                "next": "//evil.example.com/",
            },
        )
    assert response.headers["location"] == "/"


async def test_wrong_password_is_refused_with_the_email_kept(world):
    async with world.client() as client:
        response = await client.post(
            "/login",
            data={"email": world.a.emails["viewer"], "password": "wrong password 1", "next": ""},
        )
    assert response.status_code == 422
    assert "The e-mail address or the password is wrong." in response.text
    assert f'value="{world.a.emails["viewer"]}"' in response.text
    assert "tracker_session" not in response.cookies


async def test_repeated_failures_are_slowed_down(world):
    email = f"victim-{world.backend}@example.com"
    async with world.client() as client:
        for _ in range(5):
            response = await client.post(
                "/login", data={"email": email, "password": "guess guess 1"}
            )
            assert response.status_code == 422
        response = await client.post("/login", data={"email": email, "password": "guess guess 2"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert await LoginFailure.count().where(LoginFailure.email == email) == 5


async def test_throttle_also_holds_for_the_right_password(world):
    email = world.b.emails["viewer"]
    await LoginFailure.insert(*(LoginFailure(email=email) for _ in range(6)))
    async with world.client() as client:
        response = await client.post("/login", data={"email": email, "password": world.password})
    assert response.status_code == 429
    await LoginFailure.delete().where(LoginFailure.email == email)


async def test_logout_ends_the_session_on_the_server(world):
    from tracker.auth import start_session

    token = await start_session(world.a.people["viewer"])
    async with world.client() as client:
        client.cookies.set("tracker_session", token)
        assert (await client.get("/o/alpha/")).status_code == 200
        response = await client.post("/logout")
        assert response.status_code == 303
    assert not await Session.exists().where(Session.token_hash == token_hash(token))
    async with world.client() as client:
        client.cookies.set("tracker_session", token)  # a stolen copy of the cookie
        response = await client.get("/o/alpha/")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_pages_redirect_anonymous_people_to_login(world):
    async with world.client() as client:
        response = await client.get("/o/alpha/?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/o/alpha%3Fq%3Dx"
