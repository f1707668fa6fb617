"""Pure rules of accounts and tenancy: roles, permissions, passwords, slugs, log-in throttling."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
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


PASSWORD_MIN = 12  # ASVS 2.1.1
PASSWORD_MAX = 200
PASSWORD_MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable: moderate protection offline"
ESTIMATE_CHARS = 72  # zxcvbn refuses longer input (its time grows with length)

# zxcvbn's weakest match → why we refuse (English source strings, translated where shown)
WEAK_REASONS = {
    "passwords": "This is a common password, or too close to one.",
    "user_inputs": "Do not use your e-mail address or name in your password.",
    "dictionary": "Common words and names on their own are easy to guess.",
    "spatial": "Keyboard patterns such as qwerty are easy to guess.",
    "repeat": "Repeated characters or words such as abcabc are easy to guess.",
    "sequence": "Sequences such as abc or 6543 are easy to guess.",
    "regex": "Years and dates are easy to guess.",
    "date": "Years and dates are easy to guess.",
}
WEAK_FALLBACK = "This password is too easy to guess."
WEAK_ADVICE = "Add another word or two: a few unrelated words make a strong password."


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Message ids (English source strings) for each rule the password breaks: its length,
    and how guessable it is by the zxcvbn estimator (common passwords, words, names, keyboard
    patterns, repeats, sequences, dates, the person's own e-mail address and name). The one
    rule for every place a password is set (sign-up, invitation, change, reset)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append("Use at least 12 characters.")
    if len(password) > PASSWORD_MAX:
        problems.append("Use at most 200 characters.")
    if password and len(set(password)) < 4:
        problems.append("Use more different characters.")
    if email and password.lower() == email.lower():
        problems.append("Do not use your e-mail address as your password.")
    if problems:
        return problems
    reason = guessable_reason(password, [email, email.split("@")[0], *name.split()])
    return [reason, WEAK_ADVICE] if reason else []


def guessable_reason(password: str, user_inputs: list[str]) -> str | None:
    """None when zxcvbn rates the password strong enough, else the reason of its weakest part."""
    from zxcvbn import zxcvbn  # loads its word lists once, on first use

    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[u for u in user_inputs if u])
    if result["score"] >= PASSWORD_MIN_SCORE:
        return None
    for match in result["sequence"]:
        pattern = match["pattern"]
        if pattern == "dictionary":
            listed = match.get("dictionary_name", "")
            if listed in ("passwords", "user_inputs"):
                return WEAK_REASONS[listed]
            return WEAK_REASONS["dictionary"]
        if pattern in WEAK_REASONS:
            return WEAK_REASONS[pattern]
    return WEAK_FALLBACK


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
        *("readyz", "signup", "static", "password", "confirm", "unlock"),
        *("admin", "new", "settings", "docs", "schema", "openapi", "metrics", "health"),
        *("status", "www", "mail", "security", "well-known", "assets", "media", "uploads"),
        "calendar",
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


# Log-in throttling (failures within the window), three counts:
# - one client address, whatever the accounts: spraying one password over many accounts;
# - one account from one address: guessing one person's password;
# - one account from everywhere: a guess spread over many addresses. Past this limit only a
#   browser the owner has logged in with before (or unlocked with the e-mailed link) gets
#   through, so an attacker cannot lock the owner out. Such a browser passes the address limit
#   too.
THROTTLE_WINDOW_SECONDS = 15 * 60
THROTTLE_FREE_FAILURES = 5  # one account from one address
ADDRESS_FREE_FAILURES = 10  # one address, any accounts
ACCOUNT_FREE_FAILURES = 10  # one account, any addresses
THROTTLE_MAX_DELAY_SECONDS = 900


def login_wait_seconds(
    recent_failures: int, seconds_since_last: float, free: int = THROTTLE_FREE_FAILURES
) -> int:
    """How long the next attempt must wait: none for the first few failures, then doubling."""
    if recent_failures < free:
        return 0
    delay = min(2 ** (recent_failures - free + 1) * 15, THROTTLE_MAX_DELAY_SECONDS)
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


class Refusal(StrEnum):
    NONE = ""
    ADDRESS = "address"  # too many failures from this address: wait
    ACCOUNT = "account"  # too many failures on this account from this address: wait
    UNLOCK = "unlock"  # the account is under attack: a known browser, or the e-mailed link


@dataclass(frozen=True)
class Failures:
    count: int = 0
    seconds_since_last: float = 0.0


def login_refusal(
    address: Failures, pair: Failures, account: Failures, known_browser: bool
) -> tuple[Refusal, int]:
    """Whether a log-in attempt is refused before its password is checked, and the wait.

    A browser that logged in to the account before is not held back by the address's or the
    account's failures (a sprayer has no such browser for the accounts it tries; people behind
    one shared address, or a proxy not in TRUSTED_PROXIES, are not locked out together), only
    by its own failures on that account."""
    wait = login_wait_seconds(address.count, address.seconds_since_last, ADDRESS_FREE_FAILURES)
    if wait and not known_browser:
        return Refusal.ADDRESS, wait
    wait = login_wait_seconds(pair.count, pair.seconds_since_last)
    if wait:
        return Refusal.ACCOUNT, wait
    if not known_browser:
        wait = login_wait_seconds(account.count, account.seconds_since_last, ACCOUNT_FREE_FAILURES)
        if wait:
            return Refusal.UNLOCK, wait
    return Refusal.NONE, 0


# Two-factor log-in: an organisation may require it of its admins, or of everyone.
TWO_FACTOR_RULES = ("none", "admins", "everyone")


def must_use_two_factor(role: str, rule: str) -> bool:
    return rule == "everyone" or (rule == "admins" and role == Role.ADMIN)


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(agent: str) -> str:
    """ "Browser on system" from a User-Agent header, for the list of sessions."""
    browser = next((name for mark, name in BROWSERS if mark in agent), "")
    if not browser and "Safari/" in agent:
        browser = "Safari"
    system = next((name for mark, name in SYSTEMS if mark in agent), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (agent[:60] if agent else "?")


# --- mail: when to try a failed message again (account mail and the outboxes) --------

RETRY_MINUTES = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failures; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])
