"""Two-factor log-in (ASVS V2.8): enrolment, log-in with a code or a recovery code, a code
used once, and an organisation's rule that admins (or everyone) must use it."""

import re
import time

import pyotp

from tracker.accounts.tables import LoginFailure, Organisation, Person, RecoveryCode


async def stored_key(person_id: int) -> str:
    """The person's TOTP key, read as the server reads it (it is stored sealed)."""
    from tracker.accounts.twofactor import unseal

    row = await Person.select(Person.totp_secret).where(Person.id == person_id).first()
    return unseal(row["totp_secret"])


def code_for(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


async def enrol(client, person_id: int) -> list[str]:
    page = await client.post("/account/security/two-factor")
    assert page.status_code == 200 and "<svg" in page.text and "style=" not in page.text
    secret = await stored_key(person_id)
    wrong = await client.post("/account/security/two-factor/confirm", data={"code": "000000"})
    assert wrong.status_code == 422 and "This code is not right" in wrong.text
    done = await client.post(
        "/account/security/two-factor/confirm", data={"code": code_for(secret, -30)}
    )
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.text)
    assert len(codes) == 10
    return codes


async def test_enrol_then_log_in_with_a_code_once_and_a_recovery_code_once(world):
    person_id, email = world.b.people["lead"], world.b.emails["lead"]
    async with world.client(world.b, "lead") as client:
        codes = await enrol(client, person_id)
    assert await RecoveryCode.count().where(RecoveryCode.person == person_id) == 10
    stored = await RecoveryCode.select(RecoveryCode.code_hash).where(
        RecoveryCode.person == person_id
    )
    assert not {c.replace("-", "") for c in codes} & {r["code_hash"] for r in stored}
    secret = await stored_key(person_id)
    async with world.client(address="192.0.2.70") as client:
        response = await client.post("/login", data={"email": email, "password": world.password})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login/code")
        assert "tracker_session" not in response.cookies  # the password alone opens nothing
        assert (await client.get("/o/beta/")).status_code == 303
        wrong = await client.post("/login/code", data={"code": "123456"})
        assert wrong.status_code == 422 and "This code is not right" in wrong.text
        code = code_for(secret)
        right = await client.post("/login/code", data={"code": code})
        assert right.status_code == 303 and right.cookies.get("tracker_session")
    async with world.client(address="192.0.2.71") as client:  # the same code again: refused
        await client.post("/login", data={"email": email, "password": world.password})
        again = await client.post("/login/code", data={"code": code})
        assert again.status_code == 422
        recovery = await client.post("/login/code", data={"code": codes[0].upper()})
        assert recovery.status_code == 303 and recovery.cookies.get("tracker_session")
    async with world.client(address="192.0.2.72") as client:  # a recovery code works once
        await client.post("/login", data={"email": email, "password": world.password})
        assert (await client.post("/login/code", data={"code": codes[0]})).status_code == 422
    async with world.client() as anonymous:  # no password step: no code page
        response = await anonymous.post("/login/code", data={"code": code_for(secret)})
        assert response.status_code == 303 and response.headers["location"] == "/login"
    async with world.client(world.b, "lead") as client:
        refused = await client.post(
            "/account/security/two-factor/disable", data={"password": "not it at all"}
        )
        assert refused.status_code == 422
        off = await client.post(
            "/account/security/two-factor/disable", data={"password": world.password}
        )
        assert off.status_code == 303
    assert not await RecoveryCode.exists().where(RecoveryCode.person == person_id)
    await LoginFailure.delete().where(LoginFailure.email == email)


async def test_guessing_codes_is_slowed(world):
    person_id, email = world.a.people["committee"], world.a.emails["committee"]
    async with world.client(world.a, "committee") as client:
        await enrol(client, person_id)
    async with world.client(address="192.0.2.80") as client:
        await client.post("/login", data={"email": email, "password": world.password})
        statuses = [
            (await client.post("/login/code", data={"code": f"{n:06d}"})).status_code
            for n in range(7)
        ]
    assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429]
    await LoginFailure.delete().where(LoginFailure.email == email)
    async with world.client(world.a, "committee") as client:
        await client.post("/account/security/two-factor/disable", data={"password": world.password})


async def test_an_organisation_can_require_it_of_admins(world):
    async with world.client(world.a, "lead") as lead:
        refused = await lead.post("/o/alpha/settings/two-factor", data={"require_2fa": "admins"})
    assert refused.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        response = await outsider.post(
            "/o/alpha/settings/two-factor", data={"require_2fa": "admins"}
        )
    assert response.status_code == 404
    assert (
        await Organisation.select(Organisation.require_2fa).where(Organisation.slug == "alpha")
    )[0]["require_2fa"] == "none"
    async with world.client(world.a, "admin") as admin:
        bad = await admin.post("/o/alpha/settings/two-factor", data={"require_2fa": "sometimes"})
        assert bad.status_code == 400
        saved = await admin.post("/o/alpha/settings/two-factor", data={"require_2fa": "admins"})
        assert saved.status_code == 303
    try:
        async with world.client(world.a, "admin") as admin:  # signed in before: led there too
            board = await admin.get("/o/alpha/")
            assert board.status_code == 303
            assert board.headers["location"] == "/account/security?required=1"
        async with world.client(world.a, "lead") as lead:  # not an admin: not required
            assert (await lead.get("/o/alpha/")).status_code == 200
        async with world.client(world.a, "admin") as admin:  # enrolled: let through
            await enrol(admin, world.a.people["admin"])
            assert (await admin.get("/o/alpha/")).status_code == 200
            await admin.post(
                "/account/security/two-factor/disable", data={"password": world.password}
            )
        async with world.client(address="192.0.2.90") as client:
            response = await client.post(
                "/login", data={"email": world.a.emails["admin"], "password": world.password}
            )
            assert response.headers["location"] == "/account/security?required=1"
            page = await client.get("/account/security?required=1")
            assert "requires two-factor log-in for your role" in page.text
        async with world.client(address="192.0.2.91") as client:
            response = await client.post(
                "/login",
                data={"email": world.a.emails["member"], "password": world.password, "next": "/"},
            )
            assert response.headers["location"] == "/"
    finally:
        await Organisation.update({Organisation.require_2fa: "none"}).where(
            Organisation.slug == "alpha"
        )
