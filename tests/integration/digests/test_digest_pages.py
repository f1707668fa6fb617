import logging
from datetime import UTC, datetime, timedelta

from tests import walled
from tests.jobs.test_digest_jobs import seeded_org
from tracker.digests import service
from tracker.digests.tables import Digest, DigestSetting, EmailMessage


async def test_archive_shows_only_my_digests(world):
    org = await seeded_org(world)
    await service.build_due_digests(org.id, datetime.now(UTC) + timedelta(days=1))
    mine = (
        await Digest.select(Digest.id)
        .where(Digest.org == org.id, Digest.person == org.people["lead"])
        .first()
    )
    async with world.client(org, "lead") as client:
        archive = await client.get(f"/o/{org.slug}/digests")
        page = await client.get(f"/o/{org.slug}/digests/{mine['id']}")
    assert archive.status_code == 200 and f"/digests/{mine['id']}" in archive.text
    assert page.status_code == 200 and "Late scoping" in page.text
    async with world.client(org, "member") as client:
        assert (await client.get(f"/o/{org.slug}/digests/{mine['id']}")).status_code == 404
    async with world.client(world.b, "admin") as client:
        assert (await client.get(f"/o/beta/digests/{mine['id']}")).status_code == 404
        assert (await client.get(f"/o/{org.slug}/digests")).status_code == 404


async def test_preview_says_what_the_next_digest_would_say(world):
    org = await seeded_org(world)
    async with world.client(org, "committee") as client:
        page = await client.get(f"/o/{org.slug}/digests/preview", headers={"accept-language": "en"})
    assert (
        page.status_code == 200 and "等待您投票的阶段门评审" in page.text
    )  # the person chose Chinese
    assert "Under review" in page.text
    assert not await Digest.exists().where(Digest.org == org.id)  # nothing stored


async def test_preference_refuses_a_higher_frequency(world):
    org = await seeded_org(world)  # the organisation sends daily
    await DigestSetting.update({DigestSetting.frequency: "weekly"}).where(
        DigestSetting.org == org.id
    )
    async with world.client(org, "member") as client:
        refused = await client.post(
            f"/o/{org.slug}/digests/preference", data={"frequency": "daily"}
        )
        page = await client.get(f"/o/{org.slug}/digests")
    assert refused.status_code == 303
    assert 'value="daily"' not in page.text and 'value="monthly"' in page.text


async def test_admin_sets_the_schedule_others_may_not(world):
    org = await seeded_org(world)
    async with world.client(org, "admin") as client:
        bad = await client.post(
            f"/o/{org.slug}/settings/digests",
            data={"frequency": "hourly", "weekday": "9", "hour": "25", "timezone": "Mars/Olympus"},
        )
        assert bad.status_code == 422
        for message in (
            "Choose daily, weekly or monthly.",
            "Choose a day of the week.",
            "Choose an hour from 0 to 23.",
            "Choose a time zone such as Asia/Shanghai.",
        ):
            assert message in bad.text
        assert 'value="Mars/Olympus"' in bad.text
        ok = await client.post(
            f"/o/{org.slug}/settings/digests",
            data={"frequency": "weekly", "weekday": "4", "hour": "17", "timezone": "Asia/Shanghai"},
        )
        assert ok.status_code == 303
    row = await DigestSetting.select().where(DigestSetting.org == org.id).first()
    assert (row["frequency"], row["weekday"], row["hour"]) == ("weekly", 4, 17)
    for role in ("lead", "committee", "member", "viewer"):
        async with world.client(org, role) as client:
            assert (await client.get(f"/o/{org.slug}/settings/digests")).status_code == 403
            assert (
                await client.post(f"/o/{org.slug}/settings/digests", data={"frequency": "daily"})
            ).status_code == 403


async def test_retry_a_failed_delivery_only_in_ones_own_organisation(world):
    org = await seeded_org(world)
    message = (
        await EmailMessage.insert(
            EmailMessage(
                org=org.id,
                key=f"test:{org.slug}",
                kind="digest",
                to_email="x@example.com",
                subject="s",
                body_text="t",
                status="failed",
                attempts=6,
            )
        )
    )[0]["id"]
    async with world.client(world.b, "admin") as client:
        assert (
            await client.post(f"/o/beta/settings/deliveries/{message}/retry")
        ).status_code == 404
    async with world.client(org, "lead") as client:
        assert (
            await client.post(f"/o/{org.slug}/settings/deliveries/{message}/retry")
        ).status_code == 403
    async with world.client(org, "admin") as client:
        assert (
            await client.post(f"/o/{org.slug}/settings/deliveries/{message}/retry")
        ).status_code == 303
    row = await EmailMessage.select().where(EmailMessage.id == message).first()
    assert (row["status"], row["attempts"]) == ("pending", 0)


async def test_invitations_are_mailed(world, mailbox):
    from tracker.digests.mailer import deliver_pending

    email = f"invitee-{world.backend}@example.com"
    async with world.client(world.a, "admin") as client:
        response = await client.post(
            "/o/alpha/settings/invitations", data={"email": email, "role": "member"}
        )
    assert response.status_code == 200
    await deliver_pending()
    received = [m for rcpt, m in mailbox.messages if rcpt == [email]]
    assert len(received) == 1
    assert "/invite/" in received[0].get_body(("plain",)).get_content()


async def test_embedded_scheduler_runs_jobs_inside_serve(world, mailbox, caplog):
    """Without REDIS_URL the app's own lifespan runs the jobs and says so in the log."""
    import asyncio
    import os

    from tracker.app import create_app
    from tracker.settings import load_settings

    org = await seeded_org(world)
    settings = load_settings(
        {
            **os.environ,
            **walled.env(world),
            "TRACKER_SCHEDULER": "on",
            "TRACKER_SCHEDULER_SECONDS": "1",
            "REDIS_URL": "",
        }
    )
    app = create_app(settings)
    caplog.set_level(logging.INFO, logger="tracker.jobs")
    try:
        async with app.lifespan():
            for _ in range(150):
                if await EmailMessage.exists().where(
                    EmailMessage.person == org.people["committee"], EmailMessage.status == "sent"
                ):
                    break
                await asyncio.sleep(0.1)
    finally:
        walled.restore(world.engine)  # the app's lifespan bound the tables to its own engine
    assert "no REDIS_URL, running digests, reminders and mail inside this process" in caplog.text
    assert await Digest.count().where(Digest.org == org.id) == 5
    committee = [m for rcpt, m in mailbox.messages if rcpt == [org.emails["committee"]]]
    assert committee, "the committee member's digest (a vote waits) was mailed"
