"""Pure rules of rollout and training: pass rates against the organisation's pass mark, who
must be retrained, and when the rollout is complete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PASS_MARK = 80
WAVE_STATUSES = ("planned", "in_progress", "done")
TARGET_PASS_RATE = 0.9  # the share of assessed attendees who must pass (gate evidence)


@dataclass(frozen=True)
class PassRate:
    assessed: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.assessed if self.assessed else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)


def passed(score: int | None, pass_mark: int) -> bool:
    return score is not None and score >= pass_mark


def pass_rate(scores: Iterable[int | None], pass_mark: int) -> PassRate:
    """Only assessed attendees count; a missing score is neither a pass nor a failure."""
    assessed = [s for s in scores if s is not None]
    return PassRate(len(assessed), sum(1 for s in assessed if s >= pass_mark))


def to_retrain(results: Iterable[Mapping[str, Any]], pass_mark: int) -> list[Mapping[str, Any]]:
    """Attendees whose latest assessment is below the pass mark (a later pass clears them).
    ``results`` are in date order, each with "attendee" and "score"."""
    latest: dict[str, Mapping[str, Any]] = {}
    for result in results:
        if result["score"] is not None:
            latest[result["attendee"].strip().lower()] = result
    return [r for r in latest.values() if r["score"] < pass_mark]


def rollout_complete(statuses: Iterable[str]) -> bool:
    statuses = list(statuses)
    return bool(statuses) and all(s == "done" for s in statuses)


def pass_mark_problem(value: str) -> str | None:
    if not value.isdigit() or not 1 <= int(value) <= 100:
        return "Use a whole number from 1 to 100."
    return None
