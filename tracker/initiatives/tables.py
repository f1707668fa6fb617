"""Improvement initiatives and their six phase records."""

from piccolo.columns import (
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    LazyTableReference,
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


class Initiative(Table, tablename="initiative"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    org = ForeignKey(Organisation, null=False, index=True)
    name = Varchar(length=200)
    process_code = Varchar(length=40)
    process_class = Varchar(length=20)
    departments = Varchar(length=300, default="")
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    sponsor = Varchar(length=120, default="")
    goal_metric = Varchar(length=200)
    goal_unit = Varchar(length=30, default="")
    goal_baseline = DoublePrecision(null=True, default=None)
    goal_target = DoublePrecision(null=True, default=None)
    goal_direction = Varchar(length=10, default="lower")
    goal_due = Date(null=True, default=None)
    scope_in = Text(default="")
    scope_out = Text(default="")
    start_point = Varchar(length=300, default="")
    end_point = Varchar(length=300, default="")
    status = Varchar(length=20, default="on_track")
    start_date = Date()
    # The phase the initiative is in now; moved only by gate decisions.
    current_phase: ForeignKey = ForeignKey(
        LazyTableReference("Phase", module_path="tracker.initiatives.tables"),
        null=True,
        on_delete=OnDelete.set_null,
    )
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Phase(Table, tablename="phase"):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    number = SmallInt()
    planned_start = Date()
    planned_end = Date(null=True, default=None)
    actual_start = Date(null=True, default=None)
    actual_end = Date(null=True, default=None)
