"""The form macros' field errors and descriptions (tracker.templating.field_error and
field_described, called by every field of every form): what a screen reader is told."""

from __future__ import annotations

from markupsafe import Markup

from tracker.templating import environment
from tracker.web import Form

FIELD = (
    '{% import "macros/forms.html" as f %}'
    "{{ f.input(form, 'title', 'Title', hint=hint) }}"
    "{{ f.select(form, 'kind', 'Kind', [('a', 'A'), ('b', 'B')]) }}"
)


def render(form: Form, hint: str | None) -> str:
    return environment().from_string(FIELD, globals={"_": str}).render(form=form, hint=hint)


def test_a_field_with_a_hint_and_an_error_is_described_by_both_and_invalid():
    form = Form({"title": "<b>x</b>"}, prefix="p-")
    form.error("title", "Too <short>")
    html = render(form, "Say what fails")
    assert 'aria-describedby="p-title-hint p-title-error" aria-invalid="true"' in html
    assert '<p class="field-error" id="p-title-error">Too &lt;short&gt;</p>' in html
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in html  # the input came back, escaped
    assert 'id="p-kind"' in html and 'name="kind" aria-describedby' not in html  # no error


def test_a_field_without_hint_or_error_has_no_description():
    html = render(Form({}), None)
    assert "aria-describedby" not in html and "aria-invalid" not in html
    assert "field-error" not in html


def test_the_helpers_escape_the_prefix_name_and_message():
    from tracker.templating import field_described, field_error

    form = Form({}, prefix='"><')
    form.error("n", "<script>")
    assert field_error(form, "n") == Markup(
        '<p class="field-error" id="&#34;&gt;&lt;n-error">&lt;script&gt;</p>'
    )
    assert field_described(form, "n", None) == Markup(
        ' aria-describedby="&#34;&gt;&lt;n-error" aria-invalid="true"'
    )
