"""The benefits area's hand-written statements (see tracker/sql.py): the plan, its
re-baselines, the realised months and the portfolio roll-up (filtered as the board is)."""

from tracker.initiatives.queries import BOARD_FILTER
from tracker.sql import Statement

# --- the plan (tracker/benefits/service.py) -----------------------------------------------
PLAN = Statement(
    "SELECT b.*, k.name AS kpi_name, k.unit AS kpi_unit, k.direction AS kpi_direction "
    "FROM benefit_plan b LEFT JOIN kpi k ON k.id = b.kpi AND k.org = :org "
    "WHERE b.org = :org AND b.initiative = :initiative"
)
DECISIONS_AT_GATE = Statement(
    "SELECT gate, outcome FROM gate_decision "
    "WHERE org = :org AND initiative = :initiative AND gate = :gate"
)
REBASELINES = Statement(
    "SELECT r.id, r.changed_at, r.reason, r.old_plan, r.new_plan, p.name AS changed_by "
    "FROM benefit_rebaseline r LEFT JOIN person p ON p.id = r.changed_by "
    "WHERE r.org = :org AND r.initiative = :initiative ORDER BY r.changed_at DESC, r.id DESC"
)
KPI_CHOICES = Statement(
    "SELECT id, name, unit, direction FROM kpi WHERE org = :org AND initiative = :initiative "
    "ORDER BY name, id"
)

# --- the realised months (tracker/benefits/realised.py) ------------------------------------
REALISED_MONTHS = Statement(
    "SELECT r.id, r.month, r.amount, r.method, r.note, r.recorded_at, p.name AS recorded_by "
    "FROM benefit_realised r LEFT JOIN person p ON p.id = r.recorded_by "
    "WHERE r.org = :org AND r.initiative = :initiative ORDER BY r.month"
)
MEASUREMENTS_SINCE = Statement(
    "SELECT measured_on, value FROM kpi_measurement WHERE org = :org AND kpi = :kpi "
    "AND measured_on >= :since ORDER BY measured_on"
)
MONTHS_NOT_BY = Statement(
    "SELECT month FROM benefit_realised WHERE org = :org AND initiative = :initiative "
    "AND method <> :method"
)

# --- the roll-up (tracker/benefits/rollup.py) ---------------------------------------------
ROLLUP_PLANS = Statement(
    "SELECT i.id, i.process_code, i.name, i.departments, b.currency, b.annual_value, "
    "b.one_off_cost, b.start_month "
    "FROM benefit_plan b JOIN initiative i ON i.id = b.initiative AND i.org = :org "
    f"WHERE b.org = :org {BOARD_FILTER}"
)
ROLLUP_REALISED = Statement(
    "SELECT r.initiative, r.month, SUM(r.amount) AS amount "
    "FROM benefit_realised r "
    "JOIN initiative i ON i.id = r.initiative AND i.org = :org "
    "JOIN benefit_plan b ON b.initiative = r.initiative AND b.org = :org "
    f"WHERE r.org = :org AND r.month >= :first AND r.month <= :last {BOARD_FILTER} "
    "GROUP BY r.initiative, r.month"
)
