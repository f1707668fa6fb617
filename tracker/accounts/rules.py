"""Pure rules of accounts and tenancy: roles, permissions, passwords, slugs, log-in throttling."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    COMMITTEE = "committee"
    MEMBER = "member"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read"
    MANAGE_ORG = "manage_org"  # members, roles, invitations, settings
    CREATE_INITIATIVE = "create_initiative"
    EDIT_INITIATIVE = "edit_initiative"
    WRITE_REGISTER = "write_register"  # problems, measures, pilots, risks, resistance
    LOG_FEEDBACK = "log_feedback"  # pilot feedback and satisfaction ratings


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.LEAD: frozenset(
        {
            Action.READ,
            Action.CREATE_INITIATIVE,
            Action.EDIT_INITIATIVE,
            Action.WRITE_REGISTER,
            Action.LOG_FEEDBACK,
        }
    ),
    Role.COMMITTEE: frozenset({Action.READ, Action.LOG_FEEDBACK}),
    Role.MEMBER: frozenset({Action.READ, Action.WRITE_REGISTER, Action.LOG_FEEDBACK}),
    Role.VIEWER: frozenset({Action.READ}),
}


def can(role: str, action: Action) -> bool:
    try:
        return action in PERMISSIONS[Role(role)]
    except ValueError:
        return False


PASSWORD_MIN = 10
PASSWORD_MAX = 200


def password_problems(password: str, email: str = "") -> list[str]:
    """Message ids (English source strings) for each rule the password breaks."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append("Use at least 10 characters.")
    if len(password) > PASSWORD_MAX:
        problems.append("Use at most 200 characters.")
    if password and len(set(password)) < 4:
        problems.append("Use more different characters.")
    if email and password.lower() == email.lower():
        problems.append("Do not use your e-mail address as your password.")
    return problems


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(EMAIL_RE.match(email))


SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
# Addresses that name the application's own paths (every top-level path, tested) or could be
# mistaken for them: refused for an organisation, so /o/<address>/ never looks like one.
RESERVED_SLUGS = frozenset(
    {
        *("account", "api", "healthz", "invite", "language", "login", "logout", "o", "orgs"),
        *("readyz", "signup", "static", "password"),
        *("admin", "new", "settings", "docs", "schema", "openapi", "metrics", "health"),
        *("status", "www", "mail", "security", "well-known", "assets", "media", "uploads"),
    }
)


def is_reserved_slug(slug: str) -> bool:
    return slug in RESERVED_SLUGS


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].strip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug)) and not is_reserved_slug(slug)


# Log-in throttling: failures for one address within the window slow further attempts.
THROTTLE_WINDOW_SECONDS = 15 * 60
THROTTLE_FREE_FAILURES = 5
THROTTLE_MAX_DELAY_SECONDS = 900


def login_wait_seconds(recent_failures: int, seconds_since_last: float) -> int:
    """How long the next attempt must wait: none for the first few failures, then doubling."""
    if recent_failures < THROTTLE_FREE_FAILURES:
        return 0
    delay = min(
        2 ** (recent_failures - THROTTLE_FREE_FAILURES + 1) * 15, THROTTLE_MAX_DELAY_SECONDS
    )
    return max(0, int(delay - seconds_since_last))


# Self-service links (password reset, e-mail change) and the reset request's rate limits.
RESET_LINK_SECONDS = 60 * 60
EMAIL_CHANGE_LINK_SECONDS = 24 * 60 * 60
RESET_WINDOW_SECONDS = 60 * 60
RESET_PER_ADDRESS = 3  # requests for one e-mail address per window
RESET_PER_CLIENT = 10  # requests from one client address per window


def reset_wait_seconds(
    recent_for_address: list[float], recent_from_client: list[float], now: float
) -> int:
    """Seconds until another reset request is accepted (0: now). The lists hold the times
    (epoch seconds) of the requests within the window, for the address and from the client."""
    waits = [0.0]
    for times, limit in (
        (recent_for_address, RESET_PER_ADDRESS),
        (recent_from_client, RESET_PER_CLIENT),
    ):
        if len(times) >= limit:
            # the oldest request that must leave the window before one more is allowed
            oldest_counted = sorted(times)[len(times) - limit]
            waits.append(oldest_counted + RESET_WINDOW_SECONDS - now)
    return max(0, int(max(waits) + 0.999))


def link_usable(expires_at: float, used: bool, now: float) -> bool:
    """A single-use link works once, until it expires."""
    return not used and now < expires_at


def last_admin_leaving(role: str, admins: int) -> bool:
    """An organisation keeps at least one admin: its last admin can neither leave nor be
    removed."""
    return role == Role.ADMIN and admins <= 1
