"""Parsing register form fields: scores, numbers, dates, choices, members. Errors go on the
checks (``tracker.values.Checks``, or a ``Form`` while a service still takes one), beside
their field; the parsed value is returned (None when missing or invalid)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from tracker.accounts.tables import Membership
from tracker.i18n import gettext as _
from tracker.values import Fields


def score(form: Fields, name: str, required: bool = True) -> int | None:
    raw = form.get(name)
    if not raw:
        if required:
            form.error(name, _("Score from 1 to 5."))
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 5:
        form.error(name, _("Score from 1 to 5."))
        return None
    return int(raw)


def number(form: Fields, name: str, required: bool = False) -> float | None:
    raw = form.get(name).replace(",", "").replace("，", "")
    if not raw:
        if required:
            form.error(name, _("Enter a number."))
        return None
    try:
        value = float(raw)
    except ValueError:
        form.error(name, _("Enter a number."))
        return None
    if not math.isfinite(value) or abs(value) > 1e12:
        form.error(name, _("Enter a number."))
        return None
    return value


def whole(form: Fields, name: str, low: int = 0, high: int = 100_000) -> int | None:
    raw = form.get(name)
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        form.error(name, _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
        return None
    return int(raw)


def day(form: Fields, name: str, required: bool = False) -> date | None:
    raw = form.get(name)
    if not raw:
        if required:
            form.error(name, _("Enter a date."))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.error(name, _("Enter a date as YYYY-MM-DD."))
        return None


def choice(form: Fields, name: str, allowed: Iterable[str], default: str | None = None) -> str:
    value = form.get(name) or (default or "")
    if value not in set(allowed):
        form.error(name, _("Choose one of the options."))
    return value


async def member(form: Fields, name: str, org_id: int) -> int | None:
    """An optional person of this organisation (an owner field)."""
    raw = form.get(name)
    if not raw:
        return None
    if raw.isdigit() and await Membership.exists().where(
        Membership.org == org_id, Membership.person == int(raw)
    ):
        return int(raw)
    form.error(name, _("Choose a member of this organisation."))
    return None


async def people(org_id: int) -> list[dict]:
    return (
        await Membership.select(Membership.person.id, Membership.person.name)
        .where(Membership.org == org_id)
        .order_by(Membership.person.name)
    )
