"""The pure rules of threads and the Markdown a comment may use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from tracker.comments import markdown
from tracker.comments.rules import (
    Reader,
    find_mentions,
    member_matches,
    name_index,
    sealed_when_written,
    thread_open,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MEMBERS = [(1, "Alice Chen"), (2, "王伟"), (3, "Ann"), (4, "Anne Li"), (5, "alice chen")]
NAMES = name_index(MEMBERS)


def mentioned(text: str) -> list[tuple[int, ...]]:
    return [m.person_ids for m in find_mentions(text, NAMES)]


def test_a_mention_is_the_longest_member_name_ending_at_a_word_boundary():
    assert mentioned("@Alice Chen, look") == [(1, 5)]  # two members share the name
    assert mentioned("@Anne Li and @Ann") == [(4,), (3,)]
    assert mentioned("@Annex @Anne") == []  # no member is "Annex" or "Anne"
    assert mentioned("@王伟 你好 @王伟请看") == [(2,), (2,)]  # Chinese runs on without spaces
    assert mentioned("mail ann@Ann or x.@Ann") == []  # inside a word: an address
    assert mentioned("(@ann)") == [(3,)]
    assert mentioned("@Bob") == [] and find_mentions("@Ann", {}) == []


def test_the_autocomplete_ranks_members_by_where_the_name_matches():
    assert member_matches(MEMBERS, "an") == [(3, "Ann"), (4, "Anne Li")]
    # a later word's start before a name that only contains it
    assert member_matches(MEMBERS, "li") == [(4, "Anne Li"), (1, "Alice Chen"), (5, "alice chen")]
    assert member_matches(MEMBERS, "ce c") == [(1, "Alice Chen"), (5, "alice chen")]
    assert len(member_matches(MEMBERS * 3, "", limit=8)) == 8


@pytest.mark.parametrize("role", ["admin", "lead", "committee", "member"])
def test_members_write_viewers_read(role):
    assert Reader(1, role, is_open=True).writes
    assert not Reader(1, "viewer", is_open=True).writes
    assert not Reader(1, role, is_open=False).writes


def test_own_comment_edited_for_15_minutes_deleted_by_author_or_admin():
    me = Reader(1, "member", is_open=True)
    assert me.may_edit(1, T0, False, T0 + timedelta(minutes=15))
    assert not me.may_edit(1, T0, False, T0 + timedelta(minutes=15, seconds=1))
    assert not me.may_edit(2, T0, False, T0)
    assert not me.may_edit(1, T0, True, T0)
    assert me.may_delete(1, False) and not me.may_delete(2, False)
    assert Reader(9, "admin", is_open=True).may_delete(2, False)
    assert not Reader(9, "admin", is_open=False).may_delete(2, False)


def test_sealed_review_comments_follow_the_review_pages_rule_for_scores():
    sealed = sealed_when_written("review", author_is_reviewer=True, is_open=True)
    assert sealed and not sealed_when_written("problem", True, True)
    assert not sealed_when_written("review", author_is_reviewer=False, is_open=True)
    waiting = Reader(2, "committee", is_open=True, is_reviewer=True, has_voted=False)
    assert not waiting.reads(author=3, sealed=True) and waiting.reads(author=2, sealed=True)
    assert waiting.reads(author=3, sealed=False)
    assert Reader(2, "committee", True, is_reviewer=True, has_voted=True).reads(3, True)
    assert Reader(4, "lead", True).reads(3, True) and Reader(5, "viewer", True).reads(3, True)
    assert Reader(2, "committee", False, is_reviewer=True).reads(3, True)  # decided
    assert thread_open("review", "approving") and not thread_open("review", "decided")
    assert not thread_open("review", "withdrawn") and thread_open("risk", None)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='javascript:alert(1)'>x</a>",
        "![x](javascript:alert(1))",
        '[x](https://e.com "t" onmouseover=alert(1))',
        "<svg onload=alert(1)>",
        "<iframe src=https://e.com></iframe>",
    ],
)
def test_markdown_renders_nothing_that_runs(text):
    html, _ = markdown.render(text)
    seen = Tags()
    seen.feed(html)
    assert seen.tags <= markdown.TAGS, html
    for name, value in seen.attributes:
        assert not name.startswith("on") and name != "style", html
        if name == "href":
            assert value.split(":", 1)[0] in ("http", "https", "mailto"), html


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(k, v or "") for k, v in attrs]


def test_markdown_keeps_the_safe_subset_and_marks_links():
    html, ids = markdown.render(
        "**b** *i* ~~s~~ `@Ann` @Ann\n\n> q\n\n1. one\n\n[w](https://e.com) [m](mailto:a@b.c)",
        NAMES,
    )
    assert "<strong>b</strong>" in html and "<em>i</em>" in html and "<s>s</s>" in html
    assert "<code>@Ann</code>" in html  # no mention inside code
    assert '<span class="mention">@Ann</span>' in html and ids == {3}
    assert "<blockquote>" in html and "<ol>" in html
    assert '<a href="https://e.com" rel="nofollow noopener">w</a>' in html
    assert '<a href="mailto:a@b.c" rel="nofollow noopener">m</a>' in html
    assert markdown.sanitise('<span class="evil mention" style="x">a</span>') == (
        '<span class="mention">a</span>'
    )
