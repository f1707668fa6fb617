"""A person is told by e-mail, in their language, after each change of how they log in
(ASVS 2.2.3, 2.5.5): the password (signed in or by a reset link), two-factor log-in on or off,
new recovery codes, and the e-mail address (told to the old address). Each change queues
exactly one notice in the account outbox; a refused attempt queues none."""

from __future__ import annotations

import itertools
import re

from tests.integration.accounts.test_password_reset import link_of, request_link
from tests.integration.accounts.test_two_factor import code_for, stored_key
from tracker.accounts.mail import NOTICES, deliver_account_mail
from tracker.accounts.tables import AccountMail, Membership, Person
from tracker.auth import hash_password, start_session
from tracker.digests.tables import EmailMessage

_n = itertools.count(1)
EMAIL_LINK = re.compile(r"http://\S+(/account/email/[A-Za-z0-9_-]+)")


async def newcomer(world, language: str | None = "en") -> dict:
    n = next(_n)
    email = f"noticed-{n}-{world.backend}@example.com"
    person = (
        await Person.insert(
            Person(
                email=email,
                name=f"Noticed {n}",
                password_hash=await hash_password(world.password),
                language=language,
            )
        )
    )[0]["id"]
    await Membership.insert(Membership(org=world.a.id, person=person, role="member"))
    return {"id": person, "email": email}


def client_of(world, person: dict, session: str):
    client = world.client()
    client.cookies.set("tracker_session", session)
    return client


async def notices(person: dict) -> list[dict]:
    return await AccountMail.select(AccountMail.kind, AccountMail.to_email).where(
        AccountMail.person == person["id"], AccountMail.kind.is_in(list(NOTICES))
    )


async def test_a_password_changed_signed_in_is_told_once_in_the_persons_language(world, mailbox):
    me = await newcomer(world, language="zh_Hans")
    async with client_of(world, me, await start_session(me["id"])) as client:
        refused = await client.post(
            "/account/password",
            data={
                "current": "not mine",
                "new": "a brand new secret",
                "confirm": "a brand new secret",
            },
        )
        assert refused.status_code == 422
        assert await notices(me) == []
        done = await client.post(
            "/account/password",
            data={
                "current": world.password,
                "new": "a brand new secret",
                "confirm": "a brand new secret",
            },
        )
        assert done.status_code == 303
    assert await notices(me) == [{"kind": "password_changed", "to_email": None}]
    await deliver_account_mail()
    sent = [m for rcpt, m in mailbox.messages if rcpt == [me["email"]]]
    assert len(sent) == 1
    assert re.search(r"[\u4e00-\u9fff]", sent[0]["Subject"])  # in Chinese, their language
    assert "/password/forgot" in sent[0].get_content()


async def test_a_password_set_by_a_reset_link_is_told_once(world):
    me = await newcomer(world)
    await request_link(world, me["email"])
    path = await link_of(me)
    async with world.client() as client:
        done = await client.post(
            path, data={"new": "my fresh password 9", "confirm": "my fresh password 9"}
        )
    assert done.status_code == 303
    assert await notices(me) == [{"kind": "password_reset_done", "to_email": None}]
    # the organisation's outbox carries the link only, not a second notice
    assert await EmailMessage.count().where(EmailMessage.person == me["id"]) == 1


async def test_two_factor_on_new_codes_and_off_are_each_told_once(world):
    me = await newcomer(world)
    async with client_of(world, me, await start_session(me["id"])) as client:
        await client.post("/account/security/two-factor")
        secret = await stored_key(me["id"])
        wrong = await client.post("/account/security/two-factor/confirm", data={"code": "000000"})
        assert wrong.status_code == 422 and await notices(me) == []
        on = await client.post(
            "/account/security/two-factor/confirm", data={"code": code_for(secret)}
        )
        assert on.status_code == 200
        assert [n["kind"] for n in await notices(me)] == ["two_factor_on"]
        refused = await client.post("/account/security/recovery-codes", data={"password": "x"})
        assert refused.status_code == 422 and len(await notices(me)) == 1
        renewed = await client.post(
            "/account/security/recovery-codes", data={"password": world.password}
        )
        assert renewed.status_code == 200
        assert sorted(n["kind"] for n in await notices(me)) == ["recovery_codes", "two_factor_on"]
        off = await client.post(
            "/account/security/two-factor/disable", data={"password": world.password}
        )
        assert off.status_code == 303
    assert sorted(n["kind"] for n in await notices(me)) == [
        "recovery_codes",
        "two_factor_off",
        "two_factor_on",
    ]


async def test_a_changed_address_is_told_to_the_old_address(world, mailbox):
    me = await newcomer(world)
    new = f"moved-notice-{next(_n)}-{world.backend}@example.com"
    async with client_of(world, me, await start_session(me["id"])) as client:
        asked = await client.post(
            "/account/email", data={"new_email": new, "password": world.password}
        )
        assert asked.status_code == 303
    assert await notices(me) == []  # asking changes nothing yet (the old address is told so)
    mail = (
        await EmailMessage.select(EmailMessage.body_text)
        .where(EmailMessage.person == me["id"], EmailMessage.kind == "email_confirm")
        .first()
    )
    async with world.client() as anon:
        assert (await anon.post(EMAIL_LINK.search(mail["body_text"]).group(1))).status_code == 303
    assert await notices(me) == [{"kind": "email_changed", "to_email": me["email"]}]
    await deliver_account_mail()
    sent = [m for rcpt, m in mailbox.messages if rcpt == [me["email"]]]
    assert len(sent) == 1 and sent[0]["Subject"] == "Your e-mail address was changed"
    assert new in sent[0].get_content()
    assert not [m for rcpt, m in mailbox.messages if rcpt == [new]]
