"""Pure rules of issue 5: SOP version numbering and time limits, the diff, RACI validity,
KPI breaches in both directions and the trend chart, pass rates, and gate evidence."""

from datetime import date

import pytest

from tracker.gates.evidence import judge
from tracker.kpis import rules as kpi
from tracker.rollout import rules as rollout
from tracker.sops import rules as sop


@pytest.mark.parametrize(
    ("major", "minor", "kind", "expected"),
    [
        (1, 0, "minor", (1, 1)),
        (1, 1, "minor", (1, 2)),
        (1, 1, "major", (2, 0)),
        (2, 3, "major", (3, 0)),
    ],
)
def test_version_numbering(major, minor, kind, expected):
    assert sop.next_version(major, minor, kind) == expected
    assert sop.version_label(*expected) == f"V{expected[0]}.{expected[1]}"


def test_unknown_revision_kind_is_refused():
    with pytest.raises(ValueError):
        sop.next_version(1, 0, "patch")


@pytest.mark.parametrize(
    ("value", "unit", "number", "refused"),
    [
        ("2", "hours", 2, False),
        ("", "", None, False),
        ("ASAP", "hours", None, True),
        ("尽快", "", None, True),
        ("As soon as possible", "days", None, True),
        ("2", "", None, True),
        ("0", "days", None, True),
        ("1.5", "hours", None, True),
        ("3", "fortnights", None, True),
    ],
)
def test_time_limits_need_a_number_and_a_unit(value, unit, number, refused):
    parsed, problem = sop.parse_time_limit(value, unit)
    assert parsed == number
    assert (problem is not None) == refused


def step(key, name, **values):
    return {
        "key": key,
        "name": name,
        "responsible": "CS",
        "time_value": 2,
        "time_unit": "hours",
        **values,
    }


def test_diff_matches_steps_by_key_so_a_rename_is_a_change():
    old = [step("a", "Receive"), step("b", "Check"), step("c", "Ship")]
    new = [step("a", "Receive order"), step("c", "Ship", time_value=1), step("d", "Invoice")]
    result = sop.diff_versions({}, {}, old, new)
    assert [s["name"] for s in result.added] == ["Invoice"]
    assert [s["name"] for s in result.removed] == ["Check"]
    changed = {c.name: c.fields for c in result.changed}
    assert changed == {
        "Receive order": [("name", "Receive", "Receive order")],
        "Ship": [("time_value", 2, 1)],
    }
    assert result.moved == []  # "Ship" only moved up because "Check" was removed


def test_diff_reports_reordering_and_header_changes():
    old = [step("a", "A"), step("b", "B")]
    new = [step("b", "B"), step("a", "A")]
    result = sop.diff_versions({"contingency_plan": "x"}, {"contingency_plan": "y"}, old, new)
    assert result.moved == [("B", 2, 1), ("A", 1, 2)]
    assert result.header == [("contingency_plan", "x", "y")]
    assert sop.diff_versions({}, {}, old, old).empty


def test_raci_needs_exactly_one_a_and_at_least_one_r():
    steps = [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]
    cells = {
        (1, 10): "A",
        (1, 11): "R",
        (2, 10): "A",
        (2, 11): "A",
        (2, 12): "R",
        (3, 10): "R",
        (4, 11): "A",
        (4, 12): "C",
    }
    problems = sop.raci_problems(steps, cells)
    assert 1 not in problems
    assert problems[2] == ["More than one role is accountable (A); keep exactly one."]
    assert problems[3] == ["No one is accountable (A)."]
    assert problems[4] == ["No one is responsible (R)."]
    assert not sop.raci_valid(4, problems)
    assert sop.raci_valid(1, sop.raci_problems(steps[:1], cells))
    assert not sop.raci_valid(0, {})


@pytest.mark.parametrize(
    ("direction", "threshold", "value", "breach"),
    [
        ("lower", 3.0, 3.5, True),
        ("lower", 3.0, 3.0, False),
        ("lower", 3.0, 2.8, False),
        ("higher", 95.0, 94.9, True),
        ("higher", 95.0, 95.0, False),
        ("higher", 95.0, 96.0, False),
    ],
)
def test_breach_detection_in_both_directions(direction, threshold, value, breach):
    assert kpi.breached(direction, threshold, value) is breach


def test_threshold_must_lie_on_the_bad_side_of_the_target():
    assert kpi.threshold_problem("lower", 3, 3.5) is None
    assert kpi.threshold_problem("lower", 3, 2) is not None
    assert kpi.threshold_problem("higher", 95, 90) is None
    assert kpi.threshold_problem("higher", 95, 97) is not None


def test_trend_chart_places_points_and_lines_inside_the_plot():
    data = [(date(2026, 1, d), v) for d, v in ((1, 2.0), (8, 4.0), (15, 3.0))]
    chart = kpi.trend_chart(data, target=3.0, threshold=3.5, direction="lower")
    xs = [p[0] for p in chart.points]
    assert xs == sorted(xs) and xs[0] == kpi.LEFT and xs[-1] == chart.width - kpi.RIGHT
    assert [p[4] for p in chart.points] == [False, True, False]
    highest = min(p[1] for p in chart.points)  # SVG y grows downwards
    assert chart.points[1][1] == highest
    assert chart.points[1][1] < chart.threshold_y < chart.target_y
    assert chart.path.startswith("M56.0,") and chart.path.count("L") == 2
    assert kpi.trend_chart([], 1, 2, "lower").points == []


def test_pass_rates_and_retraining():
    assert rollout.pass_rate([95, 80, 79, None], 80) == rollout.PassRate(assessed=3, passed=2)
    assert rollout.pass_rate([95, 80, 79], 80).percent == 66.7
    assert rollout.pass_rate([], 80).rate is None
    results = [
        {"attendee": "Wang", "score": 70},
        {"attendee": "Li", "score": 60},
        {"attendee": "wang ", "score": 85},  # retrained and passed later
        {"attendee": "Zhao", "score": None},
    ]
    assert [r["attendee"] for r in rollout.to_retrain(results, 80)] == ["Li"]
    assert rollout.rollout_complete(["done", "done"])
    assert not rollout.rollout_complete(["done", "in_progress"])
    assert not rollout.rollout_complete([])


def test_gate_evidence_judgements():
    assert judge("rollout_done", {"waves": 2, "done": 2}).met
    assert not judge("rollout_done", {"waves": 0, "done": 0}).met
    assert not judge("raci_valid", {"steps": 3, "raci_problems": 1}).met
    low = judge("training_pass", {"rate": rollout.PassRate(10, 8), "mark": 80})
    assert not low.met and "80.0" in low.text
    assert judge("training_pass", {"rate": rollout.PassRate(10, 9), "mark": 80}).met
    published = judge("sop_published", {"published": {"label": "V1.1", "date": "2026-12-01"}})
    assert published.met and published.text == "V1.1 published, effective 2026-12-01."
    assert not judge(
        "smart_goal", {"metric": "x", "baseline": 1.0, "target": None, "due": None}
    ).met
    with pytest.raises(ValueError):
        judge("unknown", {})


def test_measurements_fall_overdue_after_one_and_a_half_periods():
    today = date(2026, 11, 23)
    assert not kpi.measurement_overdue("weekly", date(2026, 11, 13), date(2026, 1, 1), today)
    assert kpi.measurement_overdue("weekly", date(2026, 11, 12), date(2026, 1, 1), today)
    assert kpi.measurement_overdue("daily", date(2026, 11, 21), date(2026, 1, 1), today)
    assert not kpi.measurement_overdue("monthly", date(2026, 10, 30), date(2026, 1, 1), today)
    # never measured: counted from the day the KPI was defined
    assert not kpi.measurement_overdue("weekly", None, date(2026, 11, 20), today)
    assert kpi.measurement_overdue("weekly", None, date(2026, 11, 1), today)


def test_an_sop_is_offered_the_initiatives_code_then_the_next_free_number():
    assert sop.suggest_number("CS-CP-2026-003", []) == "CS-CP-2026-003"
    assert sop.suggest_number("CS-CP-2026-003", ["CS-CP-2026-003"]) == "CS-CP-2026-004"
    taken = ["CS-CP-2026-003", "CS-CP-2026-007", "CS-CP-2025-009", "CS-CP-2026-X"]
    assert sop.suggest_number("CS-CP-2026-003", taken) == "CS-CP-2026-008"
