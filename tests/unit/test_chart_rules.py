"""Round axis ticks of the SVG charts (tracker.charts.rules) and the KPI trend's axes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.charts.rules import nice_step, nice_ticks
from tracker.kpis.rules import trend_chart


@pytest.mark.parametrize(
    ("raw", "step"),
    [(0.555, 0.5), (0.5, 0.5), (0.3, 0.25), (0.21, 0.2), (7, 5), (8, 10), (1.2, 1), (2.3, 2.5)],
)
def test_a_step_is_the_nearest_one_two_two_and_a_half_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(raw) == pytest.approx(step)


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (2.065, 4.285, [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]),  # the demo KPI's axis, once 2.065 … 4.285
        (7.7, 19.3, [7.5, 10.0, 12.5, 15.0, 17.5, 20.0]),  # not 7.7, 11.6 …
        (0, 100, [0.0, 25.0, 50.0, 75.0, 100.0]),
        (-3.2, 4.1, [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0]),
        (0.12, 0.19, [0.12, 0.14, 0.16, 0.18, 0.2]),
        (1200, 98000, [0.0, 25000.0, 50000.0, 75000.0, 100000.0]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low, high, ticks):
    assert nice_ticks(low, high) == ticks


def test_ticks_are_evenly_spaced_without_float_noise():
    ticks = nice_ticks(0.1, 0.7)
    assert ticks == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert all(str(t) in {"0.0", "0.2", "0.4", "0.6", "0.8"} for t in ticks)


def test_one_value_gets_a_tick_each_side_and_zero_is_never_negative():
    assert nice_ticks(5, 5) == [4.5, 4.75, 5.0, 5.25, 5.5]
    ticks = nice_ticks(0, 0)
    assert ticks[0] < 0 < ticks[-1] and 0.0 in ticks
    assert str(nice_ticks(-1, 1)[2]) == "0.0"


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError):
        nice_ticks(float("nan"), 1)
    with pytest.raises(ValueError):
        nice_ticks(0, 1, count=1)


def test_the_trend_axis_uses_round_ticks_that_hold_every_value_and_both_lines():
    start = date(2026, 1, 4)
    values = [2.26, 3.51, 4.1, 2.44, 3.12]
    chart = trend_chart(
        [(start + timedelta(weeks=i), v) for i, v in enumerate(values)], 3, 3.5, "lower"
    )
    ticks = [value for _y, value in chart.y_ticks]
    assert ticks == [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
    top, bottom = chart.y_ticks[-1][0], chart.y_ticks[0][0]
    assert all(top <= y <= bottom for _x, y, *_ in chart.points)
    assert top <= chart.target_y <= bottom and top <= chart.threshold_y <= bottom


def test_date_labels_stay_inside_the_chart():
    start = date(2025, 11, 30)
    measurements = [(start + timedelta(weeks=i), 3.0) for i in range(53)]
    chart = trend_chart(measurements, 3, 3.5, "lower")
    label_width = 10 * 7  # an ISO date at the axis font size, generously
    for x, _text, anchor in chart.x_labels:
        left = {"start": x, "middle": x - label_width / 2, "end": x - label_width}[anchor]
        assert 0 <= left and left + label_width <= chart.width
    assert chart.x_labels[0][1] == "2025-11-30" and chart.x_labels[-1][1] == "2026-11-29"


def test_a_denominator_is_a_whole_count_no_smaller_than_its_proportion():
    from tracker.kpis.rules import denominator_problem

    # a proportion needs its denominator; other KPIs may leave it out
    assert denominator_problem("proportion", 100.0, 2.0, None) == "missing"
    assert denominator_problem("individuals", 1.0, 3.2, None) is None
    assert denominator_problem("count", 1.0, 5.0, None) is None
    # a whole number above 0, whatever the chart
    for bad in (0.0, -3.0, 150.5, float("nan"), float("inf")):
        assert denominator_problem("proportion", 100.0, 2.0, bad) == "not_whole", bad
        assert denominator_problem("individuals", 1.0, 2.0, bad) == "not_whole", bad
    assert denominator_problem("individuals", 1.0, 2.0, 40.0) is None
    # the share stands for value / scale × denominator things: between none and all of them
    assert denominator_problem("proportion", 100.0, 100.0, 1.0) is None  # 1 of 1
    assert denominator_problem("proportion", 100.0, 0.0, 1.0) is None
    assert denominator_problem("proportion", 100.0, 120.0, 100.0) == "over"
    assert denominator_problem("proportion", 1.0, 1.2, 100.0) == "over"  # a fraction
    assert denominator_problem("proportion", 100.0, -1.0, 100.0) == "over"
    assert denominator_problem("proportion", 1.0, 0.02, 150.0) is None
