"""The background jobs: thin functions that call one service each. The same functions run
in the arq worker (with Redis) and on the embedded scheduler (without)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tracker.accounts.mail import deliver_account_mail
from tracker.digests.mailer import deliver_pending
from tracker.digests.reminders import queue_kpi_alerts, queue_reminders
from tracker.digests.service import run_digests

log = logging.getLogger("tracker.jobs")


def _when(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else datetime.now(UTC)


async def digest_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    """Build every digest that has come due (once per person, organisation and period)."""
    created = await run_digests(_when(now))
    if created:
        log.info("built %s digests", created)
    return created


async def reminders_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    return await queue_reminders(_when(now))


async def kpi_alerts_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    """Tell initiative owners about new KPI threshold breaches (once per alert)."""
    return await queue_kpi_alerts(_when(now))


async def deliver(ctx: dict[str, Any], now: str | None = None) -> dict[str, int]:
    """Send what is due in the outbox (retries included), and the account mail."""
    counts = await deliver_pending(_when(now))
    for outcome, n in (await deliver_account_mail(_when(now))).items():
        counts[outcome] = counts.get(outcome, 0) + n
    return counts


async def run_cycle(ctx: dict[str, Any] | None = None) -> None:
    """Everything once, in order: the embedded scheduler's unit of work."""
    ctx = ctx or {}
    await digest_tick(ctx)
    await reminders_tick(ctx)
    await kpi_alerts_tick(ctx)
    await deliver(ctx)
