"""Pure rules of benefits: months, the freeze, re-baseline changes, the derivation and the
period of a roll-up."""

from datetime import date

from tracker.benefits import rules


def test_months_are_read_and_counted():
    assert rules.parse_month("2026-03") == date(2026, 3, 1)
    assert rules.parse_month("2026-3-17") == date(2026, 3, 1)
    assert rules.parse_month("2026-13") is None and rules.parse_month("March") is None
    assert rules.parse_month("1999-01") is None
    assert rules.months(date(2025, 11, 20), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert rules.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


def test_only_a_passing_rollout_gate_freezes():
    assert rules.frozen([(5, "go")]) and rules.frozen([(3, "go"), (5, "go_conditions")])
    assert not rules.frozen([(4, "go"), (5, "recycle"), (5, "hold"), (5, "stop")])


def test_plan_changes_name_the_frozen_fields_only():
    old = {"annual_value": 120000, "currency": "CNY", "start_month": date(2026, 1, 1), "kpi": 1}
    new = {"annual_value": 120000.0, "currency": "USD", "start_month": date(2026, 1, 1), "kpi": 2}
    assert rules.plan_changes(old, new) == {"currency": ("CNY", "USD")}


def test_the_expected_change_goes_the_goals_way():
    assert rules.metric_change_problem(-5, "lower") is None
    assert rules.metric_change_problem(5, "lower") is not None
    assert rules.metric_change_problem(-5, "higher") is not None
    assert rules.metric_change_problem(None, "higher") is None


def test_derived_months_by_hand():
    points = [
        (date(2026, 1, 5), 20.0),
        (date(2026, 1, 20), 24.0),
        (date(2026, 2, 3), 33.0),
        (date(2025, 12, 1), 1.0),  # before the first month
    ]
    derived = rules.derive(points, 30.0, "lower", 100, 0.5, date(2026, 1, 1), date(2026, 2, 28))
    assert [(d.month, d.mean, d.improvement, d.amount) for d in derived] == [
        (date(2026, 1, 1), 22.0, 8.0, 400.0),
        (date(2026, 2, 1), 33.0, -3.0, -150.0),
    ]
    assert rules.derivation_note(derived[0], 30.0, "lower", 100, 0.5) == (
        "(30 − 22) × 100 × 0.5 = 400"
    )
    higher = rules.derive(points[:2], 10.0, "higher", 2, 3, date(2026, 1, 1), date(2026, 1, 31))
    assert higher[0].amount == (22 - 10) * 2 * 3


def test_the_period_never_passes_this_month_nor_36_months():
    today = date(2026, 11, 29)
    assert rules.period_of("", "", today) == (date(2025, 12, 1), date(2026, 11, 1))
    assert rules.period_of("2026-01", "2027-05", today) == (date(2026, 1, 1), date(2026, 11, 1))
    assert rules.period_of("2020-01", "2026-11", today) == (date(2023, 12, 1), date(2026, 11, 1))
    assert rules.period_of("2026-10", "2026-03", today) == (date(2026, 3, 1), date(2026, 3, 1))
