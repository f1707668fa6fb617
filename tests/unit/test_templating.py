"""The templates' escaping is markupsafe's, only faster: same output for every kind of value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import markupsafe
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment

from tracker import templating  # noqa: F401  (installs the escape the templates use)
from tracker.templating import escape


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


VALUES = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(),
    st.decimals(allow_nan=False),
    st.builds(markupsafe.Markup, st.text()),
)


@given(VALUES)
def test_escape_matches_markupsafe(value: object) -> None:
    ours, theirs = escape(value), markupsafe.escape(value)
    assert type(ours) is markupsafe.Markup
    assert ours == theirs


def test_escape_keeps_html_objects_and_escapes_the_rest() -> None:
    assert escape(Html()) == "<b>safe</b>"
    assert escape('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    )
    assert escape(True) == "True"
    assert escape(Decimal("1.5")) == "1.5"
    assert escape(date(2026, 11, 23)) == "2026-11-23"


def test_templates_use_it_and_still_escape() -> None:
    env = Environment(autoescape=True)
    page = env.from_string("<p>{{ text }} {{ n }} {{ html }}</p>").render(
        text="<i>&</i>", n=3, html=Html()
    )
    assert page == "<p>&lt;i&gt;&amp;&lt;/i&gt; 3 <b>safe</b></p>"
    import jinja2.runtime

    assert jinja2.runtime.escape is escape
