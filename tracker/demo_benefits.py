"""The demo's benefits: a plan for every initiative from Design on (the expected change of its
goal and the money a year, in CNY), and realised months for those past the rollout gate,
some behind plan and some ahead, so the roll-up has a gap to call out."""

from __future__ import annotations

from datetime import date

from tracker.benefits.rules import add_months, month_of, months
from tracker.benefits.tables import BenefitPlan, BenefitRealised
from tracker.initiatives.tables import Initiative, Phase

ANNUAL = (360_000.0, 240_000.0, 180_000.0, 150_000.0, 120_000.0, 96_000.0)
# realised as a share of the monthly plan, month after month
PACE = (0.55, 0.7, 0.8, 0.9, 1.0, 1.05, 1.1)


async def seed_benefits(org: int, recorded_by: int, today: date) -> int:
    """Plans and realised months; how many plans."""
    rows = await Initiative.select(
        Initiative.id,
        Initiative.goal_baseline,
        Initiative.goal_target,
        Initiative.current_phase.number,
        Initiative.status,
    ).where(Initiative.org == org, Initiative.current_phase.number >= 3)
    starts = {
        r["initiative"]: r["actual_start"]
        for r in await Phase.select(Phase.initiative, Phase.actual_start).where(
            Phase.org == org, Phase.number == 6, Phase.actual_start.is_not_null()
        )
    }
    plans, realised = [], []
    for k, row in enumerate(sorted(rows, key=lambda r: r["id"])):
        if row["status"] == "stopped":
            continue
        annual = ANNUAL[k % len(ANNUAL)]
        started = starts.get(row["id"])
        start = month_of(started) if started else add_months(month_of(today), 2)
        start = min(start, add_months(month_of(today), -5)) if started else start
        change = None
        if row["goal_baseline"] is not None and row["goal_target"] is not None:
            change = row["goal_target"] - row["goal_baseline"]
        plans.append(
            BenefitPlan(
                org=org,
                initiative=row["id"],
                metric_change=change,
                annual_value=annual,
                one_off_cost=round(annual * 0.3),
                currency="CNY",
                start_month=start,
                updated_by=recorded_by,
            )
        )
        if started:
            shift = k % 3  # one initiative behind, one on plan, one ahead
            for n, month in enumerate(months(start, month_of(today))):
                pace = PACE[min(n + shift * 2, len(PACE) - 1)]
                realised.append(
                    BenefitRealised(
                        org=org,
                        initiative=row["id"],
                        month=month,
                        amount=round(annual / 12 * pace),
                        method="entered",
                        recorded_by=recorded_by,
                    )
                )
    if plans:
        await BenefitPlan.insert(*plans)
    if realised:
        await BenefitRealised.insert(*realised)
    return len(plans)
