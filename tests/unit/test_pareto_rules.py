"""Pareto ranking: most frequent first, cumulative shares, the vital few."""

from tracker.pareto import rules


def test_rank_orders_counts_and_marks_the_vital_few():
    keys = ["method"] * 5 + ["people"] * 3 + ["machine"] + ["material"]
    bars = rules.rank(keys)
    assert [(b.key, b.count) for b in bars] == [
        ("method", 5),
        ("people", 3),
        ("machine", 1),
        ("material", 1),
    ]
    assert [round(b.cumulative, 2) for b in bars] == [0.5, 0.8, 0.9, 1.0]
    assert [b.vital for b in bars] == [True, True, False, False]  # 80 % reached at "people"
    assert rules.rank([]) == []


def test_departments_are_split_as_people_write_them():
    assert rules.split_departments("Logistics, Sales，仓储部、质量部") == [
        "Logistics",
        "Sales",
        "仓储部",
        "质量部",
    ]
    assert rules.split_departments("") == [""]


def test_geometry_puts_the_cumulative_line_at_100_percent_on_the_last_bar():
    g = rules.geometry(rules.rank(["a", "a", "b"]))
    assert len(g.bars) == 2 and g.dots[-1][1] == rules.TOP
    assert g.bars[0][3] > g.bars[1][3]  # the taller bar first
