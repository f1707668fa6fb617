"""The templates' escaping is markupsafe's, only faster: same output for every kind of value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import markupsafe
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment

from tracker import patches, templating
from tracker.patches import escape

patches.install()  # the escape the templates use


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


def _reference(autoescape: bool) -> Environment:
    """Jinja's own newstyle gettext over the same catalogs."""
    env = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        templating._jinja_gettext, templating._jinja_ngettext, newstyle=True
    )
    return env


def _ours(autoescape: bool) -> Environment:
    env = Environment(autoescape=autoescape)
    templating.configure_jinja(env)
    return env


def _catalog_messages() -> list[str]:
    from babel.messages.pofile import read_po

    from tracker.i18n import LOCALE_DIR

    with (LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    return [m.id for m in catalog if m.id and isinstance(m.id, str) and "%(" not in m.id]


TEMPLATES = [
    ("{{ _(m) }}", {}),
    ("{{ _(m) }}|{{ _(m) }}", {}),  # the kept text the second time
    ("{{ _('%(name)s has %(num)s', name=v, num=3) }}", {"v": "<b>Ada</b> & Co"}),
    ("{{ _('100%% done') }}", {}),
    ("{{ ngettext('%(num)s day', '%(num)s days', n) }}", {"n": 1}),
    ("{{ ngettext('%(num)s day in phase', '%(num)s days in phase', n) }}", {"n": 5}),
    ("{{ ngettext('%(num)s of %(who)s', '%(num)s of %(who)s', n, who=v) }}", {"n": 2, "v": "<i>"}),
    ("{% trans who=v %}Hello {{ who }}{% endtrans %}", {"v": "<x>"}),
    ("{% trans %}Portfolio{% endtrans %}", {}),
]


def test_template_gettext_matches_jinjas_newstyle_gettext() -> None:
    from tracker.i18n import LANGUAGES, language

    messages = _catalog_messages()
    assert len(messages) > 500
    for autoescape in (True, False):
        ours, theirs = _ours(autoescape), _reference(autoescape)
        for lang in LANGUAGES:
            with language(lang):
                for source, variables in TEMPLATES:
                    for m in messages[:50] if "m" in source else [""]:
                        values = {**variables, "m": m}
                        expected = theirs.from_string(source).render(values)
                        assert ours.from_string(source).render(values) == expected
                for m in messages:
                    expected = theirs.from_string("{{ _(m) }}").render(m=m)
                    assert ours.from_string("{{ _(m) }}").render(m=m) == expected
    with language("zh_Hans"):
        assert _ours(True).from_string("{{ _('Portfolio') }}").render() == "项目组合"


def test_imports_see_the_importing_pages_own_globals_as_with_jinja() -> None:
    from jinja2 import DictLoader

    env = Environment(
        loader=DictLoader(
            {
                "macros.html": "{% macro hi() %}hi {{ extra|default('-') }}{% endmacro %}",
                "page.html": '{% import "macros.html" as m %}{{ m.hi() }}',
            }
        ),
        autoescape=True,
    )
    templating.configure_jinja(env)
    assert env.template_class is patches.PageTemplate
    assert env.get_template("page.html").render() == "hi -"
    assert env.get_template("page.html").render() == "hi -"  # the module made once serves
    page = env.get_template("page.html", globals={"extra": "there"})
    assert page.render() == "hi there"  # a name of the page's own: the module is made anew
