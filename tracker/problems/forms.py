"""What the problem forms say, as plain values for the service: read here from the request's
form, checked by the service, whose field errors come back as ``errors.Invalid`` and are shown
beside the fields (``controller.create_problem``, ``controller.update_problem``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tracker.problems import rules
from tracker.web import Form

BLANK_STEPS = 3  # empty step rows below the recorded ones: a save adds them as steps
MAX_ROWS = 80  # rows read from one form (the service refuses more than rules' 50 steps)
_ROW_FIELD = re.compile(r"^(?:no|step|role|minutes|kinds)_(\d{1,3})$")


@dataclass(frozen=True)
class StepRow:
    """One row of the as-is evidence: its number (the order), the step, the responsible role,
    the minutes and the kinds of problem ticked. ``index`` names its fields (``step_<index>``)."""

    index: int
    no: str
    step: str
    role: str
    minutes: str
    kinds: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not (self.step or self.role or self.minutes or self.kinds)


@dataclass(frozen=True)
class ProblemInput:
    """A problem as the person wrote it; ``version`` is the one they edited (the edit form)."""

    title: str
    description: str
    category: str
    impact: str
    urgency: str
    fishbone: str
    whys: str
    owner: str
    status: str
    steps: tuple[StepRow, ...] = ()
    version: str = ""

    @classmethod
    def from_form(cls, form: Form) -> ProblemInput:
        found = {int(m.group(1)) for key in form.values if (m := _ROW_FIELD.match(key))}
        indexes = sorted(found)[:MAX_ROWS]
        steps = tuple(
            StepRow(
                index=i,
                no=form.get(f"no_{i}"),
                step=form.get(f"step_{i}"),
                role=form.get(f"role_{i}"),
                minutes=form.get(f"minutes_{i}"),
                kinds=tuple(form.all(f"kinds_{i}")),
            )
            for i in indexes
        )
        return cls(
            title=form.get("title"),
            description=form.get("description"),
            category=form.get("category"),
            impact=form.get("impact"),
            urgency=form.get("urgency"),
            fishbone=form.get("fishbone"),
            whys=form.get("whys"),
            owner=form.get("owner"),
            status=form.get("status"),
            steps=steps,
            version=form.get("version"),
        )


def show_steps(form: Form, steps: list[dict[str, Any]]) -> int:
    """Put the recorded steps in the form's rows (the edit form); the number of rows to show,
    blank rows to add steps included."""
    for i, s in enumerate(steps):
        form.values.update(
            {
                f"no_{i}": str(i + 1),
                f"step_{i}": s["step"],
                f"role_{i}": s["role"] or "",
                f"minutes_{i}": "" if s["minutes"] is None else str(s["minutes"]),
            }
        )
        form.lists[f"kinds_{i}"] = list(rules.kinds_of(s["kinds"]))
    return _with_blanks(form, len(steps))


def show_submitted(form: Form, data: ProblemInput) -> int:
    """The number of rows to show a form again with: the rows sent, each at its index so
    that its errors stay beside it, trailing blank rows giving way to fresh ones."""
    last = max((row.index for row in data.steps if not row.blank), default=-1)
    return _with_blanks(form, last + 1)


def _with_blanks(form: Form, rows: int) -> int:
    for i in range(rows, rows + BLANK_STEPS):
        form.values[f"no_{i}"] = str(i + 1)
        for name in ("step", "role", "minutes"):
            form.values.pop(f"{name}_{i}", None)
        form.lists.pop(f"kinds_{i}", None)
    return rows + BLANK_STEPS
