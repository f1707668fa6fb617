"""A person's own settings: name, language and time zone; a change of e-mail address that
waits for the new address to confirm; digests per organisation from the same page."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

from tracker.accounts.recovery_tables import EmailChange
from tracker.accounts.tables import Membership, Person
from tracker.auth import hash_password, start_session
from tracker.digests.tables import DigestPreference, EmailMessage

_n = itertools.count(1)
LINK = re.compile(r"http://\S+(/account/email/[A-Za-z0-9_-]+)")


async def signed_in(world, language="en"):
    n = next(_n)
    email = f"settler-{n}-{world.backend}@example.com"
    person = (
        await Person.insert(
            Person(
                email=email,
                name=f"Settler {n}",
                password_hash=await hash_password(world.password),
                language=language,
            )
        )
    )[0]["id"]
    await Membership.insert(Membership(org=world.a.id, person=person, role="member"))
    client = world.client()
    client.cookies.set("tracker_session", await start_session(person))
    return client, {"id": person, "email": email}


async def test_the_settings_page_brings_everything_together(world):
    client, _me = await signed_in(world)
    async with client:
        page = await client.get("/account")
        board = await client.get("/o/alpha/")
    assert page.status_code == 200
    for part in (
        'action="/account/profile"',
        'action="/account/email"',
        'action="/account/password"',
        'action="/o/alpha/digests/preference"',
        'href="/o/alpha/leave"',
        'name="timezone"',
    ):
        assert part in page.text, part
    assert 'href="/account">Your settings<' in board.text  # from the person's menu


async def test_name_language_and_time_zone_are_saved(world):
    client, me = await signed_in(world)
    async with client:
        bad = await client.post(
            "/account/profile", data={"name": "", "language": "xx", "timezone": "Mars/Base"}
        )
        assert bad.status_code == 422
        assert (
            "Enter your name." in bad.text
            and "Choose a time zone such as Asia/Shanghai." in bad.text
        )
        assert 'value="Mars/Base"' in bad.text  # the input is kept
        ok = await client.post(
            "/account/profile",
            data={"name": "王小明", "language": "zh_Hans", "timezone": "Asia/Shanghai"},
        )
        assert ok.status_code == 303
        page = await client.get("/account")
    row = (
        await Person.select(Person.name, Person.language, Person.timezone)
        .where(Person.id == me["id"])
        .first()
    )
    assert row == {"name": "王小明", "language": "zh_Hans", "timezone": "Asia/Shanghai"}
    assert "个人设置" in page.text and "您的设置已保存。" in page.text


async def test_digest_frequency_from_the_settings_page_comes_back_there(world):
    client, me = await signed_in(world)
    async with client:
        response = await client.post(
            "/o/alpha/digests/preference", data={"frequency": "off", "next": "/account"}
        )
    assert response.status_code == 303 and response.headers["location"] == "/account"
    row = (
        await DigestPreference.select(DigestPreference.frequency)
        .where(DigestPreference.person == me["id"])
        .first()
    )
    assert row["frequency"] == "off"


async def test_changing_the_address_waits_for_the_new_address(world):
    client, me = await signed_in(world)
    new = f"moved-{next(_n)}-{world.backend}@example.com"
    async with client:
        wrong = await client.post("/account/email", data={"new_email": new, "password": "nope"})
        assert wrong.status_code == 422 and "This is not your current password." in wrong.text
        taken = await client.post(
            "/account/email", data={"new_email": world.a.emails["lead"], "password": world.password}
        )
        assert (
            taken.status_code == 422 and "Another account uses this e-mail address." in taken.text
        )
        asked = await client.post(
            "/account/email", data={"new_email": new, "password": world.password}
        )
        assert asked.status_code == 303
    mails = {
        m["kind"]: m for m in await EmailMessage.select().where(EmailMessage.person == me["id"])
    }
    assert mails["email_confirm"]["to_email"] == new
    assert mails["email_notice"]["to_email"] == me["email"]
    assert "/account/email/" not in mails["email_notice"]["body_text"]
    path = LINK.search(mails["email_confirm"]["body_text"]).group(1)

    # until confirmed, the old address is the one that works
    async def log_in(email: str) -> int:
        # a client each: a log-in rotates the CSRF token (issue 17, finding 8)
        async with world.client() as fresh:
            return (
                await fresh.post("/login", data={"email": email, "password": world.password})
            ).status_code

    assert await log_in(me["email"]) == 303
    assert await log_in(new) == 422
    async with world.client() as anon:
        page = await anon.get(path)
        assert page.status_code == 200 and new in page.text
        done = await anon.post(path)
        assert done.status_code == 303
        again = await anon.post(path)
        assert again.status_code == 404
    assert await log_in(new) == 303
    assert await log_in(me["email"]) == 422


async def test_wrong_and_expired_confirmation_links_change_nothing(world):
    client, me = await signed_in(world)
    new = f"late-{next(_n)}-{world.backend}@example.com"
    async with client:
        await client.post("/account/email", data={"new_email": new, "password": world.password})
    mail = (
        await EmailMessage.select(EmailMessage.body_text)
        .where(EmailMessage.person == me["id"], EmailMessage.kind == "email_confirm")
        .first()
    )
    path = LINK.search(mail["body_text"]).group(1)
    await EmailChange.update(
        {EmailChange.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(EmailChange.person == me["id"])
    async with world.client() as anon:
        for url in (path, "/account/email/wrong-token"):
            assert (await anon.get(url)).status_code == 404
            assert (await anon.post(url)).status_code == 404
    row = await Person.select(Person.email).where(Person.id == me["id"]).first()
    assert row["email"] == me["email"]


async def test_settings_need_a_signed_in_person(world):
    async with world.client() as anon:
        for method, url in (
            ("GET", "/account"),
            ("POST", "/account/profile"),
            ("POST", "/account/email"),
        ):
            response = await anon.request(method, url, data={"name": "x"})
            assert response.status_code == 303 and response.headers["location"].startswith("/login")
