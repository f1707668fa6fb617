"""Control-chart statistics (tracker.kpis.spc) against worked examples with known answers,
and properties that must hold for any series."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tracker.kpis import spc

# A worked XmR example (Wheeler, "Understanding Variation", style): ten daily values.
#   mean = 120 / 10 = 12.0
#   moving ranges 2,1,2,1,2,2,1,2,1: mR̄ = 14 / 9 = 1.5556
#   UNPL = 12 + 2.66 × 1.5556 = 16.138, LNPL = 12 − 4.138 = 7.862, URL(mR) = 3.268 × 1.5556 = 5.084
WORKED = [10, 12, 11, 13, 12, 14, 12, 11, 13, 12]


def test_xmr_limits_of_the_worked_example():
    limits = spc.xmr_limits(WORKED)
    assert limits is not None
    assert limits.centre == pytest.approx(12.0)
    assert limits.mr_bar == pytest.approx(14 / 9)
    assert limits.upper == pytest.approx(16.1378, abs=1e-4)
    assert limits.lower == pytest.approx(7.8622, abs=1e-4)
    assert limits.mr_upper == pytest.approx(5.0836, abs=1e-4)
    assert limits.sigma == pytest.approx(1.3790, abs=1e-4)
    assert limits.points == 10
    assert spc.signals(WORKED, limits) == []


def test_limits_need_two_points():
    assert spc.xmr_limits([]) is None
    assert spc.xmr_limits([5.0]) is None
    assert spc.xmr_limits([5.0, 5.0]) == spc.Limits(5.0, 0.0, 2)


# Limits with sigma exactly 1 around 10: UNPL ≈ 13, 2 sigma 8–12, 1 sigma 9–11.
UNIT = spc.Limits(centre=10.0, mr_bar=spc.D2, points=20)


@pytest.mark.parametrize(
    ("rule", "series", "index"),
    [
        ("beyond", [10, 10.5, 9.5, 13.5, 10, 9.5], 3),
        ("beyond", [10, 9.5, 10.5, 6.5, 10], 3),
        ("run8", [10.5, 10.2, 10.6, 10.3, 10.5, 10.2, 10.4, 10.3], 7),
        ("run8", [9.5, 9.8, 9.4, 9.7, 9.5, 9.8, 9.6, 9.7], 7),
        ("trend6", [8.9, 9.3, 9.7, 10.1, 10.5, 10.9], 5),
        ("trend6", [10.9, 10.5, 10.1, 9.7, 9.3, 8.9], 5),
        ("two_of_three", [10, 12.5, 10.2, 12.4, 10], 3),
        ("two_of_three", [10, 7.5, 7.6, 10], 2),
        ("four_of_five", [11.5, 11.4, 10.2, 11.6, 11.3, 9.5], 4),
        ("four_of_five", [8.5, 8.6, 9.8, 8.4, 8.7, 10.5], 4),
    ],
)
def test_exactly_one_rule_fires(rule, series, index):
    assert spc.signals(series, UNIT) == [spc.Signal(index, rule)]
    others = [r for r in spc.RULES if r != rule]
    assert spc.signals(series, UNIT, others) == []


def test_a_run_that_goes_on_is_one_signal_and_a_new_run_another():
    above = [10.5, 10.2, 10.6, 10.3, 10.5, 10.2, 10.4, 10.3]
    series = [*above, 10.6, 10.4, 9.5, *above]
    assert spc.signals(series, UNIT) == [spc.Signal(7, "run8"), spc.Signal(18, "run8")]


def test_a_point_on_the_centre_line_breaks_a_run():
    series = [10.5, 10.2, 10.6, 10.3, 10.0, 10.5, 10.2, 10.4, 10.3]
    assert spc.run_of_eight(series, UNIT) == []


def test_every_point_beyond_a_limit_is_its_own_signal():
    assert spc.signals([10, 14, 14.2, 10], UNIT, ["beyond"]) == [
        spc.Signal(1, "beyond"),
        spc.Signal(2, "beyond"),
    ]


def test_no_variation_means_no_signal():
    flat = spc.Limits(5.0, 0.0, 10)
    assert spc.signals([5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], flat) == []


def test_parse_rules_keeps_known_rules_in_order():
    assert spc.parse_rules("four_of_five, run8,nonsense") == ("run8", "four_of_five")
    assert spc.parse_rules("") == ()


def test_p_chart_limits_follow_each_denominator():
    # 2 + 4 + 6 complaints of 100 + 200 + 300 orders: p̄ = 12 / 600 = 0.02
    points = spc.p_limits([2, 4, 6], [100, 200, 300])
    assert [round(p, 4) for p, _lo, _hi in points] == [0.02, 0.02, 0.02]
    assert points[0][2] == pytest.approx(0.02 + 3 * math.sqrt(0.02 * 0.98 / 100))
    assert points[0][1] == 0.0  # clipped at zero
    assert points[2][2] < points[0][2]  # more orders, tighter limits


def test_c_chart_limits():
    # c̄ = 9: 9 ± 3 × 3
    assert spc.c_limits([8, 10, 9, 9]) == (9.0, 0.0, 18.0)
    assert spc.c_limits([]) is None


def test_ppk_against_a_one_sided_target():
    values = [2.0, 2.2, 1.8, 2.1, 1.9] * 4  # mean 2.0, s = 0.1451
    s = math.sqrt(sum((v - 2.0) ** 2 for v in values) / 19)
    assert spc.ppk(values, 2.5, "lower") == pytest.approx(0.5 / (3 * s))
    assert spc.ppk(values, 1.5, "higher") == pytest.approx(0.5 / (3 * s))
    assert spc.ppk(values[:19], 2.5, "lower") is None  # too few points to say
    assert spc.share_meeting_target(1.0) == pytest.approx(0.99865, abs=1e-5)
    assert spc.share_meeting_target(0.0) == pytest.approx(0.5)


values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)),
    min_size=2,
    max_size=40,
)


@given(values, st.data())
def test_limits_do_not_depend_on_the_order_of_equal_values(series, data):
    """Swapping two equal values, or reading the series backwards, gives the same limits."""
    i = data.draw(st.integers(0, len(series) - 1))
    j = data.draw(st.integers(0, len(series) - 1))
    tied = list(series)
    tied[j] = tied[i]
    swapped = list(tied)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert spc.xmr_limits(swapped) == spc.xmr_limits(tied)
    forward, backward = spc.xmr_limits(series), spc.xmr_limits(series[::-1])
    assert forward is not None and backward is not None
    assert forward.mr_bar == backward.mr_bar
    assert forward.centre == pytest.approx(backward.centre, rel=1e-12, abs=1e-9)


@given(values, st.floats(min_value=-0.99, max_value=0.99))
def test_a_point_inside_the_limits_raises_no_signal(series, where):
    """A series with no signal, then a point inside the limits: never a limit signal; inside
    1 sigma no zone signal either; and whatever does fire is a pattern the last points really
    make (a run, a trend, or the point itself beyond 2 or 1 sigma with its neighbours)."""
    limits = spc.xmr_limits(series)
    assert limits is not None
    assume(limits.mr_bar > 0 and spc.signals(series, limits) == [])
    point = limits.centre + where * (limits.upper - limits.centre)
    longer = [*series, point]
    assert spc.signals(longer, limits, ["beyond"]) == []
    if abs(point - limits.centre) < limits.sigma:
        assert spc.signals(longer, limits, ("beyond", "two_of_three", "four_of_five")) == []
    for signal in spc.signals(longer, limits):
        assert signal.index == len(series)
        if signal.rule == "run8":
            sides = {v > limits.centre for v in longer[-8:]}
            assert len(sides) == 1 and limits.centre not in longer[-8:]
        elif signal.rule == "two_of_three":
            assert abs(point - limits.centre) > 2 * limits.sigma
        elif signal.rule == "four_of_five":
            assert abs(point - limits.centre) > limits.sigma
        else:
            assert signal.rule == "trend6"
            steps = [b - a for a, b in zip(longer[-6:], longer[-5:], strict=False)]
            assert all(d > 0 for d in steps) or all(d < 0 for d in steps)


@given(values, st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_a_new_point_never_changes_the_signals_before_it(series, point):
    """Signals are decided by the points up to them: this is why an alert, once raised,
    stays true."""
    limits = spc.xmr_limits(series)
    assert limits is not None
    before = spc.signals(series, limits)
    after = [s for s in spc.signals([*series, point], limits) if s.index < len(series)]
    assert after == before


# Steps of a walk around UNIT's centre in tenths of a sigma: runs, trends, equal neighbours,
# points on the centre line and in every zone all come up.
walks = st.lists(st.integers(-8, 8), min_size=1, max_size=40).map(
    lambda steps: [10 + sum(steps[: i + 1]) / 10 for i in range(len(steps))]
)


@given(walks, st.data())
def test_a_point_is_judged_on_the_lookback_points_before_it_as_on_the_whole_series(series, data):
    """The signals at and after a point (what recording it raises) are those the whole series
    gives, when only the LOOKBACK points before it are read: the KPI's history is not."""
    at = data.draw(st.integers(0, len(series) - 1))
    start = max(0, at - spc.LOOKBACK)
    window = [
        spc.Signal(s.index + start, s.rule)
        for s in spc.signals(series[start:], UNIT)
        if s.index + start >= at
    ]
    assert window == [s for s in spc.signals(series, UNIT) if s.index >= at]


def test_one_point_fewer_before_it_would_not_do():
    """A run of 9 on one side: its signal is the 8th point's; read from 7 points before the
    9th, the 9th would wrongly look like a new signal."""
    series = [10.5] * 9
    assert spc.signals(series, UNIT) == [spc.Signal(7, "run8")]
    short = spc.signals(series[8 - (spc.LOOKBACK - 1) :], UNIT)
    assert short == [spc.Signal(spc.LOOKBACK - 1, "run8")]  # the 9th point, a false alarm


def test_a_kpi_never_piloted_is_lost_only_beyond_the_baselines_noise():
    from tracker.kpis.rules import sustainment_outcome

    # baseline 2.9, a mean of 3.1 misses the target 3.0: within 0.3 of noise it held
    assert sustainment_outcome("lower", 3.0, 3.1, None, 2.9, False, 0.3) == "held"
    assert sustainment_outcome("lower", 3.0, 3.3, None, 2.9, False, 0.3) == "lost"
    assert sustainment_outcome("higher", 95.0, 93.0, None, 94.0, False, 2.0) == "held"
    assert sustainment_outcome("higher", 95.0, 91.0, None, 94.0, False, 2.0) == "lost"


@pytest.mark.parametrize(
    ("direction", "mean", "after", "baseline", "signal", "outcome"),
    [
        # lower is better: baseline 4.2 → pilot 2.6, target 3
        ("lower", 2.7, 2.6, 4.2, False, "held"),
        ("lower", 2.9, 2.6, 4.2, True, "drifting"),  # meets the target, a signal upwards
        ("lower", 3.2, 2.6, 4.2, False, "held"),  # misses the target, kept most of the gain
        ("lower", 3.5, 2.6, 4.2, False, "lost"),  # gave back more than half of the gain
        ("lower", 3.5, 2.6, None, False, "lost"),  # no baseline: worse than the after-value
        ("higher", 96.0, 97.0, 80.0, False, "held"),
        ("higher", 88.0, 97.0, 80.0, False, "lost"),
        ("higher", 96.0, 97.0, 80.0, True, "drifting"),
        ("lower", 3.1, None, None, False, "lost"),  # nothing to compare with but the target
        # no pilot stage: judged against the baseline (held when not worse than it)
        ("lower", 3.1, None, 3.2, False, "held"),
        ("lower", 3.2, None, 3.2, False, "held"),
        ("lower", 3.1, None, 3.2, True, "drifting"),
        ("lower", 3.4, None, 3.2, False, "lost"),
        ("higher", 93.0, None, 92.0, False, "held"),
        ("higher", 90.0, None, 92.0, False, "lost"),
        ("lower", 2.8, None, 3.2, False, "held"),  # meets the target
    ],
)
def test_sustainment_outcome(direction, mean, after, baseline, signal, outcome):
    from tracker.kpis.rules import sustainment_outcome

    target = 3.0 if direction == "lower" else 95.0
    assert sustainment_outcome(direction, target, mean, after, baseline, signal) == outcome


def test_sustainment_days_setting():
    from tracker.kpis.rules import parse_days

    assert parse_days("180, 30，90, 30") == (30, 90, 180)
    assert parse_days(" ") == ()
    for bad in ("30, soon", "0", "4000", "-5"):
        with pytest.raises(ValueError):
            parse_days(bad)


def test_a_p_chart_judges_each_point_against_its_own_denominator():
    # about 2 % complaints; day 6 has 9 of 100 orders, far past its limit (p̄ = 32 / 1,350,
    # upper limit for 100 orders ≈ 0.069); days of 200 orders get tighter limits
    counts = [2, 4, 2, 3, 2, 9, 2, 4, 2, 2]
    totals = [100, 200, 100, 150, 100, 100, 100, 200, 100, 100]
    found = spc.p_signals(counts, totals)
    assert found == [spc.Signal(5, "beyond")]
    assert spc.p_signals(counts, totals, ["run8"]) == []


def test_a_c_chart_flags_a_burst_of_events():
    # c̄ = 6, upper limit 6 + 3 √6 ≈ 13.3: 16 events is a special cause
    counts = [4, 5, 6, 5, 4, 16, 5, 6, 5, 4]
    assert spc.c_limits(counts)[2] == pytest.approx(6 + 3 * math.sqrt(6))
    assert spc.c_signals(counts) == [spc.Signal(5, "beyond")]
    assert spc.c_signals([0, 0, 0]) == []  # no events, no variation to judge
