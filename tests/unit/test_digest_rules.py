from datetime import UTC, datetime, timedelta

from tracker.digests import rules
from tracker.digests.rules import Section


def test_daily_period_in_the_organisations_time_zone():
    # 08:00 in Shanghai is 00:00 UTC
    period = rules.due_period(
        "daily", 0, 8, "Asia/Shanghai", datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    )
    assert period.key == "D2026-11-23"
    assert period.end == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert period.start == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    before = rules.due_period(
        "daily", 0, 8, "Asia/Shanghai", datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
    )
    assert before.key == "D2026-11-22"


def test_weekly_period_ends_on_the_chosen_day():
    # 2026-11-23 is a Monday; weekly on Wednesday (2) at 09:00 UTC
    period = rules.due_period("weekly", 2, 9, "UTC", datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert period.key == "W2026-11-18" and period.end == datetime(2026, 11, 18, 9, tzinfo=UTC)
    assert period.end - period.start == timedelta(days=7)
    exactly = rules.due_period("weekly", 2, 9, "UTC", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert exactly.key == "W2026-11-25"


def test_monthly_period_runs_from_the_first_to_the_first():
    period = rules.due_period("monthly", 0, 8, "UTC", datetime(2026, 3, 15, tzinfo=UTC))
    assert period.key == "M2026-03"
    assert (period.start, period.end) == (
        datetime(2026, 2, 1, 8, tzinfo=UTC),
        datetime(2026, 3, 1, 8, tzinfo=UTC),
    )
    january = rules.due_period("monthly", 0, 8, "UTC", datetime(2026, 1, 1, 7, tzinfo=UTC))
    assert january.key == "M2025-12"


def test_daylight_saving_change_keeps_the_local_hour():
    # Berlin switches to summer time on 2026-03-29: 08:00 local is 07:00 UTC before, 06:00 after
    period = rules.due_period("daily", 0, 8, "Europe/Berlin", datetime(2026, 3, 30, 12, tzinfo=UTC))
    assert period.end == datetime(2026, 3, 30, 6, tzinfo=UTC)
    assert period.start == datetime(2026, 3, 29, 6, tzinfo=UTC)
    before = rules.due_period("daily", 0, 8, "Europe/Berlin", datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert before.end == datetime(2026, 3, 28, 7, tzinfo=UTC)


def test_a_person_may_only_lower_the_frequency_or_opt_out():
    assert rules.effective_frequency("weekly", "default") == "weekly"
    assert rules.effective_frequency("weekly", "monthly") == "monthly"
    assert rules.effective_frequency("monthly", "weekly") == "monthly"  # not more often
    assert rules.effective_frequency("daily", "off") is None
    assert rules.allowed_preferences("weekly") == ["default", "monthly", "off"]
    assert rules.allowed_preferences("daily") == ["default", "weekly", "monthly", "off"]


def test_retry_back_off_then_give_up():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [rules.next_attempt(n, now) for n in range(1, rules.MAX_ATTEMPTS + 1)]
    assert [w - now for w in waits[:-1]] == [timedelta(minutes=m) for m in rules.RETRY_MINUTES]
    assert waits[-1] is None


def test_sections_by_role_and_empty_ones_left_out():
    data = {
        "reviews_waiting": [{"due_date": 2, "overdue": False}, {"due_date": 5, "overdue": True}],
        "high_risks": [],
        "portfolio": [{"per_phase": [1] * 6, "decisions": []}],
    }
    member = rules.compose("member", data)
    assert [s.name for s in member] == ["reviews_waiting"]
    assert member[0].items[0]["overdue"]  # overdue first
    lead = rules.compose("lead", data)
    assert [s.name for s in lead] == ["reviews_waiting", "portfolio"]
    assert rules.worth_sending(lead)


def test_a_digest_with_only_the_portfolio_summary_is_not_sent():
    assert not rules.worth_sending([Section("portfolio", [{}])])
    assert not rules.worth_sending([])
