"""Parts of the gate review page kept rendered (``tracker.fragments``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request
from markupsafe import Markup

from tracker.fragments import FragmentCache, Shown
from tracker.gates import rules
from tracker.web import Form, render_part

CONDITIONS_TEMPLATE = "gates/_condition_rows.html"
CONDITION_ROWS = range(rules.CONDITION_ROWS)
# The empty condition rows of the vote's and the chair's forms, per organisation's members,
# day and language.
CONDITION_PARTS = FragmentCache(max_entries=300)


class ConditionRows:
    """The condition rows of a review's vote or decision form (``{{ condition_rows(form) }}``):
    each a condition, its owner chosen among the organisation's members and its due date. An
    empty form's rows are the same for every visitor of the organisation that day, so they are
    kept; a form that comes back with input and errors is rendered with them."""

    def __init__(self, request: Request, members: list[dict[str, Any]], today: date) -> None:
        self.request = request
        self.members = members
        self.today = today

    def __call__(self, form: Form) -> Markup:
        context = {"members": self.members, "today": self.today, "condition_rows": CONDITION_ROWS}
        if form.values or form.errors:
            return Markup(render_part(self.request, CONDITIONS_TEMPLATE, form=form, **context))
        shown = Shown.of(
            CONDITIONS_TEMPLATE,
            None,
            tuple((m["id"], m["name"]) for m in self.members),
            today=self.today,
            prefix=form.prefix,
        )
        return CONDITION_PARTS.render(
            shown,
            lambda: render_part(
                self.request, CONDITIONS_TEMPLATE, form=Form({}, form.prefix), **context
            ),
        )
