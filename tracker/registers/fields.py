"""Parsing register form fields: scores, numbers, dates, choices, members. Errors go on the
form, beside their field; the parsed value is returned (None when missing or invalid).

The ``*_value`` functions check a plain value for a service that takes plain values (see
``problems.forms``): their errors go to an ``Errors`` (the service raises ``errors.Invalid``
with it), the form's functions call them with the form itself."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from tracker.accounts.tables import Membership
from tracker.i18n import gettext as _
from tracker.values import Fields


class ErrorSink(Protocol):
    def error(self, field: str, message: str) -> None: ...


class Errors(dict[str, str]):
    """Field → its first error, as ``errors.Invalid`` takes them."""

    def error(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def text_value(raw: str, errors: ErrorSink, name: str, max_length: int, required: str = "") -> str:
    """A text as written; ``required`` is the message when it is empty."""
    if required and not raw:
        errors.error(name, required)
    if len(raw) > max_length:
        errors.error(name, _("Use at most %(n)s characters.", n=max_length))
    return raw


def score_value(raw: str, errors: ErrorSink, name: str, required: bool = True) -> int | None:
    if not raw:
        if required:
            errors.error(name, _("Score from 1 to 5."))
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 5:
        errors.error(name, _("Score from 1 to 5."))
        return None
    return int(raw)


def score(form: Fields, name: str, required: bool = True) -> int | None:
    return score_value(form.get(name), form, name, required)


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


def choice_value(
    raw: str, errors: ErrorSink, name: str, allowed: Iterable[str], default: str | None = None
) -> str:
    value = raw or (default or "")
    if value not in set(allowed):
        errors.error(name, _("Choose one of the options."))
    return value


def choice(form: Fields, name: str, allowed: Iterable[str], default: str | None = None) -> str:
    return choice_value(form.get(name), form, name, allowed, default)


async def member_value(raw: str, errors: ErrorSink, name: str, org_id: int) -> int | None:
    """An optional person of this organisation (an owner field)."""
    if not raw:
        return None
    if raw.isdigit() and await Membership.exists().where(
        Membership.org == org_id, Membership.person == int(raw)
    ):
        return int(raw)
    errors.error(name, _("Choose a member of this organisation."))
    return None


async def member(form: Fields, name: str, org_id: int) -> int | None:
    return await member_value(form.get(name), form, name, org_id)


async def people(org_id: int) -> list[dict]:
    return (
        await Membership.select(Membership.person.id, Membership.person.name)
        .where(Membership.org == org_id)
        .order_by(Membership.person.name)
    )
