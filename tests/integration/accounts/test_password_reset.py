"""A forgotten password: the request answers the same for any address, is rate-limited,
mails a single-use link that expires after an hour (only its hash is stored), and setting
the new password ends every session of the person."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import httpx

from tracker.accounts import recovery
from tracker.accounts.mail import render
from tracker.accounts.recovery_tables import PasswordReset
from tracker.accounts.tables import AccountMail, Membership, Person, Session
from tracker.auth import hash_password, start_session, token_hash
from tracker.digests.mailer import deliver_pending
from tracker.digests.tables import EmailMessage

_n = itertools.count(1)
LINK = re.compile(r"http://\S+/password/reset/([A-Za-z0-9_-]+)")


def client_from(world, address: str) -> httpx.AsyncClient:
    """An anonymous client from its own client address (the rate limit counts per client)."""
    import tests.conftest as conftest

    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app, client=(address, 4000)),
        base_url="http://testserver",
        cookies={"csrftoken": conftest.CSRF_TOKEN},
        headers={"x-csrftoken": conftest.CSRF_TOKEN},
        follow_redirects=False,
    )


def fresh_client(world) -> httpx.AsyncClient:
    return client_from(world, f"10.{next(_n) % 250}.{next(_n) % 250}.{next(_n) % 250}")


async def member(world, language: str | None = "en") -> dict:
    """A new person, member of alpha, with the standing password."""
    n = next(_n)
    email = f"forgetful-{n}-{world.backend}@example.com"
    person = (
        await Person.insert(
            Person(
                email=email,
                name=f"Forgetful {n}",
                password_hash=await hash_password(world.password),
                language=language,
            )
        )
    )[0]["id"]
    await Membership.insert(Membership(org=world.a.id, person=person, role="member"))
    return {"id": person, "email": email}


async def request_link(world, email: str, client: httpx.AsyncClient | None = None):
    async with client or fresh_client(world) as c:
        return await c.post("/password/forgot", data={"email": email})


async def link_of(person: dict) -> str:
    """Process the requests and read the link from the queued message."""
    await recovery.process_requests()
    row = (
        await EmailMessage.select(EmailMessage.body_text, EmailMessage.subject)
        .where(EmailMessage.to_email == person["email"], EmailMessage.kind == "password_reset")
        .order_by(EmailMessage.id, ascending=False)
        .first()
    )
    return "/password/reset/" + LINK.search(row["body_text"]).group(1)


async def test_the_login_page_offers_a_forgotten_password_link(world):
    async with world.client() as client:
        login = await client.get("/login")
        form = await client.get("/password/forgot")
    assert 'href="/password/forgot"' in login.text and "Forgot your password?" in login.text
    assert form.status_code == 200 and 'name="email"' in form.text


async def test_known_and_unknown_addresses_get_the_same_answer(world):
    person = await member(world)
    unknown = f"nobody-{next(_n)}-{world.backend}@example.com"
    client = fresh_client(world)
    async with client:
        known = await client.post("/password/forgot", data={"email": person["email"]})
        other = await client.post("/password/forgot", data={"email": unknown})
    assert known.status_code == other.status_code == 200
    assert known.text.replace(person["email"], "X") == other.text.replace(unknown, "X")
    assert dict(known.headers).keys() == dict(other.headers).keys()
    # both requests were recorded alike; only the job tells them apart, later
    rows = await PasswordReset.select().where(PasswordReset.email.is_in([person["email"], unknown]))
    assert len(rows) == 2 and all(r["token_hash"] is None and r["person"] is None for r in rows)
    await recovery.process_requests()
    assert await EmailMessage.count().where(EmailMessage.to_email == unknown) == 0
    assert await EmailMessage.count().where(EmailMessage.to_email == person["email"]) == 1


async def test_the_link_is_in_the_persons_language_and_only_its_hash_is_kept(world):
    person = await member(world, language="zh_Hans")
    await request_link(world, person["email"])  # the page was read in English
    path = await link_of(person)
    token = path.rsplit("/", 1)[1]
    mail = await EmailMessage.select().where(EmailMessage.to_email == person["email"]).first()
    assert mail["org"] == world.a.id and mail["person"] == person["id"]
    assert re.search(r"[\u4e00-\u9fff]", mail["subject"]) and "Set a new" not in mail["subject"]
    stored = await PasswordReset.select().where(PasswordReset.person == person["id"]).first()
    assert stored["token_hash"] == token_hash(token)
    assert token not in str(stored)
    assert stored["expires_at"] - stored["processed_at"] == timedelta(hours=1)


async def test_setting_a_new_password_ends_every_session_and_the_link_works_once(world):
    person = await member(world)
    sessions = [await start_session(person["id"]) for _ in range(2)]
    await request_link(world, person["email"])
    path = await link_of(person)
    async with fresh_client(world) as client:
        page = await client.get(path)
        assert page.status_code == 200 and 'name="new"' in page.text
        bad = await client.post(path, data={"new": "short", "confirm": "other"})
        assert bad.status_code == 422
        assert (
            "Use at least 12 characters." in bad.text
            and "The two new passwords differ." in bad.text
        )
        done = await client.post(
            path, data={"new": "my fresh password 9", "confirm": "my fresh password 9"}
        )
        assert done.status_code == 303 and done.headers["location"] == "/login"
        told = await client.get("/login")
        assert "Every session of your account has ended" in told.text
        again = await client.get(path)
        assert again.status_code == 404 and "not valid any more" in again.text
        reuse = await client.post(
            path, data={"new": "another password 1", "confirm": "another password 1"}
        )
        assert reuse.status_code == 404
    notice = (
        await AccountMail.select(AccountMail.kind)
        .where(AccountMail.person == person["id"], AccountMail.kind == "password_reset_done")
        .first()
    )
    subject, text = render(notice["kind"], {**person, "language": "en", "timezone": None})
    assert subject == "Your password was changed" and "/password/reset/" not in text
    assert not await Session.exists().where(
        Session.token_hash.is_in([token_hash(s) for s in sessions])
    )
    async with fresh_client(world) as client:
        old = await client.post(
            "/login", data={"email": person["email"], "password": world.password}
        )
        new = await client.post(
            "/login", data={"email": person["email"], "password": "my fresh password 9"}
        )
    assert old.status_code == 422 and new.status_code == 303


async def test_wrong_and_expired_links_are_refused_and_change_nothing(world):
    person = await member(world)
    await request_link(world, person["email"])
    path = await link_of(person)
    await PasswordReset.update(
        {PasswordReset.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(PasswordReset.person == person["id"])
    before = await Person.select(Person.password_hash).where(Person.id == person["id"]).first()
    async with fresh_client(world) as client:
        for url in (path, "/password/reset/not-a-real-token", "/password/reset/" + "x" * 300):
            page = await client.get(url)
            assert page.status_code == 404 and 'href="/password/forgot"' in page.text, url
            post = await client.post(
                url, data={"new": "my fresh password 9", "confirm": "my fresh password 9"}
            )
            assert post.status_code == 404, url
    after = await Person.select(Person.password_hash).where(Person.id == person["id"]).first()
    assert before == after


async def test_requests_are_rate_limited_per_address_and_per_client(world):
    person = await member(world)
    for _ in range(3):
        assert (await request_link(world, person["email"])).status_code == 200
    refused = await request_link(world, person["email"])
    assert refused.status_code == 429
    assert "Too many requests for a new password. Try again in" in refused.text
    unknown = f"nobody-{next(_n)}-{world.backend}@example.com"
    for _ in range(3):
        await request_link(world, unknown)
    assert (await request_link(world, unknown)).status_code == 429  # the same for no account
    client_address = f"192.0.2.{next(_n) % 250}"
    statuses = []
    for i in range(11):
        async with client_from(world, client_address) as client:
            response = await client.post(
                "/password/forgot", data={"email": f"many-{i}-{next(_n)}@example.com"}
            )
            statuses.append(response.status_code)
    assert statuses == [200] * 10 + [429]
    assert await PasswordReset.count().where(PasswordReset.client == client_address) == 10


async def test_a_bad_address_is_explained(world):
    async with fresh_client(world) as client:
        response = await client.post("/password/forgot", data={"email": "not an address"})
    assert response.status_code == 422 and "Enter a valid e-mail address." in response.text


async def test_without_smtp_the_link_is_held_and_admins_see_it_without_the_link(world):
    person = await member(world)
    await request_link(world, person["email"])
    path = await link_of(person)
    await deliver_pending()
    row = (
        await EmailMessage.select(EmailMessage.status)
        .where(EmailMessage.to_email == person["email"])
        .first()
    )
    assert row["status"] == "held"
    async with world.client(world.a, "admin") as client:
        page = await client.get("/o/alpha/settings/digests")
    assert person["email"] in page.text and "Password link" in page.text
    assert path.rsplit("/", 1)[1] not in page.text


async def test_reset_end_to_end_through_the_smtp_server(world, mailbox):
    person = await member(world)
    old_session = await start_session(person["id"])
    async with fresh_client(world) as client:
        asked = await client.post("/password/forgot", data={"email": person["email"]})
    assert asked.status_code == 200
    await recovery.process_requests()
    await deliver_pending()
    received = [m for rcpt, m in mailbox.messages if rcpt == [person["email"]]]
    assert len(received) == 1
    body = received[0].get_body(("plain",)).get_content()
    path = "/password/reset/" + LINK.search(body).group(1)
    # the outbox keeps no copy of the link once it is sent
    kept = (
        await EmailMessage.select(EmailMessage.body_text)
        .where(EmailMessage.to_email == person["email"])
        .first()
    )
    assert "/password/reset/" not in kept["body_text"]
    async with fresh_client(world) as client:
        assert (await client.get(path)).status_code == 200
        done = await client.post(
            path, data={"new": "from the mail 2026", "confirm": "from the mail 2026"}
        )
        assert done.status_code == 303
        login = await client.post(
            "/login", data={"email": person["email"], "password": "from the mail 2026"}
        )
        assert login.status_code == 303
    async with world.client() as client:
        client.cookies.set("tracker_session", old_session)
        stale = await client.get("/account")
    assert stale.status_code == 303 and stale.headers["location"].startswith("/login")


async def test_answering_does_the_same_database_work_for_known_and_unknown_addresses(world):
    from tracker.db import count_queries

    person = await member(world)
    unknown = f"nobody-{next(_n)}-{world.backend}@example.com"
    seen = []
    for email in (person["email"], unknown):
        async with fresh_client(world) as client:
            with count_queries() as counter:
                response = await client.post("/password/forgot", data={"email": email})
            assert response.status_code == 200
        seen.append([re.sub(r"'[^']*'", "?", s) for s in counter.statements])
    assert seen[0] == seen[1] and seen[0]
