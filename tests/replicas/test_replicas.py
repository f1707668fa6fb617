"""Several replicas, as deployed: deploy/ run on this machine (tests/replicas/stack.py) and
driven with a plain HTTP client through HAProxy. Run with ``-s`` to see the figures."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import asyncpg
import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from tests.conftest import (
    PG_URL,
    REDIS_URL,
    Mailbox,
    drop_postgres,
    fresh_postgres,
    need,
    reachable,
    run_cli,
)
from tests.replicas.stack import REPLICAS, Stack, Visitor, compose_command, haproxy_binary

PASSWORD = "a long password for replicas"
STACK_REDIS_URL = os.environ.get(
    "TEST_REPLICAS_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/13"
)  # a database of its own: the worker takes every job of its queue


class KillingMailbox(Mailbox):
    """A real SMTP server (aiosmtpd) that takes a moment per message and, at the ``kill_at``-th
    message, says so (``sending``) and waits for its sender to vanish before answering: a
    message whose sender is gone before the 250 is not taken (as a real mail server)."""

    def __init__(self) -> None:
        super().__init__()
        self.kill_at = 0
        self.arrivals = 0
        self.sending = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrivals += 1
        if self.arrivals == self.kill_at:
            self.sending.set()
            for _ in range(200):
                if server.transport is None or server.transport.is_closing():
                    return "451 4.3.0 the sender went away"
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Deployed:
    stack: Stack
    mailbox: KillingMailbox
    owner: asyncpg.Connection


@pytest.fixture(scope="module")
async def deployed(tmp_path_factory):
    need("PostgreSQL", reachable(PG_URL, 5432))
    need("Redis", reachable(STACK_REDIS_URL, 6379))
    need("HAProxy (Debian's haproxy package; tests/run.sh installs it)", bool(haproxy_binary()))
    name = f"tracker_replicas_stack_{os.getpid()}"
    url = await fresh_postgres(name)
    run_cli(*compose_command("migrate"), database_url=url)  # the migration job, as the owner
    redis = await create_pool(RedisSettings.from_dsn(STACK_REDIS_URL))
    await redis.flushdb()
    mailbox = KillingMailbox()
    mailbox.start()
    stack = Stack(tmp_path_factory.mktemp("replicas"), url, STACK_REDIS_URL, mailbox.port)
    owner = await asyncpg.connect(url)
    try:
        for replica in REPLICAS:
            stack.start_web(replica)
        stack.start_haproxy()
        stack.start_worker()
        yield Deployed(stack, mailbox, owner)
    finally:
        stack.close()
        mailbox.stop()
        await owner.close()
        await drop_postgres(name)
        await redis.flushdb()
        await redis.aclose()


def alternate(served: list[str]) -> bool:
    return all(a != b for a, b in pairwise(served))


def test_session_csrf_and_language_work_across_replicas(deployed):
    ada = Visitor(deployed.stack.base, deployed.stack.database_url)
    ada.sign_up("Ada", "rep-a", PASSWORD)
    board = ada.get("/o/rep-a/")
    assert board.status_code == 200 and "Ada" in board.text
    changed = ada.post("/language", {"language": "zh_Hans", "next": "/o/rep-a/"})
    assert changed.status_code == 303
    for _ in REPLICAS:  # the next two pages: one from each replica, signed in and in Chinese
        page = ada.get("/o/rep-a/")
        assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    # log out and in again: the form from one replica, its answer from the other
    assert ada.post("/logout", {}).status_code == 303
    assert ada.get("/o/rep-a/").status_code == 303  # logged out on every replica
    ada.log_in("ada@rep-a.example.com", PASSWORD)
    for _ in REPLICAS:
        page = ada.get("/o/rep-a/")
        assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    # a form's CSRF token is good on both replicas, a missing one on neither
    for _ in REPLICAS:
        assert ada.post("/language", {"language": "zh_Hans"}).status_code == 303
    for _ in REPLICAS:
        refused = ada.request("POST", "/language", data={"language": "en"})
        assert refused.status_code == 403
    assert set(ada.served) == set(REPLICAS)
    assert alternate(ada.served), ada.served  # round robin, no stickiness
    print(
        f"\n[replicas] session, CSRF, language: {len(ada.served)} requests of one person, "
        f"{dict(Counter(ada.served))}, consecutive requests on different replicas"
    )


def test_the_board_changed_on_one_replica_is_current_on_the_other(deployed):
    lead = Visitor(deployed.stack.base, deployed.stack.database_url)
    lead.sign_up("Lin", "rep-b", PASSWORD)
    lead.create_initiative("rep-b", "Invoice intake")
    for _ in REPLICAS:  # each replica now keeps the board under its revision
        assert "Invoice intake" in lead.get("/o/rep-b/").text
    checks = 0
    for name in ("Supplier onboarding", "Claims triage", "Returns desk", "Payroll close"):
        lead.create_initiative("rep-b", name)
        wrote_on = lead.served[-1]  # the POST's replica (then the redirect's page)
        page = lead.get("/o/rep-b/")
        assert lead.served[-1] != wrote_on
        assert name in page.text, f"the board of {lead.served[-1]} missed {name}"
        checks += 1
    print(f"[replicas] board: {checks} changes through one replica, current on the other at once")


@dataclass
class Load:
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    reads: int = 0
    acknowledged: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    served: Counter[str] = field(default_factory=Counter)


def client(load: Load, number: int, base: str, problems: str) -> None:
    """Read the board, write a problem, read the problems; again until told to stop."""
    visitor = Visitor(base)
    visitor.log_in("ada@rep-c.example.com", PASSWORD)
    sequence = 0
    while not load.stop.is_set():
        sequence += 1
        title = f"load {number}-{sequence}"
        problem = {"title": title, "category": "efficiency", "impact": "4", "urgency": "4"}
        for path, data, expected in (
            ("/o/rep-c/", None, 200),
            (problems, problem, 303),
            (problems, None, 200),
        ):
            try:
                response = visitor.get(path) if data is None else visitor.post(path, data)
                status = response.status_code
            except httpx.HTTPError as error:
                status = 0
                visitor.served.append(f"error {type(error).__name__}")
            with load.lock:
                load.served[visitor.served[-1]] += 1
                if status != expected:
                    load.failures.append(f"{path} -> {status} ({visitor.served[-1]})")
                if data is None:
                    load.reads += status == expected
                elif status == expected:
                    load.acknowledged.append(title)
                else:
                    load.unacknowledged.append(title)
        time.sleep(0.02)


async def test_a_rolling_restart_under_load_loses_no_write_and_fails_no_request(deployed):
    stack = deployed.stack
    ada = Visitor(stack.base, stack.database_url)
    ada.sign_up("Ada", "rep-c", PASSWORD)
    problems = ada.create_initiative("rep-c", "Order to cash") + "/problems"
    before = stack.servers()
    load = Load()
    threads = [
        threading.Thread(target=client, args=(load, n, stack.base, problems)) for n in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    exits, in_flight = {}, {}
    try:
        time.sleep(3)
        for replica in REPLICAS:  # stop one, start it, then the other
            in_flight[replica] = stack.drain(replica)
            exits[replica] = stack.stop_web(replica)  # at once: what it answers, it finishes
            time.sleep(1)  # the other replica alone
            stack.start_web(replica)
            stack.restore(replica)
            time.sleep(2)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    seconds = time.monotonic() - started
    after = stack.servers()
    found = {
        row["title"]
        for row in await deployed.owner.fetch("SELECT title FROM problem WHERE title LIKE 'load %'")
    }
    lost = sorted(set(load.acknowledged) - found)

    def delta(name: str, column: str) -> int:
        return int(after[name][column] or 0) - int(before[name][column] or 0)

    print(
        f"[replicas] rolling restart under load: {seconds:.0f} s, 4 clients, "
        f"{load.reads + len(load.acknowledged) + len(load.unacknowledged)} requests through "
        f"HAProxy ({load.reads} reads answered), writes acknowledged {len(load.acknowledged)}, "
        f"found in the database {len(set(load.acknowledged) & found)}, lost {len(lost)}, "
        f"unacknowledged {len(load.unacknowledged)}, failures {len(load.failures)}"
    )
    print(f"[replicas] served by (X-Served-By): {dict(load.served)}")
    print(
        "[replicas] HAProxy per replica: "
        + ", ".join(
            f"{name}: {delta(name, 'stot')} requests, {delta(name, 'wretr')} retries, "
            f"{delta(name, 'wredis')} redispatched, {delta(name, 'eresp')} response errors"
            for name in REPLICAS
        )
        + f"; in flight when each was stopped: {in_flight}; exit codes {exits} (SIGTERM)"
    )
    assert load.failures == [], load.failures[:10]
    assert lost == []
    assert len(load.acknowledged) > 20
    assert all(load.served[name] > 10 for name in REPLICAS)
    assert stack.starts["web1"] == stack.starts["web2"] == 2


async def test_a_worker_killed_mid_delivery_sends_each_digest_once(deployed):
    stack, owner, mailbox = deployed.stack, deployed.owner, deployed.mailbox
    admin = Visitor(stack.base, stack.database_url)
    admin.sign_up("Dee", "rep-d", PASSWORD)
    # the sign-up's confirmation mail (account mail, confirmed above) is not what this counts
    await deployed.owner.execute("DELETE FROM account_mail")
    problems = admin.create_initiative("rep-d", "Month-end close") + "/problems"
    for title in ("Late journals", "Manual reconciliations"):
        made = admin.post(
            problems, {"title": title, "category": "efficiency", "impact": "5", "urgency": "5"}
        )
        assert made.status_code == 303
    org = await owner.fetchval("SELECT id FROM organisation WHERE slug = 'rep-d'")
    for n in range(12):  # more members, each with the do-first problems in their digest
        person = await owner.fetchval(
            "INSERT INTO person (email, name, password_hash, created_at) "
            "VALUES ($1, $2, 'x', now()) RETURNING id",
            f"member{n}@rep-d.example.com",
            f"Member {n}",
        )
        await owner.execute(
            "INSERT INTO membership (org, person, role, created_at) VALUES ($1, $2, 'member', now())",
            org,
            person,
        )
    await owner.execute(
        "INSERT INTO digest_setting (org, frequency, weekday, hour) VALUES ($1, 'daily', 0, 0) "
        "ON CONFLICT (org) DO UPDATE SET frequency = 'daily', hour = 0",
        org,
    )
    redis = await create_pool(RedisSettings.from_dsn(STACK_REDIS_URL))
    try:
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        built = await (await redis.enqueue_job("digest_tick", tomorrow)).result(timeout=120)
        outbox = {
            row["id"]
            for row in await owner.fetch("SELECT id FROM email_message WHERE kind = 'digest'")
        }
        assert (
            len(outbox) >= 13
            and await owner.fetchval("SELECT count(*) FROM email_message WHERE status <> 'pending'")
            == 0
        )
        # count from here: the earlier tests' sign-ups had confirmation mails of their own
        await owner.execute("DELETE FROM account_mail")
        mailbox.messages.clear()
        mailbox.arrivals = 0
        mailbox.kill_at = 5
        await redis.enqueue_job("deliver", _job_id="deliver-before-the-kill")
        assert await asyncio.to_thread(mailbox.sending.wait, 60), "no delivery started"
        stack.kill_worker()  # SIGKILL while the worker waits for the server's answer
        sent_before = await owner.fetchval(
            "SELECT count(*) FROM email_message WHERE status = 'sent'"
        )
        received_before = len(mailbox.messages)
        assert sent_before == received_before == 4
        assert (
            await owner.fetchval("SELECT count(*) FROM email_message WHERE status = 'sending'") == 0
        )
        stack.start_worker()
        await redis.enqueue_job("deliver", _job_id="deliver-after-the-restart")
        deadline = time.monotonic() + 90
        while len(mailbox.messages) < len(outbox) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # anything sent twice would arrive by now
    finally:
        await redis.aclose()
    received = Counter(
        int(m["Message-ID"].split(".")[2].split("@")[0]) for _, m in mailbox.messages
    )
    twice = sorted(i for i, n in received.items() if n > 1)
    lost = sorted(outbox - set(received))
    statuses = Counter(
        row["status"]
        for row in await owner.fetch("SELECT status FROM email_message WHERE kind = 'digest'")
    )
    print(
        f"[replicas] worker SIGKILLed mid-delivery: {built} digests built, {len(outbox)} to send, "
        f"{received_before} sent before the kill, {len(mailbox.messages)} received in all, "
        f"sent twice {len(twice)}, lost {len(lost)}; outbox {dict(statuses)}"
    )
    assert twice == [] and lost == []
    assert set(received) == outbox and statuses == {"sent": len(outbox)}
