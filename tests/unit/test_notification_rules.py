"""Pure rules of notifications, and the in-process broker of live events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tracker import live
from tracker.live.broker import Event
from tracker.notifications import rules
from tracker.notifications.rules import Channel, Kind


def test_defaults_email_what_needs_the_person_and_digest_the_rest():
    assert rules.channel_for(Kind.VOTE_REQUESTED, {}) == Channel.IMMEDIATE
    assert rules.channel_for(Kind.COMMENT, {}) == Channel.DIGEST
    assert rules.channel_for(Kind.INVITATION_ACCEPTED, {}) == Channel.DIGEST
    assert rules.channel_for(Kind.VOTE_REQUESTED, {"vote_requested": "off"}) == Channel.OFF
    assert rules.channel_for(Kind.VOTE_REQUESTED, {"vote_requested": "loud"}) == Channel.IMMEDIATE
    assert set(rules.DEFAULTS) == set(Kind)


def test_choices_keep_the_valid_and_name_the_bad():
    chosen, bad = rules.parse_choices({"comment": "off", "mentioned": "sometimes", "x": "off"})
    assert chosen == {"comment": Channel.OFF} and bad == ["mentioned"]


def test_recipients_once_each_never_the_actor():
    assert rules.recipients([3, 1, 3, None, 2], actor=2) == [1, 3]
    assert rules.recipients([2], actor=2) == []


def test_days_are_the_persons_days():
    late = {"id": 1, "created_at": datetime(2026, 11, 29, 17, 30, tzinfo=UTC)}
    early = {"id": 2, "created_at": datetime(2026, 11, 29, 15, 0, tzinfo=UTC)}
    shanghai = rules.by_day([late, early], "Asia/Shanghai")
    assert [(d.isoformat(), [r["local_time"] for r in rows]) for d, rows in shanghai] == [
        ("2026-11-30", ["01:30"]),
        ("2026-11-29", ["23:00"]),
    ]
    assert len(rules.by_day([late, early], "Not/AZone")) == 1  # UTC: one day


def test_the_badge_says_99_plus_beyond_99():
    assert [rules.count_label(n) for n in (0, 7, 99, 100)] == ["", "7", "99", "99+"]


async def test_the_memory_broker_reaches_only_the_channels_subscribed():
    broker = live.MemoryBroker()
    mine = await broker.join([live.person_channel(1, 5), live.review_channel(1, 9)])
    other = await broker.join([live.person_channel(2, 5)])
    await broker.publish(Event(live.review_channel(1, 9), "review", "9"))
    assert (await asyncio.wait_for(mine.queue.get(), 1)).data == "9"
    assert other.queue.empty()
    await broker.leave(mine)
    await broker.leave(mine)  # twice is harmless
    assert broker.open_streams() == 1
    broker.close_all()
    assert await other.queue.get() is None  # the stream ends


async def test_events_wait_for_the_end_of_the_work_that_made_them():
    received: list[str] = []
    sub = await live.broker().join(["org:1:person:1"])
    async with live.collecting():
        live.after_commit("org:1:person:1", "notifications", "new")
        live.after_commit("org:1:person:1", "notifications", "new")  # the same: once
        await asyncio.sleep(0)
        assert sub.queue.empty()  # not before the work is done
    while not sub.queue.empty():
        received.append((await sub.queue.get()).data)
    await live.broker().leave(sub)
    assert received == ["new"]
