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
    assert period.key == "W2026-W47" and period.end == datetime(2026, 11, 18, 9, tzinfo=UTC)
    assert period.end - period.start == timedelta(days=7)
    exactly = rules.due_period("weekly", 2, 9, "UTC", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert exactly.key == "W2026-W48"


def test_the_key_is_the_day_week_or_month_never_the_hour_or_weekday():
    for hour in (6, 8, 23):
        period = rules.due_period(
            "daily", 0, hour, "UTC", datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
        )
        assert period.key == "D2026-11-29"
    # weekly on Monday or on Sunday of the same ISO week: one key
    monday = rules.due_period("weekly", 0, 8, "UTC", datetime(2026, 11, 30, 9, tzinfo=UTC))
    sunday = rules.due_period("weekly", 6, 8, "UTC", datetime(2026, 12, 6, 9, tzinfo=UTC))
    assert monday.key == sunday.key == "W2026-W49"
    assert rules.period_key("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "W2026-W53"


def test_a_period_continues_from_the_last_digest_of_its_kind():
    at = datetime(2026, 11, 30, 10, tzinfo=UTC)
    period = rules.due_period("daily", 0, 10, "UTC", at)
    assert rules.continue_from(period, None) == period
    # the hour moved from 08:00 to 10:00 after yesterday's was built: nothing is lost
    later = rules.continue_from(period, datetime(2026, 11, 29, 8, tzinfo=UTC))
    assert later.start == datetime(2026, 11, 29, 8, tzinfo=UTC) and later.end == period.end
    # from 10:00 to 08:00 after today's was built at 10:00: nothing is repeated
    earlier = rules.due_period("daily", 0, 8, "UTC", datetime(2026, 11, 30, 8, tzinfo=UTC))
    moved = rules.continue_from(earlier, datetime(2026, 11, 29, 10, tzinfo=UTC))
    assert moved.start == datetime(2026, 11, 29, 10, tzinfo=UTC)
    # a last digest long ago (digests were off) does not make a huge digest
    assert rules.continue_from(period, datetime(2026, 10, 1, tzinfo=UTC)) == period


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
