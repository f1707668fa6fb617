from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.pilots import rules as pilots
from tracker.problems import rules as problems
from tracker.registers import importing
from tracker.risks import rules as risks


@pytest.mark.parametrize(
    ("impact", "urgency", "quadrant"),
    [
        (5, 5, "do_first"),
        (3, 3, "do_first"),
        (5, 1, "plan"),
        (3, 2, "plan"),
        (1, 5, "quick_fix"),
        (2, 3, "quick_fix"),
        (2, 2, "defer"),
        (1, 1, "defer"),
    ],
)
def test_quadrants(impact, urgency, quadrant):
    assert problems.quadrant(impact, urgency) == quadrant


def test_quadrant_refuses_scores_off_the_scale():
    with pytest.raises(ValueError):
        problems.quadrant(0, 3)


def test_priority_order_quadrant_then_score_then_age():
    now = datetime(2026, 1, 1)
    rows = [
        {"id": 1, "impact": 5, "urgency": 1, "created_at": now, "status": "open"},  # plan, 5
        {"id": 2, "impact": 3, "urgency": 3, "created_at": now, "status": "open"},  # do first, 9
        {"id": 3, "impact": 5, "urgency": 5, "created_at": now, "status": "open"},  # do first, 25
        {
            "id": 4,
            "impact": 3,
            "urgency": 3,
            "created_at": now - timedelta(days=1),
            "status": "open",
        },  # older
        {"id": 5, "impact": 1, "urgency": 1, "created_at": now, "status": "open"},  # defer
        {"id": 6, "impact": 1, "urgency": 5, "created_at": now, "status": "open"},  # quick fix
        {"id": 7, "impact": 5, "urgency": 5, "created_at": now, "status": "solved"},
    ]
    assert [r["id"] for r in problems.prioritise(rows)] == [3, 7, 4, 2, 1, 6, 5]
    assert [r["id"] for r in problems.top(rows)] == [3, 4, 2, 1, 6]


def test_moving_on_the_matrix_stays_on_the_scale():
    assert problems.moved(3, 3, "up") == (4, 3)
    assert problems.moved(5, 3, "up") == (5, 3)
    assert problems.moved(3, 1, "left") == (3, 1)
    assert problems.moved(3, 4, "right") == (3, 5)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (30, 8, -73.33),
        (48, 24, -50.0),
        (32, 45, 40.63),
        (0, 5, None),
        (None, 5, None),
        (10, None, None),
        (-10, -5, 50.0),
    ],
)
def test_change_percent(before, after, change):
    result = pilots.change_percent(before, after)
    assert (result is None and change is None) or result == pytest.approx(change, abs=0.01)


@pytest.mark.parametrize(
    ("direction", "after", "target", "met"),
    [
        ("lower", 8, 10, True),
        ("lower", 10, 10, True),
        ("lower", 12, 10, False),
        ("higher", 96, 95, True),
        ("higher", 95, 95, True),
        ("higher", 90, 95, False),
        ("lower", None, 10, None),
        ("higher", 5, None, None),
    ],
)
def test_target_met_in_both_directions(direction, after, target, met):
    assert pilots.target_met(direction, after, target) is met


def test_satisfaction_statistics():
    stats = pilots.satisfaction([5, 4, 4, 3, 9])
    assert stats.count == 4 and stats.mean == 4.0
    assert stats.distribution == {1: 0, 2: 0, 3: 1, 4: 2, 5: 1}
    assert pilots.satisfaction([]).mean is None


def test_before_after_bars_are_relative_to_the_largest_value():
    bar = pilots.before_after_bars("Time", 30, 8, 10)
    assert bar.before_width == 100 and bar.after_width == pytest.approx(26.67, abs=0.01)
    assert bar.target_x == pytest.approx(33.33, abs=0.01)
    assert pilots.before_after_bars("x", 0, None, None).before_width == 0


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (14, "high"),
        (15, "critical"),
        (25, "critical"),
    ],
)
def test_risk_bands(score, band):
    assert risks.band(score) == band


def test_heat_map_has_every_cell_with_its_count():
    cells = risks.heat_cells([{"likelihood": 3, "impact": 5, "n": 2}])
    assert cells[(3, 5)] == 2 and cells[(1, 1)] == 0 and len(cells) == 25
    assert risks.is_rising([(2, 3), (3, 5)]) and not risks.is_rising([(3, 5), (2, 3)])


def test_reading_gbk_and_utf8():
    text = "问题,影响范围\n审批环节过多,4\n"
    for data in (text.encode("gbk"), text.encode("utf-8"), ("\ufeff" + text).encode("utf-8")):
        assert importing.decode(data) == text
    sheet = importing.read(
        "p.csv",
        text.encode("gbk"),
        {"title": ["title", "问题"], "impact": ["impact", "影响范围"]},
        {"title"},
    )
    assert sheet.errors == [] and sheet.rows == [{"title": "审批环节过多", "impact": "4"}]


def test_reading_reports_bad_files():
    columns = {"title": ["title"], "impact": ["impact"]}
    assert (
        importing.read("p.txt", b"x", columns, {"title"}).errors[0][2]
        == "Upload a .csv or .xlsx file."
    )
    big = importing.read("p.csv", b"title\n" + b"x\n" * (2 * 1024 * 1024), columns, {"title"})
    assert "larger than 2 MB" in big.errors[0][2]
    wrong = importing.read("p.csv", b"name,colour\nx,y\n", columns, {"title"})
    assert {(e[1], e[2]) for e in wrong.errors} == {
        ("name", "Unknown column."),
        ("colour", "Unknown column."),
        ("title", "This column is missing."),
    }
    formula = importing.read("p.csv", b"title,impact\n=cmd|'/c calc'!A1,3\n", columns, {"title"})
    assert formula.errors == [(2, "title", "Formulas are not accepted; enter the value.")]
    assert importing.read("p.csv", b"\xff\xfe\x00garbage\x81", columns, {"title"}).errors


def test_the_kinds_of_an_as_is_step_are_a_set_kept_in_the_seeds_order():
    assert problems.kinds_text([]) == ""
    assert problems.kinds_text(["risk", "efficiency", "risk"]) == "efficiency,risk"
    assert problems.kinds_of("efficiency,risk") == ("efficiency", "risk")
    assert problems.kinds_of("risk,efficiency,unknown,") == ("efficiency", "risk")
    assert problems.kinds_of("") == problems.kinds_of(None) == ()
    with pytest.raises(ValueError):
        problems.kinds_text(["slowness"])


@given(st.sets(st.sampled_from(problems.KINDS)))
def test_kinds_go_to_text_and_back_unchanged(kinds):
    assert set(problems.kinds_of(problems.kinds_text(kinds))) == kinds


def test_a_cell_of_several_kinds_splits_on_the_seeds_and_typed_separators():
    assert problems.kind_names("效率低、协同难") == ["效率低", "协同难"]
    assert problems.kind_names(" Low efficiency, High risk ") == ["Low efficiency", "High risk"]
    assert problems.kind_names("效率低/质量差；风险高，协同难") == [
        "效率低",
        "质量差",
        "风险高",
        "协同难",
    ]
    assert problems.kind_names("、 ,") == []
