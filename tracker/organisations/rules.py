"""Pure rules of memberships: what happens to a leaving reviewer's open review."""

from __future__ import annotations

from enum import StrEnum


class ReviewerFate(StrEnum):
    VOTE_KEPT = "vote_kept"  # they voted: the vote is part of the record and counts
    NO_LONGER_AWAITED = "no_longer_awaited"  # the others decide without them
    WITHDRAWN = "withdrawn"  # nobody is left to review: the lead requests it again


def reviewer_fate(voted: bool, other_reviewers: int) -> ReviewerFate:
    if voted:
        return ReviewerFate.VOTE_KEPT
    if other_reviewers > 0:
        return ReviewerFate.NO_LONGER_AWAITED
    return ReviewerFate.WITHDRAWN
