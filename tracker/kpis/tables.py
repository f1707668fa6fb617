"""Monitoring KPIs (seed 003 template 3), their dated measurements, threshold alerts, and
the optimisation log (seed 003 template 4)."""

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


class Kpi(Table, tablename="kpi"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    name = Varchar(length=200)
    formula = Text(default="")
    data_source = Varchar(length=200, default="")
    frequency = Varchar(length=10, default="weekly")  # daily | weekly | monthly
    unit = Varchar(length=30, default="")
    direction = Varchar(length=10, default="lower")  # lower | higher is better
    target = DoublePrecision()
    threshold = DoublePrecision()  # past it (in the bad direction) an alert is raised
    department = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    revision = Integer(default=0)
    # the control chart it is read on: individuals (XmR) | proportion (p-chart, each
    # measurement with its denominator) | count (c-chart, counts of events)
    chart_kind = Varchar(length=12, default="individuals")


class KpiMeasurement(Table, tablename="kpi_measurement"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    kpi = ForeignKey(Kpi, null=False, index=True, on_delete=OnDelete.cascade)
    measured_on = Date()  # one per KPI and date (raw unique index)
    value = DoublePrecision()
    denominator = DoublePrecision(null=True, default=None)  # of a proportion: how many counted
    source = Varchar(length=10, default="form")  # form | import | api
    recorded_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class KpiAlert(Table, tablename="kpi_alert"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    kpi = ForeignKey(Kpi, null=False, index=True, on_delete=OnDelete.cascade)
    measurement = ForeignKey(KpiMeasurement, null=True, on_delete=OnDelete.cascade)
    measured_on = Date()
    value = DoublePrecision()
    threshold = DoublePrecision()
    raised_at = Timestamptz(default=TimestamptzNow())
    acknowledged_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    acknowledged_at = Timestamptz(null=True, default=None)
    # "threshold": the measurement is past the alert threshold; "signal": a special cause on
    # the control chart (`rule` says which). One per KPI, kind, rule and date (raw unique index).
    kind = Varchar(length=12, default="threshold")  # threshold | signal | sustainment
    rule = Varchar(length=20, default="")


class KpiStage(Table, tablename="kpi_stage"):
    """A stage of a KPI's control chart (baseline, pilot, rollout …) from a date on, with its
    limits computed from its first `limit_points` measurements: later points never move them."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    kpi = ForeignKey(Kpi, null=False, index=True, on_delete=OnDelete.cascade)
    starts_on = Date()  # one stage per KPI and date (raw unique index)
    label = Varchar(length=20, default="baseline")
    limit_points = Integer(default=20)
    # the limits, kept as computed: until `based_on` reaches `limit_points` each new point of
    # the stage recomputes them; then they stay until a person recomputes them on purpose
    centre = DoublePrecision(null=True, default=None)
    mr_bar = DoublePrecision(null=True, default=None)
    based_on = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class ControlChartSetting(Table, tablename="control_chart_setting"):
    """The special-cause rules an organisation applies (comma-separated keys of
    tracker.kpis.spc.RULES); no row means all of them."""

    id: Serial
    org = ForeignKey(Organisation, null=False, unique=True)
    rules = Varchar(length=100, default="beyond,run8,trend6,two_of_three,four_of_five")
    sustainment_days = Varchar(length=50, default="30,90,180")  # after the rollout gate


class SustainmentCheck(Table, tablename="sustainment_check"):
    """A KPI checked N days after its initiative passed the rollout gate: held, drifting (a
    special cause toward the baseline) or lost; a drifting or lost check proposes to the
    committee to recycle the initiative to Design, accepted or dismissed with a reason.
    One per KPI and N (raw unique index)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    kpi = ForeignKey(Kpi, null=False, index=True, on_delete=OnDelete.cascade)
    initiative = ForeignKey(Initiative, null=False, index=True)
    days = Integer()
    due_on = Date()
    outcome = Varchar(length=10)  # held | drifting | lost
    recent_mean = DoublePrecision()
    after_value = DoublePrecision(null=True, default=None)
    baseline_value = DoublePrecision(null=True, default=None)
    checked_at = Timestamptz(default=TimestamptzNow())
    decision = Varchar(length=10, default="")  # "" | accepted | dismissed
    reason = Text(default="")
    decided_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)


class OptimisationEntry(Table, tablename="optimisation_log"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    logged_on = Date()
    process = Varchar(length=200)
    background = Text(default="")
    measures = Text(default="")
    effect = Text(default="")
    owner = Varchar(length=200, default="")
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
