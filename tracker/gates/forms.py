"""What the gate pages' forms say, as plain values for the services: read here from what the
form submitted (``Form.submitted``), checked by the service, whose field errors come back as
``errors.Invalid`` and are shown beside the fields (see ``controller.vote``)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.gates import rules
from tracker.values import Submitted


@dataclass(frozen=True)
class ConditionRows:
    """The conditions a reviewer or the chair wrote: a row each (condition, owner, due date),
    and the older one-per-line field."""

    rows: tuple[tuple[str, str, str], ...]
    text: str

    @classmethod
    def from_form(cls, form: Submitted) -> ConditionRows:
        rows = tuple(
            (
                form.get(f"condition_{i}"),
                form.get(f"condition_owner_{i}"),
                form.get(f"condition_due_{i}"),
            )
            for i in range(rules.CONDITION_ROWS)
        )
        return cls(rows, form.get("conditions"))


@dataclass(frozen=True)
class VoteInput:
    """A reviewer's vote: the vote, the score entered per criterion (``score_<id>``), the
    phase to recycle to, the rationale and the conditions."""

    vote: str
    scores: tuple[tuple[str, str], ...]
    recycle_to: str
    rationale: str
    conditions: ConditionRows

    @classmethod
    def from_form(cls, form: Submitted) -> VoteInput:
        return cls(
            vote=form.get("vote"),
            scores=tuple((k, v) for k, v in form.items() if k.startswith("score_")),
            recycle_to=form.get("recycle_to"),
            rationale=form.get("rationale"),
            conditions=ConditionRows.from_form(form),
        )

    def score(self, criterion_id: int) -> str:
        return dict(self.scores).get(f"score_{criterion_id}", "")


@dataclass(frozen=True)
class DecisionInput:
    """The chair's decision: the decision, the phase to recycle to, the rationale, the
    conditions with their default due date, and the next gate's date."""

    decision: str
    recycle_to: str
    rationale: str
    conditions: ConditionRows
    condition_due: str
    next_gate_date: str

    @classmethod
    def from_form(cls, form: Submitted) -> DecisionInput:
        return cls(
            decision=form.get("decision"),
            recycle_to=form.get("recycle_to"),
            rationale=form.get("rationale"),
            conditions=ConditionRows.from_form(form),
            condition_due=form.get("condition_due"),
            next_gate_date=form.get("next_gate_date"),
        )
