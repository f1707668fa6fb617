"""The background jobs: thin functions that call one service each. The same functions run
in the arq worker (with Redis) and on the embedded scheduler (without)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tracker.accounts.mail import deliver_account_mail
from tracker.accounts.recovery import process_requests
from tracker.digests.mailer import deliver_pending
from tracker.digests.reminders import queue_kpi_alerts, queue_reminders
from tracker.digests.service import run_digests

log = logging.getLogger("tracker.jobs")


def _when(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else datetime.now(UTC)


async def digest_tick(
    ctx: dict[str, Any], now: str | None = None, tally: Counter[str] | None = None
) -> int:
    """Build every digest that has come due (once per person, organisation and period)."""
    created = await run_digests(_when(now), tally)
    if created:
        log.info("built %s digests", created)
    return created


async def reminders_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    return await queue_reminders(_when(now))


async def kpi_alerts_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    """Tell initiative owners about new KPI threshold breaches (once per alert)."""
    return await queue_kpi_alerts(_when(now))


async def sustainment_tick(ctx: dict[str, Any], now: str | None = None) -> int:
    """Check KPIs 30/90/180 days after their rollout gate (once per KPI and day count)."""
    from tracker.kpis.sustainment import run_checks

    return await run_checks(_when(now).date())


async def deliver(ctx: dict[str, Any], now: str | None = None) -> dict[str, int]:
    """Mail the links of new password-reset requests, then send what is due in the outbox
    (retries included) and the account mail."""
    links = await process_requests(_when(now))
    if links:
        log.info("queued %s password-reset links", links)
    counts = await deliver_pending(_when(now))
    for outcome, n in (await deliver_account_mail(_when(now))).items():
        counts[outcome] = counts.get(outcome, 0) + n
    return counts


@dataclass
class CycleReport:
    """What one run of every job did (``tracker run-jobs`` prints it)."""

    digests: Counter[str] = field(default_factory=Counter)  # "mailed" | "empty"
    reminders: int = 0
    kpi_alerts: int = 0
    sustainment: int = 0  # sustainment checks made
    mail: dict[str, int] = field(default_factory=dict)  # deliver_pending's counts

    def lines(self) -> list[str]:
        built = sum(self.digests.values())
        mail = self.mail
        by_kind = sorted((k.split(":", 1)[1], n) for k, n in mail.items() if k.startswith("sent:"))
        kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in by_kind)
        return [
            f"Digests built: {built} ({self.digests['mailed']} queued for mail, "
            f"{self.digests['empty']} with nothing new, kept in the app only)",
            f"Reminders queued: {self.reminders}",
            f"Sustainment checks made: {self.sustainment}",
            f"KPI alert e-mails queued: {self.kpi_alerts}",
            f"Mail sent: {mail.get('sent', 0)}" + (f" ({kinds})" if kinds else ""),
            f"Mail held (no SMTP_HOST): {mail.get('held', 0)}; to retry: {mail.get('retry', 0)}; "
            f"failed: {mail.get('failed', 0)}; cancelled (recipient left): "
            f"{mail.get('cancelled', 0)}",
        ]


async def run_cycle(ctx: dict[str, Any] | None = None) -> CycleReport:
    """Everything once, in order: the embedded scheduler's unit of work."""
    ctx = ctx or {}
    report = CycleReport()
    await digest_tick(ctx, tally=report.digests)
    report.reminders = await reminders_tick(ctx)
    report.sustainment = await sustainment_tick(ctx)
    report.kpi_alerts = await kpi_alerts_tick(ctx)
    report.mail = await deliver(ctx)
    return report
