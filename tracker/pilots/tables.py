"""Pilot records (the pilot evaluation table): metrics before and after, satisfaction,
problems that missed the target, and the feedback log."""

from piccolo.columns import (
    Date,
    DoublePrecision,
    ForeignKey,
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
from tracker.problems.tables import Problem


class Pilot(Table, tablename="pilot"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    process = Varchar(length=200)
    scope = Varchar(length=200)  # team or region
    start_date = Date()
    end_date = Date(null=True, default=None)
    summary = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PilotMetric(Table, tablename="pilot_metric"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    pilot = ForeignKey(Pilot, null=False, index=True)
    name = Varchar(length=200)
    unit = Varchar(length=30, default="")
    direction = Varchar(length=10)  # lower | higher
    baseline = DoublePrecision(null=True, default=None)
    result = DoublePrecision(null=True, default=None)
    target = DoublePrecision(null=True, default=None)
    recorded_at = Timestamptz(null=True, default=None)  # when the result (after) was recorded


class SatisfactionRating(Table, tablename="satisfaction_rating"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    pilot = ForeignKey(Pilot, null=False, index=True)
    score = SmallInt()
    rated_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    rated_at = Timestamptz(default=TimestamptzNow())


class UnmetProblem(Table, tablename="pilot_unmet_problem"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    pilot = ForeignKey(Pilot, null=False, index=True)
    problem = Varchar(length=300)
    cause = Varchar(length=300)


class PilotFeedback(Table, tablename="pilot_feedback"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    pilot = ForeignKey(Pilot, null=False, index=True)
    author = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    category = Varchar(length=20)  # process | form | tool | training | other
    text = Text()
    problem = ForeignKey(Problem, null=True, on_delete=OnDelete.set_null)
