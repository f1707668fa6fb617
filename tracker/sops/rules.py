"""Pure rules of SOP documents: version numbering, the life cycle, time limits, the diff
between two versions, and the validity of a RACI matrix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"


OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
TIME_UNITS = ("minutes", "hours", "days", "workdays")
RACI_LETTERS = ("R", "A", "C", "I")


def version_label(major: int, minor: int) -> str:
    return f"V{major}.{minor}"


def next_version(major: int, minor: int, kind: str) -> tuple[int, int]:
    """V1.0 → V1.1 for a minor revision, → V2.0 for a major one."""
    if kind == "major":
        return major + 1, 0
    if kind == "minor":
        return major, minor + 1
    raise ValueError(f"unknown revision kind {kind!r}")


def suggest_number(process_code: str, taken: Iterable[str]) -> str:
    """The number offered for a new SOP of an initiative: the initiative's own code while no
    SOP uses it, else the next free one by the rule DEPT-BUSINESS-YEAR-SEQ after the highest
    sequence used with the same DEPT-BUSINESS-YEAR (numbers are unique per organisation)."""
    used = set(taken)
    if process_code not in used:
        return process_code
    prefix, _, tail = process_code.rpartition("-")
    if not prefix or not tail.isdigit():
        return process_code
    width = max(3, len(tail))
    highest = max(
        (
            int(n[len(prefix) + 1 :])
            for n in used
            if n.startswith(f"{prefix}-") and n[len(prefix) + 1 :].isdigit()
        ),
        default=int(tail),
    )
    return f"{prefix}-{highest + 1:0{width}d}"


def may_edit(status: str) -> bool:
    """Only a draft is edited; a version in review, approved or published is fixed."""
    return status == Status.DRAFT


VAGUE_LIMITS = frozenset(
    {
        "asap",
        "as soon as possible",
        "soon",
        "immediately",
        "promptly",
        "尽快",
        "及时",
        "马上",
        "立即",
    }
)


def parse_time_limit(value: str, unit: str) -> tuple[int | None, str | None]:
    """A time limit is a whole number and a unit ("within 2 hours"); vague limits such as
    "ASAP" are refused. Returns (number, problem); both empty means no limit was given."""
    text = value.strip()
    if not text and not unit:
        return None, None
    if text.lower() in VAGUE_LIMITS:
        return None, "A vague limit such as “ASAP” is not a time limit: give a number and a unit."
    if not re.fullmatch(r"\d{1,5}", text) or int(text) == 0:
        return None, "Give the time limit as a whole number greater than zero."
    if unit not in TIME_UNITS:
        return None, "Choose the unit of the time limit."
    return int(text), None


STEP_FIELDS = (
    "name",
    "responsible",
    "instructions",
    "inputs",
    "outputs",
    "time_value",
    "time_unit",
    "control_point",
    "forms_tools",
    "owner",
    "assistant",
    "acceptance",
)
# the diff shows people by name (steps_of joins them), not by id
DIFF_FIELDS = tuple(
    {"owner": "owner_name", "assistant": "assistant_name"}.get(f, f) for f in STEP_FIELDS
)


@dataclass
class StepChange:
    key: str
    number: int  # the step's number in the newer version
    name: str
    fields: list[tuple[str, Any, Any]]  # field, old value, new value


@dataclass
class Diff:
    added: list[Mapping[str, Any]] = field(default_factory=list)
    removed: list[Mapping[str, Any]] = field(default_factory=list)
    changed: list[StepChange] = field(default_factory=list)
    moved: list[tuple[str, int, int]] = field(default_factory=list)  # name, old no., new no.
    header: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved or self.header)


HEADER_FIELDS = ("exception_handling", "contingency_plan", "effective_date")


def diff_versions(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_steps: Sequence[Mapping[str, Any]],
    new_steps: Sequence[Mapping[str, Any]],
) -> Diff:
    """What changed from ``old`` to ``new``: steps are matched by their key (kept when a
    revision copies them), so a renamed step is a change, not a removal and an addition."""
    result = Diff()
    for name in HEADER_FIELDS:
        if old.get(name) != new.get(name):
            result.header.append((name, old.get(name), new.get(name)))
    old_by_key = {s["key"]: (i + 1, s) for i, s in enumerate(old_steps)}
    new_keys = {s["key"] for s in new_steps}
    for number, step in enumerate(new_steps, start=1):
        before = old_by_key.get(step["key"])
        if before is None:
            result.added.append({**step, "number": number})
            continue
        old_number, old_step = before
        changes = [
            (f, old_step.get(f), step.get(f)) for f in DIFF_FIELDS if old_step.get(f) != step.get(f)
        ]
        if changes:
            result.changed.append(StepChange(step["key"], number, step["name"], changes))
        if old_number != number:
            result.moved.append((step["name"], old_number, number))
    for number, step in enumerate(old_steps, start=1):
        if step["key"] not in new_keys:
            result.removed.append({**step, "number": number})
    # a step moves when others are added or removed before it; list only true reorderings
    old_order = [s["key"] for s in old_steps if s["key"] in new_keys]
    new_order = [s["key"] for s in new_steps if s["key"] in old_by_key]
    if old_order == new_order:
        result.moved = []
    return result


def raci_problems(
    steps: Iterable[Mapping[str, Any]], cells: Mapping[tuple[int, int], str]
) -> dict[int, list[str]]:
    """Per step id, what breaks the rule "exactly one A and at least one R per step".
    ``cells`` maps (step id, role id) to a letter."""
    letters: dict[int, list[str]] = {}
    for (step_id, _role), letter in cells.items():
        letters.setdefault(step_id, []).append(letter)
    problems: dict[int, list[str]] = {}
    for step in steps:
        found = letters.get(step["id"], [])
        issues = []
        accountable = found.count("A")
        if accountable == 0:
            issues.append("No one is accountable (A).")
        elif accountable > 1:
            issues.append("More than one role is accountable (A); keep exactly one.")
        if "R" not in found:
            issues.append("No one is responsible (R).")
        if issues:
            problems[step["id"]] = issues
    return problems


def raci_valid(step_count: int, problems: Mapping[int, list[str]]) -> bool:
    return step_count > 0 and not problems
