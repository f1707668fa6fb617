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


async def test_throttle_also_holds_for_the_right_password_from_that_address(world):
    email = world.b.emails["viewer"]
    address = f"198.51.100.7{world.backend == 'sqlite'}"[:15]
    await LoginFailure.insert(*(LoginFailure(email=email, address=address) for _ in range(6)))
    async with world.client(address=address) as client:
        response = await client.post("/login", data={"email": email, "password": world.password})
    assert response.status_code == 429
    await LoginFailure.delete().where(LoginFailure.email == email)


async def test_spraying_one_password_over_many_accounts_is_refused(world):
    """Finding 5: one address trying one password on 20 accounts is stopped after 10."""
    address = "203.0.113.20" if world.backend == "sqlite" else "203.0.113.21"
    statuses = []
    async with world.client(address=address) as client:
        for n in range(20):
            response = await client.post(
                "/login",
                data={
                    "email": f"sprayed{n}-{world.backend}@example.com",
                    "password": "Summer2026!",
                },
            )
            statuses.append(response.status_code)
        # even a right password is refused from that address for now
        right = await client.post(
            "/login", data={"email": world.a.emails["viewer"], "password": world.password}
        )
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429] * 10
    assert right.status_code == 429
    assert "Too many failed log-ins from your network" in right.text
    await LoginFailure.delete().where(LoginFailure.address == address)
    async with world.client(address=address) as known:  # a browser that logged in before
        first = await known.post(
            "/login", data={"email": world.a.emails["lead"], "password": world.password}
        )
    async with world.client(address=address) as known:
        await spray(known, world, 10)
        known.cookies.set("tracker_device", first.cookies["tracker_device"])
        again = await known.post(
            "/login", data={"email": world.a.emails["lead"], "password": world.password}
        )
    assert again.status_code == 303
    async with world.client(address="203.0.113.99") as elsewhere:  # others are not slowed
        response = await elsewhere.post(
            "/login", data={"email": world.a.emails["viewer"], "password": world.password}
        )
    assert response.status_code == 303
    await LoginFailure.delete().where(LoginFailure.address == address)


async def spray(client, world, n: int) -> None:
    for i in range(n):
        await client.post(
            "/login",
            data={"email": f"sprayed{i}-{world.backend}@example.com", "password": "Summer2026!"},
        )


async def test_thirty_wrong_passwords_do_not_lock_the_owner_out(world):
    """Finding 5: guesses from many addresses make the account open only to a browser that
    logged in before, or that followed the e-mailed unlock link; the owner still gets in."""
    from tracker.accounts.mail import unlock_link
    from tracker.accounts.tables import AccountMail, Person

    email = world.b.emails["committee"]
    async with world.client(address="192.0.2.1") as owner:  # the owner's usual browser
        response = await owner.post("/login", data={"email": email, "password": world.password})
        assert response.status_code == 303
        device = response.cookies["tracker_device"]
    statuses = []
    for attacker in range(6):  # 30 wrong passwords from six addresses
        async with world.client(address=f"198.18.0.{attacker + 1}") as client:
            for _ in range(5):
                response = await client.post(
                    "/login", data={"email": email, "password": "not the password"}
                )
                statuses.append(response.status_code)
    assert statuses == [422] * 10 + [429] * 20  # only the first ten were even checked
    assert await LoginFailure.count().where(LoginFailure.email == email) == 10
    async with world.client(address="192.0.2.2") as laptop:  # a browser never used before
        response = await laptop.post("/login", data={"email": email, "password": world.password})
        assert response.status_code == 429
        assert "we have e-mailed you a link" in response.text
        mails = await AccountMail.select().where(
            AccountMail.person == world.b.people["committee"], AccountMail.kind == "unlock"
        )
        assert len(mails) == 1
        person = await Person.select().where(Person.email == email).first()
        link = unlock_link(person).removeprefix("http://127.0.0.1:8000")
        assert (await laptop.get(link)).status_code == 200
        assert (await laptop.post(link)).status_code == 303
        response = await laptop.post("/login", data={"email": email, "password": world.password})
        assert response.status_code == 303
    async with world.client(address="192.0.2.1") as owner:
        owner.cookies.set("tracker_device", device)
        response = await owner.post("/login", data={"email": email, "password": world.password})
        assert response.status_code == 303
    await LoginFailure.delete().where(LoginFailure.email == email)


async def test_log_in_rotates_the_csrf_token_and_the_session(world):
    """Finding 8: the CSRF token known before log-in is not the one used after it."""
    async with world.client(address="192.0.2.50") as client:
        before = client.cookies["csrftoken"]
        response = await client.post(
            "/login", data={"email": world.a.emails["lead"], "password": world.password}
        )
    assert response.status_code == 303
    assert response.cookies["csrftoken"] and response.cookies["csrftoken"] != before


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
