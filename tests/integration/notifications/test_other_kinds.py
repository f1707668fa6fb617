"""Notifications from the jobs (a condition comes due, a KPI breaches), the SOP approval
chain and an accepted invitation; the e-mail's List-Unsubscribe header."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta

from tests.conftest import make_org
from tests.helpers import make_initiative
from tests.integration.notifications.helpers import choose, mails_for, told
from tests.integration.sops.test_sops import add_steps, fill_raci, make_sop
from tracker.auth import hash_password
from tracker.digests.mailer import deliver_pending
from tracker.digests.reminders import queue_kpi_alerts, queue_reminders
from tracker.digests.tables import EmailMessage
from tracker.gates.tables import Condition, GateDecision, GateReview, GateRule
from tracker.kpis.tables import Kpi, KpiAlert
from tracker.notifications import Kind

_n = itertools.count(1)


async def fresh_org(world):
    return await make_org(f"notify{next(_n)}-{world.backend}", await hash_password("x" * 12))


async def condition_due_soon(org) -> int:
    initiative = await make_initiative(org, phase=4)
    review = (
        await GateReview.insert(
            GateReview(
                org=org.id,
                initiative=initiative,
                gate=3,
                status="decided",
                proposed_decision="go",
                due_date=date.today(),
                rule_snapshot="{}",
            )
        )
    )[0]["id"]
    decision = (
        await GateDecision.insert(
            GateDecision(
                org=org.id,
                review=review,
                initiative=initiative,
                gate=3,
                outcome="go_conditions",
                method="rule",
                from_phase=3,
                to_phase=4,
            )
        )
    )[0]["id"]
    return (
        await Condition.insert(
            Condition(
                org=org.id,
                initiative=initiative,
                decision=decision,
                text="Publish the SOP draft",
                owner=org.people["member"],
                due_date=date.today() + timedelta(days=1),
            )
        )
    )[0]["id"]


async def test_a_condition_coming_due_is_told_once_across_retries_and_two_workers(world):
    org = await fresh_org(world)
    condition = await condition_due_soon(org)
    now = datetime.now(UTC)
    await asyncio.gather(queue_reminders(now), queue_reminders(now))  # two workers
    await queue_reminders(now)  # a retry
    rows = await told(org.people["member"], Kind.CONDITION_DUE, condition)
    assert len(rows) == 1 and rows[0]["url"].endswith("#conditions-h")
    reminders = await EmailMessage.select().where(
        EmailMessage.org == org.id, EmailMessage.kind == "condition_reminder"
    )
    assert len(reminders) == 1  # the job's own e-mail, as before (chosen: at once)


async def test_a_condition_due_follows_the_owners_choice(world):
    org = await fresh_org(world)
    await choose(org.id, org.people["member"], Kind.CONDITION_DUE, "digest")
    condition = await condition_due_soon(org)
    await queue_reminders(datetime.now(UTC))
    assert len(await told(org.people["member"], Kind.CONDITION_DUE, condition)) == 1
    assert not await EmailMessage.exists().where(
        EmailMessage.org == org.id, EmailMessage.kind == "condition_reminder"
    )


async def test_a_kpi_breach_tells_the_owner_once_or_not_at_all(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=6)
    kpi = (
        await Kpi.insert(
            Kpi(org=org.id, initiative=initiative, name="Lead time", target=3.0, threshold=4.0)
        )
    )[0]["id"]
    alert = (
        await KpiAlert.insert(
            KpiAlert(org=org.id, kpi=kpi, measured_on=date.today(), value=5.0, threshold=4.0)
        )
    )[0]["id"]
    now = datetime.now(UTC)
    await asyncio.gather(queue_kpi_alerts(now), queue_kpi_alerts(now))
    await queue_kpi_alerts(now)
    rows = await told(org.people["lead"], Kind.KPI_BREACH, kpi)
    assert len(rows) == 1 and rows[0]["key"] == f"kpi_breach:alert:{alert}"
    assert rows[0]["url"] == f"/o/{org.slug}/kpis/{kpi}"
    # the owner turns KPI alerts off: a new breach is neither in the centre nor mailed
    await choose(org.id, org.people["lead"], Kind.KPI_BREACH, "off")
    await KpiAlert.insert(
        KpiAlert(
            org=org.id,
            kpi=kpi,
            measured_on=date.today() - timedelta(days=1),
            value=6.0,
            threshold=4.0,
        )
    )
    await queue_kpi_alerts(datetime.now(UTC))
    assert len(await told(org.people["lead"], Kind.KPI_BREACH, kpi)) == 1
    mails = await EmailMessage.select().where(
        EmailMessage.org == org.id, EmailMessage.kind == "kpi_alert"
    )
    assert len(mails) == 1


async def test_each_level_of_the_sop_chain_is_told_when_the_version_waits_for_it(world):
    org = world.a
    chain = [
        {"label": "Department head", "person": org.people["committee"]},
        {"label": "Quality director", "person": None},  # any admin
    ]
    await GateRule.update({GateRule.approval_chain: json.dumps(chain)}).where(
        GateRule.org == org.id
    )
    try:
        initiative = await make_initiative(org, phase=3)
        version = await make_sop(world, org, initiative, number=f"SOP-NT-2026-{initiative:03d}")
        async with world.client(org, "lead") as lead:
            await add_steps(lead, org, version, ["Receive", "Check"])
            await fill_raci(lead, org, version)
            assert (await lead.post(f"/o/alpha/sop-versions/{version}/submit")).status_code == 303
        first = await told(org.people["committee"], Kind.APPROVAL_WAITING, version)
        assert len(first) == 1 and first[0]["subject_kind"] == "sop_version"
        assert first[0]["url"] == f"/o/alpha/sop-versions/{version}"
        assert await told(org.people["admin"], Kind.APPROVAL_WAITING, version) == []
        async with world.client(org, "committee") as head:
            approved = await head.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"}
            )
            assert approved.status_code == 303
        second = await told(org.people["admin"], Kind.APPROVAL_WAITING, version)
        assert len(second) == 1 and second[0]["actor"] == org.people["committee"]
    finally:
        await GateRule.update({GateRule.approval_chain: "[]"}).where(GateRule.org == org.id)


async def test_admins_are_told_when_an_invitation_is_accepted(world):
    org = await fresh_org(world)
    email = f"joiner-{world.backend}-{org.id}@example.com"
    async with world.client(org, "admin") as admin:
        page = await admin.post(
            f"/o/{org.slug}/settings/invitations", data={"email": email, "role": "member"}
        )
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', page.text).group(1)
    path = "/" + link.split("/", 3)[3]
    async with world.client() as client:
        joined = await client.post(
            path, data={"name": "Jo Iner", "password": "a long new password"}
        )
        assert joined.status_code == 303
        again = await client.post(path, data={"name": "Jo Iner", "password": "a long new password"})
        assert again.status_code in (403, 404)  # once only
    rows = await told(org.people["admin"], Kind.INVITATION_ACCEPTED)
    assert len(rows) == 1 and rows[0]["title"] == "Jo Iner"
    assert rows[0]["channel"] == "digest" and await mails_for(rows) == []  # default: digest
    assert await told(org.people["lead"], Kind.INVITATION_ACCEPTED) == []


async def test_the_email_carries_list_unsubscribe_to_the_persons_settings(world, mailbox):
    from tracker.notifications import notify

    org = await fresh_org(world)
    await notify(
        org.id,
        kind=Kind.VOTE_REQUESTED,
        recipients=[org.people["committee"]],
        actor_id=org.people["lead"],
        subject_kind="review",
        subject_id=1,
        url=f"/o/{org.slug}/reviews/1",
        key="vote_requested:review:1",
        title="Order handling",
    )
    counts = await deliver_pending()
    assert counts.get("sent:notification", 0) >= 1  # (other tests left theirs pending)
    (_to, message), *_ = [m for m in mailbox.messages if m[0] == [org.emails["committee"]]]
    assert message["Subject"] == "Your vote is asked: Order handling"
    assert re.fullmatch(r"<https?://[^>]+/account/notifications>", message["List-Unsubscribe"])


async def test_digest_only_kinds_appear_in_the_next_digest(world):
    from tracker.digests import service as digests
    from tracker.digests.tables import Digest, DigestSetting
    from tracker.notifications import notify

    org = await fresh_org(world)
    await DigestSetting.insert(DigestSetting(org=org.id, frequency="daily", hour=8))
    await notify(
        org.id,
        kind=Kind.COMMENT,  # the digest by default
        recipients=[org.people["lead"]],
        actor_id=org.people["member"],
        subject_kind="problem",
        subject_id=5,
        url=f"/o/{org.slug}/problems/5",
        key="comment:digest-test",
        title="Orders wait at the hand-off",
    )
    created = datetime.now(UTC)
    # the first 08:00 slot after the notification, built five minutes later (a notification
    # made between 08:00 and 08:05 belongs to the next day's digest, not to that one)
    slot = created.replace(hour=8, minute=0, second=0, microsecond=0)
    if slot <= created:
        slot += timedelta(days=1)
    due = slot + timedelta(minutes=5)
    await digests.build_due_digests(org.id, due)
    digest = (
        await Digest.select()
        .where(Digest.org == org.id, Digest.person == org.people["lead"])
        .first()
    )
    assert digest is not None
    assert "New comment: Orders wait at the hand-off" in digest["body_text"]
    assert f"/o/{org.slug}/problems/5" in digest["body_text"]
    others = await Digest.select().where(
        Digest.org == org.id, Digest.person == org.people["committee"]
    )
    assert all("Orders wait" not in d["body_text"] for d in others)


async def test_reminders_are_queued_in_one_order_whatever_the_rows_order(world):
    """Two workers queue the same reminders at once; each e-mail's key is unique, so the second
    waits at its first insert for the first's commit. In different orders they waited for each
    other: a deadlock (CI, PostgreSQL; each connection's plan of the unordered reads can
    differ). The reads are ordered: an updated row moves to the end of PostgreSQL's heap, and
    the e-mails still go out in the order of the reviews and their reviewers."""
    from tracker.gates.tables import ReviewAssignment

    org = await fresh_org(world)
    reviews = []
    for gate in (1, 2, 3):
        initiative = await make_initiative(org, phase=gate)
        reviews.append(
            (
                await GateReview.insert(
                    GateReview(
                        org=org.id,
                        initiative=initiative,
                        gate=gate,
                        status="open",
                        due_date=date.today() + timedelta(days=1),
                        rule_snapshot="{}",
                    )
                )
            )[0]["id"]
        )
    for review in reviews:
        await ReviewAssignment.insert(
            ReviewAssignment(org=org.id, review=review, reviewer=org.people["committee"]),
            ReviewAssignment(org=org.id, review=review, reviewer=org.people["admin"]),
        )
    first = (await ReviewAssignment.select().where(ReviewAssignment.review == reviews[0]))[0]
    await ReviewAssignment.update({ReviewAssignment.reviewer: first["reviewer"]}).where(
        ReviewAssignment.id == first["id"]
    )  # the first assignment now last in the table's physical order
    await GateReview.update({GateReview.gate: 1}).where(GateReview.id == reviews[0])
    await queue_reminders(datetime.now(UTC))
    queued = (
        await EmailMessage.select(EmailMessage.key)
        .where(EmailMessage.org == org.id, EmailMessage.kind == "review_reminder")
        .order_by(EmailMessage.id)
    )
    keys = [tuple(int(part) for part in row["key"].split(":")[2:4]) for row in queued]
    assert len(keys) == 6 and keys == sorted(keys)  # by review, then reviewer
