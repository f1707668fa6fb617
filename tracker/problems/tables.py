"""Problems found in research (with the impact–urgency matrix), their as-is evidence,
score history, and the measures of the optimisation design table."""

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


class Problem(Table, tablename="problem"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    category = Varchar(length=20)  # efficiency | quality | coordination | risk
    impact = SmallInt()
    urgency = SmallInt()
    fishbone = Varchar(length=20, default="")  # people | machine | material | method | environment
    whys = Text(default="")  # the 5-whys chain, one reason per line
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, default="open")  # open | analysing | solved | deferred
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class AsIsStep(Table, tablename="as_is_step"):
    """As-is evidence of a problem: a step, its responsible role, its duration in minutes and
    the kinds of problem found at it (seed 004 表1, 存在问题, 可多选)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    problem = ForeignKey(Problem, null=False, index=True)
    position = SmallInt()
    step = Varchar(length=200)
    role = Varchar(length=100, default="")
    minutes = Integer(null=True, default=None)
    # none or several of rules.KINDS, in that order, comma-separated (rules.kinds_text)
    kinds = Varchar(length=60, default="")


class ProblemScoreChange(Table, tablename="problem_score_change"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    problem = ForeignKey(Problem, null=False, index=True)
    impact_from = SmallInt()
    urgency_from = SmallInt()
    impact_to = SmallInt()
    urgency_to = SmallInt()
    changed_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())


class Measure(Table, tablename="measure"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    goal = Varchar(length=300)
    problem = ForeignKey(Problem, null=True, on_delete=OnDelete.set_null)
    measure = Text()
    department = Varchar(length=100, default="")
    completion_date = Date(null=True, default=None)
    expected_effect = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())
