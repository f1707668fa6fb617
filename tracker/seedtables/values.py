"""Reading a seed table's cells back into values: labels in either language back to their keys,
numbers, dates and time limits, each problem reported for its row and column. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from tracker import labels, program_labels
from tracker.i18n import LANGUAGES, language
from tracker.problems import rules as problem_rules

UNKNOWN_KIND = (
    "“%(name)s” is not a kind of problem: use low efficiency, poor quality, poor coordination "
    "or high risk, several joined by commas."
)


class Row:
    """One row being read: its values and the problems found, by column key."""

    def __init__(self, line: int, raw: dict[str, str]) -> None:
        self.line, self.raw = line, raw
        self.errors: list[tuple[str, str]] = []  # column key, message id
        self.names: dict[str, str] = {}  # column key → the %(name)s of its message

    def kinds(self, key: str, kinds: dict[str, str]) -> str:
        """Several problem kinds in one cell (「效率低、协同难」), stored as their keys; the
        first word that is no kind is reported by name."""
        found = []
        for name in problem_rules.kind_names(self.raw.get(key, "")):
            kind = kinds.get(name.lower())
            if kind is None:
                self.errors.append((key, UNKNOWN_KIND))
                self.names.setdefault(key, name)
                continue
            found.append(kind)
        return problem_rules.kinds_text(found)

    def text(self, key: str, limit: int, required: str = "") -> str:
        value = self.raw.get(key, "")
        if required and not value:
            self.errors.append((key, required))
        if len(value) > limit:
            self.errors.append((key, "Use at most %(n)s characters."))
            return value[:limit]
        return value

    def score(self, key: str, default: int | None = None) -> int | None:
        value = self.raw.get(key, "")
        if not value and default is not None:
            return default
        if value.isdigit() and 1 <= int(value) <= 5:
            return int(value)
        self.errors.append((key, "Score from 1 to 5."))
        return default

    def number(self, key: str, required: bool = False) -> float | None:
        value = self.raw.get(key, "").replace(",", "")
        if not value:
            if required:
                self.errors.append((key, "Enter a number."))
            return None
        try:
            return float(value)
        except ValueError:
            self.errors.append((key, "Enter a number."))
            return None

    def day(self, key: str, required: bool = False) -> date | None:
        value = self.raw.get(key, "")
        if not value:
            if required:
                self.errors.append((key, "Enter a date as YYYY-MM-DD."))
            return None
        try:
            return date.fromisoformat(value[:10].replace("/", "-"))
        except ValueError:
            self.errors.append((key, "Enter a date as YYYY-MM-DD."))
            return None

    def choice(self, key: str, choices: dict[str, str], default: str, message: str) -> str:
        value = self.raw.get(key, "")
        if not value:
            return default
        found = choices.get(value.strip().lower())
        if found is None:
            self.errors.append((key, message))
            return default
        return found


def reverse(label: Callable[[str], str], keys: Iterable[str]) -> dict[str, str]:
    """Every label of ``keys`` in every language, and the keys themselves → the key."""
    found: dict[str, str] = {}
    for key in keys:
        found[key.lower()] = key
        for lang in LANGUAGES:
            with language(lang):
                found[label(key).strip().lower()] = key
    return found


PROBLEM_CATEGORIES = ("efficiency", "quality", "coordination", "risk")
PROBLEM_STATUSES = ("open", "analysing", "solved", "deferred")
RISK_CATEGORIES = ("organisation", "communication", "people", "process", "data", "other")
RISK_STATUSES = ("open", "mitigating", "closed")
FREQUENCIES = ("daily", "weekly", "monthly")
TIME_UNITS = ("minutes", "hours", "days", "workdays")


def problem_categories() -> dict[str, str]:
    extra = {"效率问题": "efficiency", "质量问题": "quality", "协同问题": "coordination"}
    return {**reverse(labels.problem_category_label, PROBLEM_CATEGORIES), **extra}


def as_is_kinds() -> dict[str, str]:
    """A problem kind of 表1 by its seed name (效率低…) or English name, by the problem
    category's name (效率问题, Efficiency…) or by its key, in any language → the key."""
    return {
        **problem_categories(),
        **reverse(labels.as_is_kind_label, problem_rules.KINDS),
    }


def problem_statuses() -> dict[str, str]:
    return reverse(labels.problem_status_label, PROBLEM_STATUSES)


def risk_categories() -> dict[str, str]:
    return reverse(labels.risk_category_label, RISK_CATEGORIES)


def risk_statuses() -> dict[str, str]:
    return reverse(labels.risk_status_label, RISK_STATUSES)


def frequencies() -> dict[str, str]:
    return reverse(program_labels.frequency_label, FREQUENCIES)


def time_patterns() -> list[tuple[re.Pattern[str], str]]:
    """A time limit as the exports write it ("within 2 hours", "2小时内"), in any language."""
    patterns = []
    for unit in TIME_UNITS:
        for lang in LANGUAGES:
            with language(lang):
                for n in (1, 2):
                    label = re.sub(r"\s+", "", program_labels.time_limit_label(n, unit))
                    text = re.escape(label).replace(str(n), r"(\d+)", 1)
                    patterns.append((re.compile(f"^{text}$", re.IGNORECASE), unit))
    return patterns


def time_limit(row: Row, key: str, patterns: list[tuple[re.Pattern[str], str]]) -> tuple:
    """(number, unit) of a time limit cell, or (None, "")."""
    value = re.sub(r"\s+", "", row.raw.get(key, ""))  # "2 小时内" and "2小时内" alike
    if not value:
        return None, ""
    for pattern, unit in patterns:
        match = pattern.match(value)
        if match and int(match.group(1)) > 0:
            return int(match.group(1)), unit
    row.errors.append((key, "Give the time limit as a number and a unit, e.g. within 2 hours."))
    return None, ""
