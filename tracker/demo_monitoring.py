"""The demo's control chart: a KPI measured every working day and today (the day the demo
is made, whatever day of the week: its "daily" frequency then shows no overdue badge at a
weekend; a whole calendar of days would not fit the 104 points a KPI page shows), of the
first initiative in continuous monitoring. Its level shifts down at the pilot's start and
again at rollout (a stage each, with limits of its own), and one special cause after rollout
(a point beyond the new upper limit) raised a signal alert. Called from tracker.demo with
one line."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.demo_content import T, resolve
from tracker.initiatives.tables import Phase
from tracker.kpis import spc
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, KpiStage

NOISE = [0.3, -0.2, 0.1, -0.4, 0.2, -0.1, 0.35, -0.25, 0.05, -0.3, 0.25, -0.15]
LEVELS = {"baseline": 4.2, "pilot": 3.4, "rollout": 2.6}  # days per complaint
LIMIT_POINTS = {"baseline": 15, "pilot": 10, "rollout": 12}
SPECIAL_DAYS_AGO = 4  # the special cause, 4 measurements ago: a backlog after an outage
SPECIAL_VALUE = 3.6


NAME = T("Complaint cycle time", "投诉处理时长")
FORMULA = T(
    "Σ(closed_at − opened_at) / closed complaints, per working day",
    "Σ(结案时间 − 受理时间) / 结案投诉数，按工作日",
)
UNIT = T("working days", "工作日")
DEPARTMENT = T("Customer service", "客服部")


async def seed_monitoring(org: int, recorded_by: int, today: date, lang: str = "en") -> int | None:
    """The demo KPI with its stages, kept limits and signal alerts; its id, or None when no
    initiative of the organisation has reached monitoring after a pilot and a rollout."""
    starts = {
        (r["initiative"], r["number"]): r["actual_start"]
        for r in await Phase.select(Phase.initiative, Phase.number, Phase.actual_start).where(
            Phase.org == org, Phase.number.is_in([4, 5, 6]), Phase.actual_start.is_not_null()
        )
    }
    ready = sorted(i for i, n in starts if n == 6 and (i, 4) in starts and (i, 5) in starts)
    if not ready:
        return None
    initiative = ready[0]
    pilot, rollout = starts[(initiative, 4)], starts[(initiative, 5)]
    first = pilot - timedelta(days=21)
    kpi = (
        await Kpi.insert(
            Kpi(
                org=org,
                initiative=initiative,
                name=resolve(NAME, lang),
                formula=resolve(FORMULA, lang),
                data_source="CRM",
                frequency="daily",
                unit=resolve(UNIT, lang),
                direction="lower",
                target=3.0,
                threshold=3.8,
                department=resolve(DEPARTMENT, lang),
            )
        )
    )[0]["id"]
    days, values = [], []
    # complaints are closed Mon–Fri, and today's figure is in: the last measurement is today
    measured_days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    measured_days = [d for d in measured_days if d.weekday() < 5 or d == today]
    for n, day in enumerate(measured_days):
        stage = "rollout" if day >= rollout else "pilot" if day >= pilot else "baseline"
        value = LEVELS[stage] + NOISE[n % len(NOISE)] * 0.5
        if n == len(measured_days) - SPECIAL_DAYS_AGO:
            value = SPECIAL_VALUE
        days.append(day)
        values.append(round(value, 2))
    ids = await KpiMeasurement.insert(
        *(
            KpiMeasurement(org=org, kpi=kpi, measured_on=d, value=v, recorded_by=recorded_by)
            for d, v in zip(days, values, strict=True)
        )
    )
    stages = []
    for label, begins in (("baseline", first), ("pilot", pilot), ("rollout", rollout)):
        part = [v for d, v in zip(days, values, strict=True) if d >= begins][: LIMIT_POINTS[label]]
        limits = spc.xmr_limits(part)
        stages.append(spc.Stage(begins, label, limits))
        await KpiStage.insert(
            KpiStage(
                org=org,
                kpi=kpi,
                starts_on=begins,
                label=label,
                limit_points=LIMIT_POINTS[label],
                centre=limits.centre if limits else None,
                mr_bar=limits.mr_bar if limits else None,
                based_on=limits.points if limits else 0,
            )
        )
    for segment in spc.segments(days, values, stages, spc.RULES):
        for signal in segment.signals:
            assert segment.stage.limits is not None
            await KpiAlert.insert(
                KpiAlert(
                    org=org,
                    kpi=kpi,
                    measurement=ids[signal.index]["id"],
                    measured_on=days[signal.index],
                    value=values[signal.index],
                    threshold=segment.stage.limits.upper,
                    kind="signal",
                    rule=signal.rule,
                )
            )
    return int(kpi)
