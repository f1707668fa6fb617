"""Pure rules of the analytics page: the filter from the URL, PostgreSQL's percentile_cont
as SQLite computes it, outcome rates and the charts' round scales."""

from datetime import date

from tracker.analytics import charts, rules


def test_the_filter_reads_the_url_and_falls_back_to_the_last_twelve_months():
    today = date(2026, 11, 29)
    default = rules.Filter.from_query({}, today)
    assert (default.since, default.until) == ("2025-12", "2026-11")
    chosen = rules.Filter.from_query(
        {"from": "2026-09", "to": "2026-03", "owner": "7", "process_class": "core"}, today
    )
    assert (chosen.since, chosen.until, chosen.owner) == ("2026-03", "2026-09", 7)
    assert chosen.query(kind="now") == "process_class=core&owner=7&from=2026-03&to=2026-09&kind=now"
    odd = rules.Filter.from_query(
        {"from": "2026-13", "owner": "x", "process_class": "nope", "department": " Sales "},
        today,
    )
    assert (odd.since, odd.owner, odd.process_class, odd.department) == (
        "2025-12",
        None,
        "",
        "Sales",
    )
    assert rules.months_between("2025-11", "2026-02") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_percentile_cont_interpolates_like_postgresql():
    assert rules.percentile_cont([], 0.5) is None
    assert rules.percentile_cont([7.0], 0.9) == 7.0
    assert rules.percentile_cont([2.0, 4.0, 6.0], 0.5) == 4.0
    assert abs(rules.percentile_cont([2.0, 4.0, 6.0], 0.9) - 5.6) < 1e-9  # type: ignore[operator]
    assert abs(rules.percentile_cont([1.0, 2.0, 4.0, 6.0, 10.0], 0.9) - 8.4) < 1e-9  # type: ignore[operator]
    times = rules.lead_time_from_sorted(
        [{"gate": 1, "lead_days": v} for v in (2, 4, 6)] + [{"gate": 2, "lead_days": 10}]
    )
    assert [(t.gate, t.count, t.median) for t in times] == [(0, 4, 5.0), (1, 3, 4.0), (2, 1, 10.0)]


def test_outcome_rates_and_the_first_pass_rate():
    gates, quarters, total = rules.outcome_tables(
        [
            {
                "gate": 1,
                "quarter": "2026-Q3",
                "outcome": "recycle",
                "n": 1,
                "firsts": 1,
                "first_passed": 0,
            },
            {
                "gate": 1,
                "quarter": "2026-Q4",
                "outcome": "go",
                "n": 2,
                "firsts": 1,
                "first_passed": 1,
            },
        ]
    )
    assert gates[0].total == 3 and round(gates[0].share("go") or 0, 3) == 0.667
    assert gates[0].first_pass_rate == 0.5 and gates[1].first_pass_rate is None
    assert [q.key for q in quarters] == ["2026-Q3", "2026-Q4"] and total.total == 3


def test_the_charts_use_round_scales():
    row = rules.OutcomeRow(1)
    row.counts["go"] = 7
    stacked = charts.outcomes([row])
    assert [v for _y, v in stacked.ticks] == [0.0, 2.0, 4.0, 6.0, 8.0]
    plot = charts.box_plot([rules.LeadTime(1, 3, 2.0, 3.0, 4.0, 5.0, 5.6, 6.0)])
    assert [v for _x, v in plot.ticks] == [0.0, 2.0, 4.0, 6.0]
    box = plot.boxes[0]
    assert box.low < box.q1 < box.median < box.q3 < box.p90 < box.high
