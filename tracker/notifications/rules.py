"""Pure rules of notifications: the kinds, how each is delivered by default, which choices a
person has, and how a list is grouped by day in the person's time zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    VOTE_REQUESTED = "vote_requested"  # a review asks for your vote
    REVIEW_DECIDED = "review_decided"  # a review you requested is decided
    CONDITION_ASSIGNED = "condition_assigned"  # a condition of a gate is yours
    CONDITION_DUE = "condition_due"  # a condition of yours comes due (the reminders job)
    MENTIONED = "mentioned"  # someone mentioned you (comments)
    COMMENT = "comment"  # a comment on something you own or follow
    APPROVAL_WAITING = "approval_waiting"  # a gate or SOP approval waits at your level
    KPI_BREACH = "kpi_breach"  # a KPI of an initiative you own raised an alert
    INVITATION_ACCEPTED = "invitation_accepted"  # someone accepted an invitation (admins)


class Channel(StrEnum):
    IMMEDIATE = "immediate"  # in the app and by e-mail at once
    DIGEST = "digest"  # in the app and in the next digest
    OFF = "off"  # not at all


KINDS: tuple[Kind, ...] = tuple(Kind)
CHANNELS: tuple[Channel, ...] = tuple(Channel)

# What a person gets before choosing: what needs them now is e-mailed at once; what only
# informs waits for the digest.
DEFAULTS: dict[Kind, Channel] = {
    Kind.VOTE_REQUESTED: Channel.IMMEDIATE,
    Kind.REVIEW_DECIDED: Channel.IMMEDIATE,
    Kind.CONDITION_ASSIGNED: Channel.IMMEDIATE,
    Kind.CONDITION_DUE: Channel.IMMEDIATE,
    Kind.MENTIONED: Channel.IMMEDIATE,
    Kind.COMMENT: Channel.DIGEST,
    Kind.APPROVAL_WAITING: Channel.IMMEDIATE,
    Kind.KPI_BREACH: Channel.IMMEDIATE,
    Kind.INVITATION_ACCEPTED: Channel.DIGEST,
}

PAGE_SIZE = 50  # notifications on one page of the centre


def channel_for(kind: str, chosen: dict[str, str]) -> Channel:
    """The person's choice for ``kind``, else its default (an unknown stored value counts as
    no choice)."""
    value = chosen.get(kind)
    if value in set(CHANNELS):
        return Channel(value)
    return DEFAULTS.get(Kind(kind), Channel.DIGEST) if kind in set(KINDS) else Channel.DIGEST


def parse_choices(values: dict[str, str]) -> tuple[dict[str, Channel], list[str]]:
    """A submitted preferences form (``kind`` → channel): the valid choices, and the kinds
    whose value was not one of the channels."""
    choices: dict[str, Channel] = {}
    bad: list[str] = []
    for kind in KINDS:
        value = values.get(kind)
        if value is None:
            continue
        if value in set(CHANNELS):
            choices[kind] = Channel(value)
        else:
            bad.append(kind)
    return choices, bad


def recipients(people: Iterable[int | None], actor: int | None) -> list[int]:
    """Whom to tell: each person once, never the one who acted, in a stable order."""
    return sorted({p for p in people if p is not None and p != actor})


def comment_recipients(
    owners: Iterable[int], followers: Iterable[int], mentioned: Iterable[int], hidden: Iterable[int]
) -> tuple[list[int], list[int]]:
    """Who hears of a comment: the members named in it (as "mentioned"), then the subject's
    owners and the thread's followers who were not named (as "comment"); never a reviewer
    the comment is kept from until they vote."""
    kept_from = set(hidden)
    named = sorted(set(mentioned) - kept_from)
    others = sorted((set(owners) | set(followers)) - kept_from - set(named))
    return named, others


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def by_day(rows: Iterable[dict[str, Any]], timezone: str | None) -> list[tuple[date, list[dict]]]:
    """Rows (newest first, each with ``created_at``) grouped by their day in ``timezone``,
    days newest first; each row gains ``local_time`` (HH:MM there)."""
    tz = zone(timezone)
    days: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        moment: datetime = row["created_at"]
        local = moment.astimezone(tz)
        days.setdefault(local.date(), []).append({**row, "local_time": f"{local:%H:%M}"})
    return sorted(days.items(), key=lambda item: item[0], reverse=True)


def count_label(unread: int) -> str:
    """The bell's badge: the count, 99+ beyond 99, nothing at 0."""
    if unread <= 0:
        return ""
    return "99+" if unread > 99 else str(unread)
