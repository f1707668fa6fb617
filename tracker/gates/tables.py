"""Phase gates: criteria templates, the decision rule, reviews, votes, decisions, conditions,
approval steps and the initiative's history.

Every row belongs to an organisation (``org``). Decision records are permanent: no route
updates or deletes a vote, a score or a decision; a correction is a new, linked row.
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person
from tracker.initiatives.tables import Initiative


class GateCriterion(Table, tablename="gate_criterion"):
    """A template criterion of a gate (the gate at the end of phase ``gate``)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    gate = SmallInt()
    position = Integer(default=0)
    text = Varchar(length=300)
    kind = Varchar(length=10, default="should")  # must | should
    weight = SmallInt(default=1)
    evidence = Varchar(length=30, default="")  # the built-in evidence shown beside it
    retired = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class GateRule(Table, tablename="gate_rule"):
    """The organisation's decision rule (one row per organisation)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, unique=True)
    quorum_kind = Varchar(length=10, default="share")  # count | share
    quorum_value = SmallInt(
        default=51
    )  # reviewers, or percent of assigned reviewers (51: more than half)
    go_threshold = Varchar(length=12, default="majority")  # majority | unanimous
    stop_needs_chair = Boolean(default=True)
    chair = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    approval_chain = Text(default="[]")  # JSON: [{"label": str, "person": id}, …] in order
    version = Integer(default=1)


class GateReview(Table, tablename="gate_review"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    gate = SmallInt()
    # open → (awaiting_chair) → (approving) → decided
    status = Varchar(length=20, default="open")
    requested_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz(default=TimestamptzNow())
    proposed_decision = Varchar(length=20)
    due_date = Date()
    rule_snapshot = Text()  # the decision rule in force when requested (JSON)
    # the outcome waiting for the approval chain, when there is one
    pending_outcome = Text(default="")  # JSON
    claim = Integer(default=0)  # bumped by whoever closes the review: serialises closers


class ReviewCriterion(Table, tablename="review_criterion"):
    """A criterion as it was when the review was requested, with the lead's evidence."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False, index=True)
    position = Integer()
    text = Varchar(length=300)
    kind = Varchar(length=10)
    weight = SmallInt()
    evidence = Varchar(length=30, default="")
    evidence_note = Text(default="")
    evidence_links = Text(default="")


class ReviewAssignment(Table, tablename="review_assignment"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False, index=True)
    reviewer = ForeignKey(Person, null=False, index=True)


class Vote(Table, tablename="gate_vote"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False, index=True)
    reviewer = ForeignKey(Person, null=False)
    vote = Varchar(length=20)  # go | go_conditions | recycle | hold | stop | abstain
    recycle_to = SmallInt(null=True, default=None)
    rationale = Text(default="")
    conditions = Text(default="")  # proposed conditions, one per line
    submitted_at = Timestamptz(default=TimestamptzNow())


class Score(Table, tablename="gate_score"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False, index=True)
    criterion = ForeignKey(ReviewCriterion, null=False)
    reviewer = ForeignKey(Person, null=False)
    value = SmallInt()  # must-meet: 1 yes / 0 no; should-meet: 1–5


class GateDecision(Table, tablename="gate_decision"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False)
    initiative = ForeignKey(Initiative, null=False, index=True)
    gate = SmallInt()
    outcome = Varchar(length=20)
    recycle_to = SmallInt(null=True, default=None)
    method = Varchar(length=10)  # rule | chair
    decided_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(default=TimestamptzNow())
    rationale = Text(default="")
    next_gate_date = Date(null=True, default=None)
    from_phase = SmallInt()
    to_phase = SmallInt()


class DecisionCorrection(Table, tablename="decision_correction"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    decision = ForeignKey(GateDecision, null=False, index=True)
    author = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Condition(Table, tablename="gate_condition"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    decision = ForeignKey(GateDecision, null=False)
    text = Varchar(length=500)
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    due_date = Date()
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    closing_note = Text(default="")


class ApprovalStep(Table, tablename="approval_step"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    review = ForeignKey(GateReview, null=False, index=True)
    level = SmallInt()
    label = Varchar(length=100)
    approver = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=10, default="pending")  # pending | approved | declined
    acted_at = Timestamptz(null=True, default=None)
    note = Text(default="")


class InitiativeEvent(Table, tablename="initiative_event"):
    """The initiative's history: every gate step with actor and time."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    kind = Varchar(length=30)
    detail = Text(default="")  # JSON
