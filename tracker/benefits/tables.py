"""Benefits: the plan of what an initiative is worth (set by the design gate, frozen when the
rollout gate passes), its re-baselines, and the benefits realised month by month."""

from piccolo.columns import (
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import Kpi


class BenefitPlan(Table, tablename="benefit_plan"):
    """One per initiative (raw unique index)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True, on_delete=OnDelete.cascade)
    metric_change = DoublePrecision(null=True, default=None)  # expected change of the goal metric
    value_kind = Varchar(length=10, default="savings")  # savings | revenue
    annual_value = DoublePrecision(default=0.0)  # money a year, in the currency
    one_off_cost = DoublePrecision(default=0.0)
    currency = Varchar(length=3, default="CNY")  # ISO 4217
    start_month = Date()  # the first day of the month benefits start
    # deriving realised benefits from a KPI: (baseline − the month's mean, in the KPI's good
    # direction) × units per month × value per unit
    kpi = ForeignKey(Kpi, null=True, on_delete=OnDelete.set_null)
    kpi_baseline = DoublePrecision(null=True, default=None)
    units_per_month = DoublePrecision(default=1.0)
    value_per_unit = DoublePrecision(null=True, default=None)
    updated_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class BenefitRebaseline(Table, tablename="benefit_rebaseline"):
    """A change of a frozen plan: who, when, the plan before and after (JSON), and why."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True, on_delete=OnDelete.cascade)
    changed_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())
    old_plan = Text()
    new_plan = Text()
    reason = Text()


class BenefitRealised(Table, tablename="benefit_realised"):
    """The benefit realised in one month (one per initiative and month, raw unique index)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True, on_delete=OnDelete.cascade)
    month = Date()  # the first day of the month
    amount = DoublePrecision()
    method = Varchar(length=10, default="entered")  # entered | imported | derived
    note = Varchar(length=300, default="")
    recorded_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())
