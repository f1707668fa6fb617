"""Pure rules of the calendar feeds: the token's form, each event's identity and revision, and
the iCalendar text (RFC 5545, made with the ``icalendar`` library). No I/O.

- UID: ``<kind>-<row id>@<host>`` (``review-12@tracker.example.com``): a calendar that fetches
  the feed again updates the event instead of adding a second one.
- All-day events (``DTSTART;VALUE=DATE`` and the next day as ``DTEND``): every date the tracker
  keeps (a review's due date, a condition's due date, a phase's planned end) is a day, not a
  time, so the event stays on that day in every time zone; the calendar names the reader's time
  zone (``X-WR-TIMEZONE``).
- SEQUENCE counts the recorded changes that can move the event (re-plannings of the
  initiative's conditions; gate decisions, which re-plan its phases); LAST-MODIFIED is the
  latest of them. The feed has no METHOD, so DTSTAMP equals LAST-MODIFIED (RFC 5545 3.8.7.2):
  the same data gives the same bytes, which makes the feed's ETag meaningful.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

PREFIX = "cal_"
SUFFIX = ".ics"
KINDS = ("person", "org")  # what concerns me | the whole organisation (admins)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_from_path(segment: str) -> str | None:
    """The token of a feed address's last segment (``cal_….ics``), or None for anything that
    cannot be one (no query is made for it)."""
    if not segment.endswith(SUFFIX):
        return None
    token = segment[: -len(SUFFIX)]
    if not token.startswith(PREFIX) or not 20 <= len(token) <= 80:
        return None
    if not all(ch.isalnum() or ch in "-_" for ch in token[len(PREFIX) :]):
        return None
    return token


@dataclass(frozen=True)
class EventSpec:
    kind: str  # review | condition | phase
    row_id: int
    day: date
    summary: str
    description: str
    url: str
    modified: datetime
    sequence: int = 0
    categories: tuple[str, ...] = ()


def as_datetime(value: object) -> datetime | None:
    """A timestamp from the database: a datetime, or the text SQLite gives for an aggregate."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def latest(*values: object) -> datetime:
    """The latest of the given timestamps (texts from SQLite aggregates too), in UTC, whole
    seconds; a fixed epoch when none is known."""
    moments = [m for m in (as_datetime(v) for v in values) if m is not None]
    moment = max(moments) if moments else EPOCH
    return moment.astimezone(UTC).replace(microsecond=0)


def uid(spec: EventSpec, host: str) -> str:
    return f"{spec.kind}-{spec.row_id}@{host}"


def to_ics(events: Iterable[EventSpec], name: str, zone: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Improvement tracker//Gate calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for spec in sorted(events, key=lambda e: (e.day, e.kind, e.row_id)):
        event = Event()
        event.add("uid", uid(spec, host))
        event.add("dtstamp", spec.modified)
        event.add("last-modified", spec.modified)
        event.add("sequence", spec.sequence)
        event.add("dtstart", spec.day)
        event.add("dtend", spec.day + timedelta(days=1))
        event.add("summary", spec.summary)
        if spec.description:
            event.add("description", spec.description)
        if spec.url:
            event.add("url", spec.url)
        if spec.categories:
            event.add("categories", list(spec.categories))
        event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
        calendar.add_component(event)
    return bytes(calendar.to_ical())
