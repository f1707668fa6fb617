from tracker.accounts.rules import (
    RESET_PER_ADDRESS,
    RESET_PER_CLIENT,
    RESET_WINDOW_SECONDS,
    last_admin_leaving,
    link_usable,
    reset_wait_seconds,
)
from tracker.organisations.rules import ReviewerFate, reviewer_fate

NOW = 1_000_000.0


def test_reset_requests_are_free_below_both_limits():
    assert reset_wait_seconds([NOW - 10] * (RESET_PER_ADDRESS - 1), [], NOW) == 0
    assert reset_wait_seconds([], [NOW - 10] * (RESET_PER_CLIENT - 1), NOW) == 0


def test_the_address_limit_waits_until_the_oldest_request_leaves_the_window():
    times = [NOW - 600, NOW - 300, NOW - 60]
    assert reset_wait_seconds(times, [], NOW) == RESET_WINDOW_SECONDS - 600


def test_the_client_limit_counts_every_address_from_that_client():
    times = [NOW - 100 - i for i in range(RESET_PER_CLIENT)]
    assert reset_wait_seconds([], times, NOW) == RESET_WINDOW_SECONDS - 100 - (RESET_PER_CLIENT - 1)


def test_the_longer_wait_of_the_two_limits_applies():
    address = [NOW - 3000] * RESET_PER_ADDRESS
    client = [NOW - 10] * RESET_PER_CLIENT
    assert reset_wait_seconds(address, client, NOW) == RESET_WINDOW_SECONDS - 10


def test_a_link_works_once_until_it_expires():
    assert link_usable(NOW + 1, used=False, now=NOW)
    assert not link_usable(NOW + 1, used=True, now=NOW)
    assert not link_usable(NOW, used=False, now=NOW)


def test_the_last_admin_cannot_leave():
    assert last_admin_leaving("admin", 1)
    assert not last_admin_leaving("admin", 2)
    assert not last_admin_leaving("member", 1)


def test_what_happens_to_a_leaving_reviewers_review():
    assert reviewer_fate(voted=True, other_reviewers=0) == ReviewerFate.VOTE_KEPT
    assert reviewer_fate(voted=False, other_reviewers=2) == ReviewerFate.NO_LONGER_AWAITED
    assert reviewer_fate(voted=False, other_reviewers=0) == ReviewerFate.WITHDRAWN
