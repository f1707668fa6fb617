"""Pure rules of a gate review's minutes: who was present, who abstained, who was absent, who
chaired, and when the next gate is. No I/O.

Definitions (they are printed on the minutes too):

- *present*: a reviewer who cast a vote other than "abstain" (a vote holds their scores);
- *abstaining*: a reviewer whose vote is "abstain";
- *absent*: a reviewer assigned to the review who cast no vote (for an open review: not yet).

A person who voted and was later taken off the review (they left the organisation) keeps their
vote, so they count as present or abstaining. Each person is in exactly one of the three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Attendance:
    present: list[str]
    abstaining: list[str]
    absent: list[str]


def attendance(reviewers: Iterable[dict], votes: Iterable[dict]) -> Attendance:
    """``reviewers``: rows with ``reviewer`` and ``reviewer.name``; ``votes``: rows with
    ``reviewer``, ``reviewer.name`` and ``vote``. Names in the order given (by name)."""
    present: list[str] = []
    abstaining: list[str] = []
    voted: set[int] = set()
    for v in votes:
        if v["reviewer"] in voted:
            continue
        voted.add(v["reviewer"])
        (abstaining if v["vote"] == "abstain" else present).append(v["reviewer.name"])
    absent = [r["reviewer.name"] for r in reviewers if r["reviewer"] not in voted]
    return Attendance(sorted(present), sorted(abstaining), absent)


def chair_id(method: str | None, decided_by: int | None, rule_chair: int | None) -> int | None:
    """The chair of the meeting: whoever recorded a chair's decision; otherwise the chair the
    decision rule named when the review was requested (None: the rule named none)."""
    if method == "chair" and decided_by is not None:
        return decided_by
    return rule_chair


def next_gate_date(
    outcome: str | None, explicit: date | None, planned_end_of_next: date | None
) -> date | None:
    """The next gate's date: the one the decision set; else, when the initiative goes on to a
    phase (Go, Go with conditions, Recycle), that phase's planned end. Hold and Stop have none
    unless the decision set one."""
    if explicit is not None:
        return explicit
    if outcome in ("go", "go_conditions", "recycle"):
        return planned_end_of_next
    return None
