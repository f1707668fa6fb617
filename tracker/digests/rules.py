"""Pure rules of digests: periods in the organisation's time zone, which frequency a person
gets, retry back-off, and which sections a digest shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# the back-off of every outbox (account mail and the organisations'): kept with the accounts
from tracker.accounts.rules import MAX_ATTEMPTS as MAX_ATTEMPTS
from tracker.accounts.rules import RETRY_MINUTES as RETRY_MINUTES
from tracker.accounts.rules import next_attempt as next_attempt

FREQUENCIES = ("daily", "weekly", "monthly")
RANK = {"daily": 0, "weekly": 1, "monthly": 2}
PREFERENCES = ("default", "weekly", "monthly", "off")


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime  # UTC
    end: datetime  # UTC (the send time)


def effective_frequency(org_frequency: str, preference: str) -> str | None:
    """The person's frequency: the organisation's, or a lower one they chose; None when off."""
    if preference == "off":
        return None
    if preference in RANK and RANK[preference] > RANK[org_frequency]:
        return preference
    return org_frequency


def allowed_preferences(org_frequency: str) -> list[str]:
    return ["default", *[f for f in ("weekly", "monthly") if RANK[f] > RANK[org_frequency]], "off"]


def _send_times(
    frequency: str, weekday: int, hour: int, tz: ZoneInfo, now: datetime
) -> tuple[datetime, datetime]:
    """The latest send time at or before ``now`` and the one before it, in local time."""
    local = now.astimezone(tz)
    if frequency == "daily":
        latest = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        if latest > local:
            latest -= timedelta(days=1)
        previous = latest - timedelta(days=1)
    elif frequency == "weekly":
        latest = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        latest -= timedelta(days=(latest.weekday() - weekday) % 7)
        if latest > local:
            latest -= timedelta(days=7)
        previous = latest - timedelta(days=7)
    elif frequency == "monthly":
        latest = local.replace(day=1, hour=hour, minute=0, second=0, microsecond=0)
        if latest > local:
            latest = (latest - timedelta(days=1)).replace(day=1)
        previous = (latest - timedelta(days=1)).replace(day=1)
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    # re-attach the zone so daylight-saving changes land on the right UTC instant
    return (
        latest.replace(tzinfo=None).replace(tzinfo=tz),
        previous.replace(tzinfo=None).replace(tzinfo=tz),
    )


def period_key(frequency: str, send_time: datetime) -> str:
    """What makes a digest unique, from its local send time: the day of a daily digest
    (D2026-11-29), the ISO week of a weekly one (W2026-W48), the month of a monthly one
    (M2026-11). Never the hour or the weekday, which an admin may change: a schedule change
    then finds the digest already made for this day, week or month and sends no second one."""
    if frequency == "daily":
        return f"D{send_time:%Y-%m-%d}"
    if frequency == "weekly":
        year, week, _ = send_time.isocalendar()
        return f"W{year}-W{week:02d}"
    return f"M{send_time:%Y-%m}"


def due_period(frequency: str, weekday: int, hour: int, timezone: str, now: datetime) -> Period:
    """The most recent completed period: the digest for it is due (once) from its end on."""
    tz = ZoneInfo(timezone)
    latest, previous = _send_times(frequency, weekday, hour, tz, now)
    return Period(period_key(frequency, latest), previous.astimezone(UTC), latest.astimezone(UTC))


def continue_from(period: Period, last_end: datetime | None) -> Period:
    """The period starts where the last digest of its kind ended, so that a change of the
    hour, the weekday or the time zone loses nothing between two digests and repeats
    nothing: moved later, the next digest also covers the hours since the last one; moved
    earlier, it starts after the last one. A last digest older than one more period (or
    none) leaves the schedule's start."""
    if last_end is None or not period.start - (period.end - period.start) <= last_end:
        return period
    if last_end >= period.end:
        return period
    return Period(period.key, last_end, period.end)


def current_period(frequency: str, weekday: int, hour: int, timezone: str, now: datetime) -> Period:
    """The period running now (for the preview: what the next digest would say so far)."""
    done = due_period(frequency, weekday, hour, timezone, now)
    return Period("preview", done.end, now.astimezone(UTC))


# --- sections ---------------------------------------------------------------------------

SECTIONS = (
    "reviews_waiting",
    "phases_overdue",
    "conditions_due",
    "do_first_problems",
    "high_risks",
    "pilot_results",
    "kpi_breaches",
    "notifications",
    "portfolio",
    "benefits",
)
PORTFOLIO_ROLES = ("admin", "lead")
BENEFIT_ROLES = ("admin", "committee")  # the benefits roll-up: planned vs realised


@dataclass
class Section:
    name: str
    items: list[dict[str, Any]] = field(default_factory=list)


def compose(role: str, data: dict[str, list[dict[str, Any]]]) -> list[Section]:
    """The sections a person sees, in order; empty sections are left out. The portfolio
    summary goes to admins and program leads only, the benefits roll-up to admins and the
    committee."""
    sections = []
    for name in SECTIONS:
        if name == "portfolio" and role not in PORTFOLIO_ROLES:
            continue
        if name == "benefits" and role not in BENEFIT_ROLES:
            continue
        items = data.get(name) or []
        if name == "reviews_waiting":
            items = sorted(items, key=lambda r: (not r.get("overdue"), r.get("due_date")))
        if items:
            sections.append(Section(name, items))
    return sections


def worth_sending(sections: list[Section]) -> bool:
    """A digest with nothing in it is not sent (the portfolio summary and the benefits
    roll-up alone are not news)."""
    return any(s.name not in ("portfolio", "benefits") for s in sections)
