import itertools
from datetime import date, timedelta

import pytest

from tracker.initiatives import rules
from tracker.initiatives.rules import PhaseNo


def test_plan_phases_back_to_back_with_default_lengths():
    plan = rules.plan_phases(date(2026, 1, 5))
    assert [p.number for p in plan] == list(PhaseNo)
    assert plan[0].planned_start == date(2026, 1, 5)
    assert plan[0].planned_end == date(2026, 1, 11)  # one week
    for earlier, later in itertools.pairwise(plan):
        assert later.planned_start == earlier.planned_end + timedelta(days=1)
    assert plan[1].planned_end - plan[1].planned_start == timedelta(days=18)  # 2 weeks + 5 days
    assert plan[3].planned_end - plan[3].planned_start == timedelta(days=20)  # pilot 3 weeks
    assert plan[-1].planned_end is None  # monitoring is long-term
    assert plan[-1].planned_start == plan[-2].planned_end + timedelta(days=1)


def test_plan_phases_with_custom_lengths():
    lengths = dict.fromkeys(PhaseNo, 1)
    plan = rules.plan_phases(date(2026, 3, 1), lengths)
    assert [p.planned_start.day for p in plan] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("planned_end", "actual_end", "today", "overdue"),
    [
        (date(2026, 1, 10), None, date(2026, 1, 10), False),  # the last planned day is on time
        (date(2026, 1, 10), None, date(2026, 1, 11), True),
        (date(2026, 1, 10), date(2026, 1, 12), date(2026, 2, 1), False),  # ended: not overdue
        (None, None, date(2030, 1, 1), False),  # open-ended monitoring
    ],
)
def test_overdue(planned_end, actual_end, today, overdue):
    assert rules.is_overdue(planned_end, actual_end, today) is overdue


def test_days_late_and_in_phase():
    assert rules.days_late(date(2026, 1, 10), None, date(2026, 1, 13)) == 3
    assert rules.days_late(date(2026, 1, 10), date(2026, 1, 12), date(2026, 3, 1)) == 2
    assert rules.days_late(date(2026, 1, 10), None, date(2026, 1, 9)) == 0
    assert rules.days_in_phase(date(2026, 1, 1), date(2026, 1, 8)) == 7
    assert rules.days_in_phase(None, date(2026, 1, 8)) == 0


def test_process_code_numbering_continues_after_the_highest():
    existing = ["SOP-CS-2024-001", "SOP-CS-2024-007", "SOP-CS-2023-099", "SOP-HR-2024-050"]
    assert rules.suggest_process_code("sop", "cs", 2024, existing) == "SOP-CS-2024-008"
    assert rules.suggest_process_code("SOP", "CS", 2025, existing) == "SOP-CS-2025-001"
    assert rules.suggest_process_code("", "", 2024, []) == "GEN-GEN-2024-001"
    assert rules.suggest_process_code("c-s!", "客服x", 2024, []) == "CS-X-2024-001"


def test_process_code_sequence_beyond_999():
    existing = ["OPS-X-2024-999"]
    assert rules.suggest_process_code("OPS", "X", 2024, existing) == "OPS-X-2024-1000"
    assert rules.is_valid_process_code("OPS-X-2024-1000")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("SOP-CS-2024-001", True),
        ("sop-cs-2024-001", False),
        ("SOP-CS-24-001", False),
        ("SOP--2024-001", False),
        ("SOP-CS-2024-01", False),
        ("A" * 11 + "-CS-2024-001", False),
    ],
)
def test_process_code_pattern(code, valid):
    assert rules.is_valid_process_code(code) is valid


def test_goal_direction_rules():
    assert rules.goal_problems(48, 24, "lower") == []
    assert rules.goal_problems(48, 60, "lower")
    assert rules.goal_problems(32, 45, "higher") == []
    assert rules.goal_problems(32, 32, "higher")
    assert rules.goal_problems(None, 5, "lower") == []


def test_goal_change_percent():
    assert rules.goal_change_percent(30, 8) == pytest.approx(-73.33, abs=0.01)
    assert rules.goal_change_percent(0, 8) is None


def test_split_departments_accepts_chinese_separators():
    assert rules.split_departments("客服部，物流部、 IT; IT") == ["客服部", "物流部", "IT"]


def test_timeline_marks_the_current_overdue_phase():
    today = date(2026, 2, 1)
    phases = [
        {
            "number": 1,
            "planned_start": date(2026, 1, 1),
            "planned_end": date(2026, 1, 7),
            "actual_start": date(2026, 1, 1),
            "actual_end": date(2026, 1, 9),
        },
        {
            "number": 2,
            "planned_start": date(2026, 1, 8),
            "planned_end": date(2026, 1, 20),
            "actual_start": date(2026, 1, 10),
            "actual_end": None,
        },
        {
            "number": 3,
            "planned_start": date(2026, 1, 21),
            "planned_end": None,
            "actual_start": None,
            "actual_end": None,
        },
    ]
    bars, first, last = rules.timeline(phases, today, current_number=2)
    assert first == date(2026, 1, 1) and last == today
    assert bars[0].planned_x == 0 and not bars[0].overdue
    assert bars[1].overdue and bars[1].current
    assert bars[2].actual_x is None
    assert all(0 <= b.planned_x <= 100 and b.planned_x + b.planned_w <= 100.01 for b in bars)


def test_goal_due_date_must_lie_ahead_unless_it_is_the_one_kept():
    today = date(2026, 11, 29)
    assert rules.goal_due_problems(None, today) == []
    assert rules.goal_due_problems(today, today) == []
    assert rules.goal_due_problems(today + timedelta(days=30), today) == []
    assert rules.goal_due_problems(today - timedelta(days=1), today)
    past = date(2026, 6, 30)
    assert rules.goal_due_problems(past, today, kept=past) == []
    assert rules.goal_due_problems(past - timedelta(days=1), today, kept=past)
