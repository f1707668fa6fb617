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


async def test_kept_reads_read_once_per_key_and_the_least_recently_used_ages_out() -> None:
    from tracker.fragments import KeptReads

    loads: list[str] = []

    def loader(key: str):
        async def load() -> list[str]:
            loads.append(key)
            return [key]

        return load

    kept: KeptReads[list[str]] = KeptReads(max_entries=2)
    assert await kept.read(("org", 1), loader("1")) == ["1"]
    assert await kept.read(("org", 1), loader("1")) == ["1"]
    await kept.read(("org", 2), loader("2"))
    await kept.read(("org", 1), loader("1"))  # 1 is now the most recently used
    await kept.read(("org", 3), loader("3"))  # so 2 ages out
    await kept.read(("org", 2), loader("2"))
    assert loads == ["1", "2", "3", "2"]


def test_a_part_kept_with_the_csrf_mark_shows_each_visitors_input_as_markup() -> None:
    from tracker.fragments import CSRF_MARK, with_csrf

    parts = FragmentCache(max_entries=2)
    part = parts.render("form", lambda: f"<form>{CSRF_MARK}<b>&amp;</b></form>")
    assert parts.get("form") is part and parts.get("other") is None
    mine = with_csrf(part, '<input name="_csrf_token" value="mine">')
    theirs = with_csrf(part, '<input name="_csrf_token" value="theirs">')
    assert mine == Markup('<form><input name="_csrf_token" value="mine"><b>&amp;</b></form>')
    assert isinstance(mine, Markup) and "theirs" in theirs and "mine" not in theirs
    assert str(CSRF_MARK) in part  # the kept part itself holds no token


def test_kept_parts_off_renders_every_time_as_a_first_visit_would() -> None:
    """``TRACKER_KEPT_PARTS=off`` (the load benchmark's ``--cold``) keeps nothing."""
    from tracker.fragments import FragmentCache, Kept
    from tracker.settings import load_settings

    assert load_settings({"TRACKER_KEPT_PARTS": "off"}).kept_parts is False
    assert load_settings({}).kept_parts is True
    made: list[int] = []
    parts = FragmentCache(max_entries=10)

    def make() -> str:
        made.append(1)
        return "<p>part</p>"

    parts.render("key", make)
    parts.render("key", make)
    assert len(made) == 1  # kept
    Kept.enabled = False
    try:
        parts.render("key", make)
        parts.render("key", make)
    finally:
        Kept.enabled = True
    assert len(made) == 3  # made anew each time


def test_a_kept_part_key_holds_the_member_role_language_and_every_value() -> None:
    from tracker.fragments import Shown
    from tracker.i18n import language
    from tracker.initiatives.board import BoardFilter
    from tracker.tenancy import Membership, OrgContext

    def ctx(person: int = 1, role: str = "lead", org: int = 7) -> OrgContext:
        membership = Membership(org, f"org-{org}", "Org", role)
        return OrgContext(person, "P", "p@example.com", membership, (membership,), 3)

    template = "initiatives/partials/board_columns.html"

    def key(context: OrgContext, flt: BoardFilter = BoardFilter(), lang: str = "en") -> Shown:
        with language(lang):
            return Shown.of(template, context, 5, filter=flt, column_limit=25)

    base = key(ctx())
    assert key(ctx()) == base and hash(key(ctx())) == hash(base)  # the same render, kept
    others = [
        key(ctx(person=2)),  # another member
        key(ctx(role="viewer")),  # another role
        key(ctx(org=8)),  # another organisation
        key(ctx(), lang="zh_Hans"),  # another language
        key(ctx(), BoardFilter(status="blocked")),  # another filter
        key(ctx(), BoardFilter(column=2)),  # the whole column
    ]
    assert all(other != base for other in others)
    assert len(set(others)) == len(others)
    assert Shown.of(template, ctx(), 6, filter=BoardFilter(), column_limit=25) != base  # read
    assert Shown.of(template, ctx(), 5, filter=BoardFilter(), column_limit=10) != base  # value
    assert base.context()["ctx"].slug == "org-7" and base.context()["column_limit"] == 25


def test_a_rows_key_is_equal_only_for_the_same_rows_and_hashes_once():
    from tracker.fragments import RowsKey, rows_key

    rows = [{"id": 1, "value": 2.5}, {"id": 2, "value": None}]
    key = RowsKey(rows)
    assert key == RowsKey([dict(r) for r in rows]) and hash(key) == hash(RowsKey(rows))
    assert key != RowsKey([{"id": 1, "value": 2.5}, {"id": 2, "value": 0}])
    assert key != RowsKey(rows[:1]) and key != rows_key(rows)  # never a plain tuple
    kept = {key: "part"}
    assert kept.get(RowsKey(rows)) == "part"


def test_a_slot_keeps_only_its_latest_revision():
    """An organisation whose board moves all day keeps one part per slot, not one per revision:
    the board's open alerts, 200 rows under each of 200 revisions, grew a worker past 150 MB."""
    from tracker.fragments import Kept, KeptReads, Shown, first_slot, shown_slot

    reads: KeptReads[list[int]] = KeptReads(max_entries=200, slot=first_slot)
    for revision in range(1000):
        reads.keep((7, revision), [revision] * 200)
        reads.keep((8, revision), [revision])
    assert len(reads) == 2  # an organisation, its latest revision
    assert reads.get((7, 999)) == [999] * 200 and reads.get((7, 998)) is None

    parts: Kept[Shown, str] = Kept(max_entries=3, slot=shown_slot)
    a = Shown("t.html", "en", None, (("phase", 1),), read=1)
    b = Shown("t.html", "en", None, (("phase", 2),), read=1)
    parts.keep(a, "one")
    parts.keep(b, "two")
    parts.keep(a._replace(read=2), "one again")
    assert len(parts) == 2 and parts.get(a) is None and parts.get(b) == "two"
    # the same key kept again stays; the least recently used still goes first past the bound
    parts.keep(a._replace(read=2), "one again")
    for n in range(3, 6):
        parts.keep(Shown("t.html", "en", None, (("phase", n),), read=1), str(n))
    assert len(parts) == 3 and parts.get(b) is None and parts.get(a._replace(read=2)) is None
    parts.keep(b._replace(read=5), "two later")  # its slot's old key was evicted: nothing to drop
    assert parts.get(b._replace(read=5)) == "two later"


def test_without_a_slot_every_key_is_kept_up_to_the_bound():
    from tracker.fragments import Kept

    kept: Kept[tuple[int, int], int] = Kept(max_entries=5)
    for revision in range(10):
        kept.keep((1, revision), revision)
    assert len(kept) == 5 and kept.get((1, 9)) == 9 and kept.get((1, 4)) is None


def test_kept_parts_add_up_to_at_most_their_size_the_oldest_going_first() -> None:
    parts = FragmentCache(max_entries=100, max_size=1000)
    for n in range(10):
        parts.render(f"k{n}", lambda n=n: f"{n}" * 300)
    assert parts.size <= 1000 and len(parts) == 3  # 3 × 300 characters
    assert parts.get("k9") is not None and parts.get("k6") is None
    parts.clear()
    assert parts.size == 0


def test_a_part_larger_than_the_whole_cache_is_made_every_time_and_never_kept() -> None:
    made = []
    parts = FragmentCache(max_entries=100, max_size=1000)
    parts.render("small", lambda: "s" * 10)
    for _ in range(2):
        parts.render("huge", lambda: made.append(1) or "h" * 2000)
    assert len(made) == 2 and parts.get("huge") is None
    assert parts.get("small") == "s" * 10 and parts.size == 10


def test_every_cache_of_rendered_parts_is_bounded_by_size() -> None:
    assert FragmentCache(max_entries=10).max_size is not None
