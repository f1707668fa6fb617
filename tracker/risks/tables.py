"""Risks (with their score history) and the change-resistance log."""

from piccolo.columns import (
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


class Risk(Table, tablename="risk"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    description = Varchar(length=300)
    category = Varchar(length=20)  # organisation | communication | people | process | data | other
    likelihood = SmallInt()
    impact = SmallInt()
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    mitigation = Text(default="")
    status = Varchar(length=20, default="open")  # open | mitigating | closed
    manifestation = Text(default="")  # 风险表现 (seed 004 §4): how the risk shows itself
    review_date = Date(null=True, default=None)
    residual_likelihood = SmallInt(null=True, default=None)
    residual_impact = SmallInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RiskScoreChange(Table, tablename="risk_score_change"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    risk = ForeignKey(Risk, null=False, index=True)
    likelihood = SmallInt()
    impact = SmallInt()
    changed_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())


class ResistanceEntry(Table, tablename="resistance_entry"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    stakeholder_group = Varchar(length=150)
    level = Varchar(length=10)  # none | low | medium | high
    barrier = Varchar(length=20)  # awareness | desire | knowledge | ability | reinforcement
    concern = Text(default="")
    root_cause = Text(default="")
    action = Text(default="")
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    due_date = Date(null=True, default=None)
    status = Varchar(length=20, default="open")  # open | in_progress | done
    outcome = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
