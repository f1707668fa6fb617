from markupsafe import Markup

from tracker.fragments import FragmentCache, rows_key


def test_a_part_is_made_once_per_key_and_the_least_recently_used_ages_out() -> None:
    made: list[str] = []

    def maker(text: str):
        def make() -> str:
            made.append(text)
            return f"<p>{text}</p>"

        return make

    parts = FragmentCache(max_entries=2)
    assert parts.render("a", maker("a")) == Markup("<p>a</p>")
    assert parts.render("a", maker("a")) == "<p>a</p>"
    parts.render("b", maker("b"))
    parts.render("a", maker("a"))  # a is now the most recently used
    parts.render("c", maker("c"))  # so b ages out
    parts.render("a", maker("a"))
    parts.render("b", maker("b"))
    assert made == ["a", "b", "c", "b"]
    assert (parts.hits, parts.misses) == (3, 4)
    assert isinstance(parts.render("a", maker("a")), Markup)


def test_rows_key_changes_with_any_value() -> None:
    rows = [{"id": 1, "name": "One", "due": None}, {"id": 2, "name": "Two", "due": "2026-11-23"}]
    same = [dict(row) for row in rows]
    changed = [dict(row) for row in rows]
    changed[1]["due"] = "2026-11-24"
    assert rows_key(rows) == rows_key(same)
    assert rows_key(rows) != rows_key(changed)
    assert rows_key(rows) != rows_key(rows[:1])
    hash(rows_key(rows))
