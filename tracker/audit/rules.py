"""What the audit trail records, and how an entry reads: pure data and functions.

The recording itself is done by database triggers (``tracker.audit.triggers``), generated
from ``AUDITED``: every insert, update and delete of these tables, whoever makes it (a page,
the API, a job, a hand-written query), becomes one ``audit_entry`` row with the changed
fields, old → new.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Columns that are bookkeeping, not content: a change of only these records nothing.
SKIPPED = ("id", "org", "created_at", "updated_at", "version", "revision", "claim")
SECRET_MARK = "secret"  # what a secret column records instead of its values


def is_secret(column: str) -> bool:
    """Password and token hashes, two-factor keys, session ids: "changed", never a value."""
    return (
        column.endswith(("_hash", "_secret"))
        or column in ("link_key", "token", "session", "password")
        or column.startswith("totp_")
    )


@dataclass(frozen=True)
class Audited:
    """A table whose changes are recorded. ``subject`` is the record page an entry belongs to
    (its own, or its parent's: a phase belongs to its initiative); ``via`` reaches the
    subject through one more table (a RACI cell → its role → the SOP version)."""

    table: str
    kind: str
    subject: str
    subject_column: str = "id"
    org_column: str = "org"
    skipped: tuple[str, ...] = ()
    via: tuple[str, str] | None = None  # (table the subject column points into, its column)


AUDITED: tuple[Audited, ...] = (
    Audited(
        "initiative",
        "initiatives",
        "initiative",
        # the card's place on the board follows the current phase (migration 2026-11-30T21:00)
        skipped=("current_phase", "board_phase", "board_due", "board_since"),
    ),
    Audited("phase", "initiatives", "initiative", "initiative"),
    Audited("gate_condition", "initiatives", "initiative", "initiative"),
    Audited("problem", "problems", "problem"),
    Audited("as_is_step", "problems", "problem", "problem"),
    Audited("measure", "problems", "initiative", "initiative"),
    Audited("risk", "risks", "risk"),
    Audited("resistance_entry", "resistance", "initiative", "initiative"),
    Audited("pilot", "pilots", "pilot"),
    Audited("pilot_metric", "pilots", "pilot", "pilot"),
    Audited("satisfaction_rating", "pilots", "pilot", "pilot"),
    Audited("pilot_unmet_problem", "pilots", "pilot", "pilot"),
    Audited("pilot_feedback", "pilots", "pilot", "pilot"),
    Audited("sop_document", "sops", "sop_document"),
    Audited("sop_version", "sops", "sop_version"),
    Audited("sop_step", "sops", "sop_version", "version"),
    Audited("sop_approval", "sops", "sop_version", "version"),
    Audited("raci_role", "sops", "sop_version", "version"),
    Audited("raci_cell", "sops", "sop_version", "role", via=("raci_role", "version")),
    Audited("rollout_wave", "rollout", "initiative", "initiative"),
    Audited("training_session", "rollout", "training_session"),
    Audited("training_result", "rollout", "training_session", "session"),
    Audited("kpi", "kpis", "kpi"),
    Audited("kpi_measurement", "kpis", "kpi", "kpi"),
    Audited("kpi_stage", "kpis", "kpi", "kpi"),
    Audited("optimisation_log", "kpis", "initiative", "initiative"),
    Audited("membership", "members", "membership"),
    Audited("invitation", "members", "invitation"),
    Audited("gate_criterion", "gates", "gate_criterion"),
    Audited("gate_rule", "gates", "gate_rule"),
    Audited("digest_setting", "digests", "digest_setting", skipped=("saved_at",)),
    Audited("digest_preference", "digests", "digest_preference"),
    Audited("api_token", "api_tokens", "api_token", skipped=("last_used_at",)),
    Audited("organisation", "settings", "organisation", org_column="id"),
    Audited("control_chart_setting", "settings", "control_chart_setting"),
)
BY_TABLE = {a.table: a for a in AUDITED}
KINDS: tuple[str, ...] = tuple(dict.fromkeys(a.kind for a in AUDITED))


def tables_of(kind: str) -> tuple[str, ...]:
    return tuple(a.table for a in AUDITED if a.kind == kind)


def skipped(audited: Audited) -> tuple[str, ...]:
    return tuple(dict.fromkeys(SKIPPED + audited.skipped))


# History pages: the URL's kind of record → the subject table (and who may read it).
HISTORY_SUBJECTS = {
    "initiative": "initiative",
    "problem": "problem",
    "risk": "risk",
    "pilot": "pilot",
    "sop-document": "sop_document",
    "sop-version": "sop_version",
    "training-session": "training_session",
    "kpi": "kpi",
}


# --- reading an entry ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any
    secret: bool = False


def changes_of(raw: Any) -> list[Change]:
    """The stored changes (JSON text on SQLite, text or a dict from PostgreSQL), in a stable
    order."""
    data = json.loads(raw) if isinstance(raw, str | bytes) else (raw or {})
    out = []
    for name in sorted(data):
        value = data[name]
        if value == SECRET_MARK:
            out.append(Change(name, None, None, secret=True))
        elif isinstance(value, list) and len(value) == 2:
            out.append(Change(name, value[0], value[1]))
    return out


def plain(value: Any) -> str:
    """A stored value as text (numbers without a needless .0, JSON lists joined)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in "T ":
        return text[:16].replace("T", " ")  # a timestamp: to the minute
    return text


# --- filters and pages -----------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    person: int | None = None  # 0: changes without a person (jobs, API tokens, the database)
    kind: str = ""
    since: date | None = None
    until: date | None = None


def parse_filters(person: str, kind: str, since: str, until: str) -> tuple[Filters, list[str]]:
    """The audit page's filters from its query string; problems name the field."""
    problems: list[str] = []
    person_id: int | None = None
    if person.strip():
        try:
            person_id = int(person)
            if not 0 <= person_id < 2**31:
                raise ValueError
        except ValueError:
            problems.append("person")
    if kind and kind not in KINDS:
        problems.append("kind")
        kind = ""
    dates: list[date | None] = []
    for name, text in (("since", since), ("until", until)):
        try:
            dates.append(date.fromisoformat(text.strip()) if text.strip() else None)
        except ValueError:
            problems.append(name)
            dates.append(None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        problems.append("until")
    return Filters(person_id, kind, dates[0], dates[1]), problems


def encode_cursor(entry_id: int) -> str:
    return base64.urlsafe_b64encode(str(entry_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The id below which the next page starts; None for the first page or a bad cursor."""
    if not cursor or len(cursor) > 20:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return value if 0 < value < 2**31 else None


def day_bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The filter's dates as [start, end) instants (UTC days)."""
    from datetime import UTC, time, timedelta

    since = datetime.combine(filters.since, time(), UTC) if filters.since else None
    until = (
        datetime.combine(filters.until + timedelta(days=1), time(), UTC) if filters.until else None
    )
    return since, until
