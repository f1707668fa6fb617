"""Digests end to end: real database (both), real Redis with a burst arq worker, a real SMTP
server. Exactly one digest per person, organisation and period, whatever happens."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from tests.conftest import make_org
from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review
from tracker.accounts.tables import Membership, Person
from tracker.auth import hash_password
from tracker.digests import service
from tracker.digests.mailer import deliver_pending
from tracker.digests.tables import Digest, DigestSetting, EmailMessage
from tracker.gates.tables import Condition, GateDecision
from tracker.jobs.worker import FUNCTIONS
from tracker.pilots.tables import Pilot, PilotMetric
from tracker.problems.tables import Problem
from tracker.risks.tables import Risk, RiskScoreChange

_n = itertools.count(1)


async def seeded_org(world):
    """An organisation with something for every section; digests daily at 08:00 UTC."""
    slug = f"digest{next(_n)}-{world.backend}"
    org = await make_org(slug, await hash_password("x" * 12))
    await DigestSetting.insert(DigestSetting(org=org.id, frequency="daily", hour=8))
    await Person.update({Person.language: "zh_Hans"}).where(Person.id == org.people["committee"])
    late = await make_initiative(org, phase=1, age_days=40, name="Late scoping")
    reviewed = await make_initiative(org, phase=2, name="Under review")
    await open_review(world, org, reviewed)
    await Problem.insert(
        Problem(
            org=org.id,
            initiative=late,
            title="Orders lost between teams",
            category="coordination",
            impact=5,
            urgency=5,
        )
    )
    risk = (
        await Risk.insert(
            Risk(
                org=org.id,
                initiative=late,
                description="No executive support",
                category="organisation",
                likelihood=4,
                impact=5,
            )
        )
    )[0]["id"]
    await RiskScoreChange.insert(RiskScoreChange(org=org.id, risk=risk, likelihood=4, impact=5))
    pilot = (
        await Pilot.insert(
            Pilot(
                org=org.id,
                initiative=late,
                process="Claims",
                scope="Team A",
                start_date=date.today(),
            )
        )
    )[0]["id"]
    await PilotMetric.insert(
        PilotMetric(
            org=org.id,
            pilot=pilot,
            name="Cycle time",
            unit="h",
            direction="lower",
            baseline=48,
            result=20,
            target=24,
            recorded_at=datetime.now(UTC),
        )
    )
    decision = (
        await GateDecision.insert(
            GateDecision(
                org=org.id,
                review=(await open_review(world, org, late)),
                initiative=late,
                gate=1,
                outcome="go_conditions",
                method="chair",
                from_phase=1,
                to_phase=1,
            )
        )
    )[0]["id"]
    await Condition.insert(
        Condition(
            org=org.id,
            initiative=late,
            decision=decision,
            text="Publish the as-is map",
            owner=org.people["lead"],
            due_date=date.today() + timedelta(days=2),
        )
    )
    return org


def tomorrow() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


async def digests_of(org):
    rows = await Digest.select(
        Digest.person, Digest.item_count, Digest.body_text, Digest.subject
    ).where(Digest.org == org.id)
    return {r["person"]: r for r in rows}


async def test_digest_sections_by_role_and_language(world):
    org = await seeded_org(world)
    assert await service.build_due_digests(org.id, tomorrow()) == 5
    digests = await digests_of(org)
    lead = digests[org.people["lead"]]["body_text"]
    assert "Your initiatives past the planned end of their phase" in lead and "Late scoping" in lead
    assert "Conditions coming due" in lead and "Publish the as-is map" in lead
    assert "New do-first problems" in lead and "Orders lost between teams" in lead
    assert "New or rising high risks" in lead and "No executive support" in lead
    assert "Pilot results recorded" in lead and "-58.3 %" in lead
    assert "Portfolio summary" in lead
    assert "Gate reviews waiting for your vote" not in lead
    committee = digests[org.people["committee"]]
    assert (
        "等待您投票的阶段门评审" in committee["body_text"]
        and "Under review" in committee["body_text"]
    )
    assert "项目组合概况" not in committee["body_text"]  # no portfolio summary for the committee
    assert committee["subject"].endswith("的定期摘要")
    viewer = digests[org.people["viewer"]]
    assert "Portfolio summary" not in viewer["body_text"] and viewer["item_count"] > 0


async def test_an_empty_digest_is_kept_as_done_but_not_sent(world):
    slug = f"quiet{next(_n)}-{world.backend}"
    org = await make_org(slug, await hash_password("x" * 12))
    assert await service.build_due_digests(org.id, tomorrow()) == 5
    assert all(d["item_count"] == 0 for d in (await digests_of(org)).values())
    assert not await EmailMessage.exists().where(EmailMessage.org == org.id)


async def test_running_twice_or_concurrently_makes_one_digest_each(world):
    org = await seeded_org(world)
    now = tomorrow()
    results = await asyncio.gather(*(service.build_due_digests(org.id, now) for _ in range(3)))
    assert sum(results) == 5
    assert await service.build_due_digests(org.id, now) == 0
    assert await Digest.count().where(Digest.org == org.id) == 5
    assert (
        await EmailMessage.count().where(EmailMessage.org == org.id, EmailMessage.kind == "digest")
        == 5
    )


async def test_a_crash_half_way_is_retried_without_duplicates(world, monkeypatch):
    org = await seeded_org(world)
    original = service._build_one
    calls = {"n": 0}

    async def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return await original(*args, **kwargs)

    monkeypatch.setattr(service, "_build_one", crashing)
    with pytest.raises(RuntimeError):
        await service.build_due_digests(org.id, tomorrow())
    assert await Digest.count().where(Digest.org == org.id) == 2
    monkeypatch.setattr(service, "_build_one", original)
    assert await service.build_due_digests(org.id, tomorrow()) == 3
    assert await Digest.count().where(Digest.org == org.id) == 5


async def test_burst_worker_builds_and_mails_digests(world, redis_url, mailbox):
    org = await seeded_org(world)
    settings = RedisSettings.from_dsn(redis_url)
    redis = await create_pool(settings)
    await redis.flushdb()
    try:
        now = tomorrow().isoformat()
        await redis.enqueue_job("digest_tick", now)
        await redis.enqueue_job("digest_tick", now, _job_id="second-run")  # the cron firing twice
        for _worker in range(2):  # two workers
            worker = Worker(
                functions=FUNCTIONS,
                redis_settings=settings,
                burst=True,
                handle_signals=False,
                poll_delay=0.05,
            )
            try:
                await worker.main()
            finally:
                await worker.close()
        await redis.enqueue_job("deliver", now)
        worker = Worker(
            functions=FUNCTIONS,
            redis_settings=settings,
            burst=True,
            handle_signals=False,
            poll_delay=0.05,
        )
        try:
            await worker.main()
        finally:
            await worker.close()
    finally:
        await redis.flushdb()
        await redis.aclose()
    assert await Digest.count().where(Digest.org == org.id) == 5
    received = {rcpt[0]: msg for rcpt, msg in mailbox.messages}
    for role in ("admin", "lead", "committee", "member", "viewer"):
        assert org.emails[role] in received, role
    lead = received[org.emails["lead"]]
    assert lead["Subject"] == f"Org {org.slug}: your digest"
    html = lead.get_body(("html",)).get_content()
    text = lead.get_body(("plain",)).get_content()
    assert "Late scoping" in text and f"/o/{org.slug}/initiatives/" in html and "http://" in html
    committee = received[org.emails["committee"]]
    assert "阶段门评审" in committee.get_body(("plain",)).get_content()
    sent = await EmailMessage.select(EmailMessage.status).where(EmailMessage.org == org.id)
    assert {s["status"] for s in sent} == {"sent"}


async def test_smtp_down_then_back_sends_exactly_once(world, mailbox):
    org = await seeded_org(world)
    now = tomorrow()
    await service.build_due_digests(org.id, now)
    port = mailbox.port
    mailbox.stop()
    counts = await deliver_pending(now)
    assert counts["retry"] >= 5 and counts["sent"] == 0
    waiting = await EmailMessage.select().where(EmailMessage.org == org.id)
    assert all(m["status"] == "pending" and m["attempts"] == 1 and m["last_error"] for m in waiting)
    assert (await deliver_pending(now))["sent"] == 0  # not due yet: back-off
    async with world.client(org, "admin") as client:
        page = await client.get(f"/o/{org.slug}/settings/digests")
    assert "need attention" in page.text
    mailbox.start(port)
    later = now + timedelta(minutes=2)

    async def sent_here() -> int:  # other tests' organisations may have mail waiting too
        rows = await EmailMessage.select().where(
            EmailMessage.org == org.id, EmailMessage.status == "sent"
        )
        return len(rows)

    await deliver_pending(later)
    assert await sent_here() == len(waiting)
    assert (await deliver_pending(later + timedelta(hours=1)))["sent"] == 0
    assert await sent_here() == len(waiting)
    mine = [m for rcpt, m in mailbox.messages if rcpt[0].endswith(f"@{org.slug}.example.com")]
    assert len(mine) == len(waiting)


async def test_nothing_is_sent_to_people_who_left(world, mailbox):
    org = await seeded_org(world)
    now = tomorrow()
    await service.build_due_digests(org.id, now)
    await Membership.delete().where(
        Membership.org == org.id, Membership.person == org.people["member"]
    )
    await deliver_pending(now)
    message = (
        await EmailMessage.select()
        .where(EmailMessage.person == org.people["member"], EmailMessage.org == org.id)
        .first()
    )
    assert message["status"] == "cancelled"
    assert org.emails["member"] not in {rcpt[0] for rcpt, _ in mailbox.messages}


async def test_opted_out_and_lower_frequencies(world):
    org = await seeded_org(world)
    async with world.client(org, "viewer") as client:
        assert (
            await client.post(f"/o/{org.slug}/digests/preference", data={"frequency": "off"})
        ).status_code == 303
    async with world.client(org, "member") as client:
        assert (
            await client.post(f"/o/{org.slug}/digests/preference", data={"frequency": "monthly"})
        ).status_code == 303
    await service.build_due_digests(org.id, tomorrow())
    keys = {
        r["person"]: r["period_key"]
        for r in await Digest.select(Digest.person, Digest.period_key).where(Digest.org == org.id)
    }
    assert org.people["viewer"] not in keys
    assert keys[org.people["member"]].startswith("M") and keys[org.people["lead"]].startswith("D")


async def test_reminders_for_reviews_and_conditions_once(world, mailbox):
    from tracker.digests.reminders import queue_reminders

    org = await seeded_org(world)
    now = datetime.now(UTC) + timedelta(days=6)  # the reviews are due within two days by then
    first = await queue_reminders(now)
    assert first >= 3
    assert await queue_reminders(now) == 0
    kinds = {
        m["kind"]
        for m in await EmailMessage.select(EmailMessage.kind).where(EmailMessage.org == org.id)
    }
    assert {"review_reminder", "condition_reminder"} <= kinds


async def schedule_org(world, frequency, weekday, hour):
    """An organisation with one initiative of the lead; digests on the given schedule."""
    slug = f"sched{next(_n)}-{world.backend}"
    org = await make_org(slug, await hash_password("x" * 12))
    await DigestSetting.insert(
        DigestSetting(org=org.id, frequency=frequency, weekday=weekday, hour=hour)
    )
    org.initiative = await make_initiative(org, phase=2, name="Scheduled")
    return org


async def new_problem(org, title, at):
    """A do-first problem registered at ``at``: the lead's digest lists it once."""
    await Problem.insert(
        Problem(
            org=org.id,
            initiative=org.initiative,
            title=title,
            category="quality",
            impact=5,
            urgency=5,
            created_at=at,
        )
    )


async def move_schedule(org, **values):
    await DigestSetting.update({getattr(DigestSetting, k): v for k, v in values.items()}).where(
        DigestSetting.org == org.id
    )


async def lead_digests(org):
    rows = (
        await Digest.select(Digest.period_key, Digest.period_start, Digest.body_text)
        .where(Digest.org == org.id, Digest.person == org.people["lead"])
        .order_by(Digest.id)
    )
    return rows


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def future_monday():
    day = date.today() + timedelta(days=60)
    return day - timedelta(days=day.weekday())


async def test_daily_hour_moved_later_loses_nothing_and_sends_no_second(world):
    day = future_monday() + timedelta(days=2)
    org = await schedule_org(world, "daily", 0, 8)
    assert await service.build_due_digests(org.id, at(day, 8, 5)) == 5
    await new_problem(org, "Registered between 08:00 and 10:00", at(day, 9))
    await move_schedule(org, hour=10)
    assert await service.build_due_digests(org.id, at(day, 10, 5)) == 0  # today's is done
    assert await service.build_due_digests(org.id, at(day + timedelta(days=1), 10, 5)) == 5
    first, second = await lead_digests(org)
    assert (first["period_key"], second["period_key"]) == (f"D{day}", f"D{day + timedelta(1)}")
    assert second["period_start"] == at(day, 8)  # from where the last one ended
    assert "Registered between 08:00 and 10:00" in second["body_text"]


async def test_daily_hour_moved_earlier_repeats_nothing_and_sends_no_second(world):
    day = future_monday() + timedelta(days=2)
    org = await schedule_org(world, "daily", 0, 10)
    await new_problem(org, "Registered at nine", at(day, 9))
    assert await service.build_due_digests(org.id, at(day, 10, 5)) == 5
    await new_problem(org, "Registered at eleven", at(day, 11))
    await move_schedule(org, hour=8)
    assert await service.build_due_digests(org.id, at(day, 11, 30)) == 0
    assert await service.build_due_digests(org.id, at(day + timedelta(days=1), 8, 5)) == 5
    first, second = await lead_digests(org)
    assert "Registered at nine" in first["body_text"]
    assert second["period_start"] == at(day, 10)
    assert "Registered at eleven" in second["body_text"]
    assert "Registered at nine" not in second["body_text"]


async def test_weekly_day_moved_later_in_the_week_sends_one_that_week(world):
    monday = future_monday()
    org = await schedule_org(world, "weekly", 0, 8)
    assert await service.build_due_digests(org.id, at(monday, 8, 5)) == 5
    await new_problem(org, "Registered on Monday afternoon", at(monday, 15))
    await move_schedule(org, weekday=2)  # to Wednesday
    wednesday = monday + timedelta(days=2)
    assert await service.build_due_digests(org.id, at(wednesday, 8, 5)) == 0  # same week
    assert await service.build_due_digests(org.id, at(wednesday + timedelta(7), 8, 5)) == 5
    _first, second = await lead_digests(org)
    assert second["period_start"] == at(monday, 8)
    assert "Registered on Monday afternoon" in second["body_text"]


async def test_weekly_day_moved_earlier_in_the_week_loses_and_repeats_nothing(world):
    wednesday = future_monday() + timedelta(days=2)
    org = await schedule_org(world, "weekly", 2, 8)
    await new_problem(org, "Registered on Tuesday", at(wednesday - timedelta(1), 12))
    assert await service.build_due_digests(org.id, at(wednesday, 8, 5)) == 5
    await new_problem(org, "Registered on Thursday", at(wednesday + timedelta(1), 12))
    await move_schedule(org, weekday=0)  # to Monday, on Thursday
    assert await service.build_due_digests(org.id, at(wednesday + timedelta(1), 13)) == 0
    monday = wednesday + timedelta(days=5)
    assert await service.build_due_digests(org.id, at(monday, 8, 5)) == 5
    _first, second = await lead_digests(org)
    assert second["period_start"] == at(wednesday, 8)
    assert "Registered on Thursday" in second["body_text"]
    assert "Registered on Tuesday" not in second["body_text"]


async def test_the_migration_rekeys_old_weekly_digests_by_iso_week(world):
    import importlib.util

    path = "migrations/tracker/tracker_2026_11_30t04_10_00_000000.py"
    spec = importlib.util.spec_from_file_location("weekly_keys_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    org = await schedule_org(world, "weekly", 2, 8)
    lead, member = org.people["lead"], org.people["member"]
    now = datetime.now(UTC)
    for person, key in (
        (lead, "W2026-11-23"),
        (lead, "W2026-11-25"),
        (member, "W2026-11-18"),
        (member, "D2026-11-25"),
        (member, "M2026-11"),
    ):
        await Digest.insert(
            Digest(org=org.id, person=person, period_key=key, period_start=now, period_end=now)
        )
    await migration.weekly_keys_by_iso_week(world.engine)
    keys = sorted(
        (r["person"], r["period_key"])
        for r in await Digest.select(Digest.person, Digest.period_key).where(Digest.org == org.id)
    )
    assert keys == sorted(
        [
            (lead, "W2026-W48"),
            (lead, "W2026-11-25"),
            (member, "W2026-W47"),
            (member, "D2026-11-25"),
            (member, "M2026-11"),
        ]
    )
    # the lead's digest of this week is found made: no second one; the 4 others get theirs
    assert await service.build_due_digests(org.id, datetime(2026, 11, 27, 9, tzinfo=UTC)) == 4
