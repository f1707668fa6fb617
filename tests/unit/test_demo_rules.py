"""Pure parts of the demo: one language at a time, gates dated in the past in order."""

from datetime import date, timedelta

from tracker.demo_content import INITIATIVES, T, resolve
from tracker.demo_gates import PLANS, gate_dates


def test_resolve_picks_one_language_everywhere():
    value = {"a": [T("Go", "通过"), (T("x", "甲"), 3)], "b": "plain"}
    assert resolve(value, "en") == {"a": ["Go", ("x", 3)], "b": "plain"}
    assert resolve(value, "zh_Hans") == {"a": ["通过", ("甲", 3)], "b": "plain"}


def test_gates_are_dated_in_order_between_the_start_and_today():
    today = date(2026, 11, 29)
    for item in INITIATIVES:
        code, age = item[1], item[-1]
        start = today - timedelta(days=age)
        plan = [d for d in PLANS.get(code, []) if d != "open"]
        days = gate_dates(start, len(plan), today)
        assert len(days) == len(plan)
        assert days == sorted(days) and len(set(days)) == len(days), code
        assert all(start < d < today for d in days), code


def test_every_initiative_ends_in_the_phase_its_gates_lead_to():
    for item in INITIATIVES:
        code, phase = item[1], item[-3]
        plan = PLANS.get(code, [])
        goes = sum(1 for d in plan if d in ("go", "go_conditions"))
        expected = 3 if "recycle" in plan else min(6, 1 + goes)  # recycled to Design
        assert phase == expected, code
