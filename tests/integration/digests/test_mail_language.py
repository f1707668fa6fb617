"""Defect 3 of issue 14: mail goes out in the language the person reads the app in, even
when they never touched the language switch (the browser's Accept-Language chose it)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review
from tracker.accounts.tables import Organisation, Person
from tracker.digests import service
from tracker.digests.reminders import queue_reminders
from tracker.digests.tables import Digest, DigestSetting, EmailMessage

_n = itertools.count(1)
CHINESE = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}


async def test_digest_is_in_chinese_for_a_person_who_signed_up_in_chinese(world):
    n = next(_n)
    email = f"zh-signup-{n}-{world.backend}@example.com"
    async with world.client() as client:
        response = await client.post(
            "/signup",
            data={
                "name": "王芳",
                "email": email,
                "password": "a long enough secret",
                "org_name": f"Zh org {n} {world.backend}",
                "org_slug": f"zh-org-{n}-{world.backend}",
            },
            headers=CHINESE,
        )
    # sign-up answers "check your e-mail" (issue 17, finding 7); the person follows the link
    assert response.status_code == 200, response.text[:500]
    person = await Person.select(Person.id, Person.language).where(Person.email == email).first()
    assert person["language"] == "zh_Hans"
    await Person.update({Person.email_confirmed: True}).where(Person.id == person["id"])
    org = (
        await Organisation.select(Organisation.id)
        .where(Organisation.slug == f"zh-org-{n}-{world.backend}")
        .first()
    )
    await DigestSetting.delete().where(DigestSetting.org == org["id"])
    await DigestSetting.insert(DigestSetting(org=org["id"], frequency="daily", hour=8))
    holder = SimpleNamespace(id=org["id"], people={"lead": person["id"]})
    await make_initiative(holder, phase=1, age_days=40, name="Late scoping")
    await service.build_due_digests(org["id"], datetime.now(UTC) + timedelta(days=1))
    digest = (
        await Digest.select(Digest.language, Digest.subject, Digest.item_count)
        .where(Digest.person == person["id"])
        .first()
    )
    assert digest["language"] == "zh_Hans"
    assert digest["item_count"] > 0
    mail = (
        await EmailMessage.select(EmailMessage.subject, EmailMessage.body_text)
        .where(EmailMessage.person == person["id"], EmailMessage.kind == "digest")
        .first()
    )
    assert re.search(r"[\u4e00-\u9fff]", mail["subject"]), mail["subject"]
    assert "Digest" not in mail["subject"]


async def test_reminder_is_in_chinese_for_a_person_who_accepted_an_invitation_in_chinese(world):
    n = next(_n)
    email = f"zh-invitee-{n}-{world.backend}@example.com"
    async with world.client(world.a, "admin") as client:
        page = await client.post(
            "/o/alpha/settings/invitations", data={"email": email, "role": "committee"}
        )
    path = "/" + re.search(r'value="(http[^"]+/invite/[^"]+)"', page.text).group(1).split("/", 3)[3]
    async with world.client() as client:
        response = await client.post(
            path, data={"name": "李雷", "password": "a long new password"}, headers=CHINESE
        )
    assert response.status_code == 303
    person = await Person.select(Person.id, Person.language).where(Person.email == email).first()
    assert person["language"] == "zh_Hans"
    initiative = await make_initiative(world.a, phase=2)
    world.a.people["zh-invitee"] = person["id"]
    try:
        review = await open_review(
            world,
            world.a,
            initiative,
            reviewers=("zh-invitee", "admin"),
            due_date=(date.today() + timedelta(days=1)).isoformat(),
        )
    finally:
        del world.a.people["zh-invitee"]
    await queue_reminders(datetime.now(UTC))
    mail = (
        await EmailMessage.select(EmailMessage.subject, EmailMessage.body_text)
        .where(EmailMessage.key.like(f"reminder:review:{review}:{person['id']}:%"))
        .first()
    )
    assert mail is not None
    assert re.search(r"[\u4e00-\u9fff]", mail["subject"]), mail["subject"]


async def test_invitation_to_a_known_chinese_reader_is_in_chinese(world):
    n = next(_n)
    email = f"zh-known-{n}-{world.backend}@example.com"
    await Person.insert(Person(email=email, name="张三", password_hash="x", language="zh_Hans"))
    async with world.client(world.a, "admin") as client:  # the admin reads English
        response = await client.post(
            "/o/alpha/settings/invitations", data={"email": email, "role": "viewer"}
        )
    assert response.status_code == 200
    mail = (
        await EmailMessage.select(EmailMessage.subject)
        .where(EmailMessage.to_email == email, EmailMessage.kind == "invitation")
        .first()
    )
    assert re.search(r"[\u4e00-\u9fff]", mail["subject"]), mail["subject"]


async def test_logging_in_remembers_the_language_of_someone_from_before(world):
    n = next(_n)
    email = f"zh-old-{n}-{world.backend}@example.com"
    from tracker.auth import hash_password

    await Person.insert(
        Person(email=email, name="Old", password_hash=await hash_password("a long secret 1"))
    )
    async with world.client() as client:
        response = await client.post(
            "/login", data={"email": email, "password": "a long secret 1"}, headers=CHINESE
        )
    assert response.status_code == 303
    row = await Person.select(Person.language).where(Person.email == email).first()
    assert row["language"] == "zh_Hans"
