"""Gathering a digest's data: once per organisation and period, in a fixed number of
queries (``gather``), then split per person in Python (``person_data``): the digest job's cost
grows with rows, not with queries per person."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.benefits import rollup as benefits_rollup
from tracker.benefits.rules import month_of
from tracker.digests import queries, rules
from tracker.gates.tables import Condition, GateDecision, ReviewAssignment, Vote
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import KpiAlert
from tracker.pilots import rules as pilot_rules
from tracker.pilots.tables import PilotMetric
from tracker.problems import rules as problem_rules
from tracker.problems.tables import Problem
from tracker.risks import rules as risk_rules
from tracker.risks.tables import RiskScoreChange
from tracker.tenancy import TenantScope

CONDITION_HORIZON_DAYS = 7


@dataclass
class OrgData:
    """Everything the digests of one organisation and period draw from."""

    initiatives: dict[int, dict[str, Any]]
    open_assignments: list[dict[str, Any]]
    votes: set[tuple[int, int]]
    conditions: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    risk_changes: list[dict[str, Any]]
    pilot_results: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    kpi_alerts: list[dict[str, Any]]
    benefits: list[dict[str, Any]]
    # notifications the people chose to receive in the digest (tracker.notifications)
    notifications: list[dict[str, Any]] = field(default_factory=list)


# kinds the digest already shows in a section of their own (reviews waiting for a vote,
# conditions coming due, KPI breaches): not repeated among the notifications
IN_SECTIONS = ("vote_requested", "condition_due", "kpi_breach")


async def gather(scope: TenantScope, start: datetime, end: datetime, today: date) -> OrgData:
    initiatives = {
        r["id"]: r
        for r in await scope.select(
            Initiative,
            Initiative.id,
            Initiative.name,
            Initiative.process_code,
            Initiative.owner,
            Initiative.status,
            Initiative.current_phase.number,
            Initiative.current_phase.planned_end,
            Initiative.current_phase.actual_end,
        )
    }
    open_assignments = await scope.select(
        ReviewAssignment,
        ReviewAssignment.reviewer,
        ReviewAssignment.review.id,
        ReviewAssignment.review.gate,
        ReviewAssignment.review.due_date,
        ReviewAssignment.review.initiative,
    ).where(ReviewAssignment.review.status == "open")
    votes = {
        (v["review"], v["reviewer"])
        for v in await scope.select(Vote, Vote.review, Vote.reviewer).where(
            Vote.review.status == "open"
        )
    }
    conditions = await scope.select(
        Condition,
        Condition.id,
        Condition.text,
        Condition.owner,
        Condition.due_date,
        Condition.initiative,
    ).where(
        Condition.closed_at.is_null(),
        Condition.due_date <= today + timedelta(days=CONDITION_HORIZON_DAYS),
    )
    problems = await scope.select(
        Problem,
        Problem.id,
        Problem.title,
        Problem.impact,
        Problem.urgency,
        Problem.initiative,
        Problem.status,
    ).where(Problem.created_at >= start, Problem.created_at < end)
    risk_changes = (
        await scope.select(
            RiskScoreChange,
            RiskScoreChange.risk,
            RiskScoreChange.likelihood,
            RiskScoreChange.impact,
            RiskScoreChange.changed_at,
            RiskScoreChange.risk.description,
            RiskScoreChange.risk.initiative,
            RiskScoreChange.risk.status,
        )
        .where(RiskScoreChange.changed_at < end)
        .order_by(RiskScoreChange.changed_at)
    )
    pilot_results = await scope.select(
        PilotMetric,
        PilotMetric.name,
        PilotMetric.unit,
        PilotMetric.direction,
        PilotMetric.baseline,
        PilotMetric.result,
        PilotMetric.target,
        PilotMetric.pilot.process,
        PilotMetric.pilot.initiative,
    ).where(PilotMetric.recorded_at >= start, PilotMetric.recorded_at < end)
    decisions = await scope.select(
        GateDecision, GateDecision.initiative, GateDecision.gate, GateDecision.outcome
    ).where(GateDecision.decided_at >= start, GateDecision.decided_at < end)
    kpi_alerts = await scope.select(
        KpiAlert,
        KpiAlert.kpi,
        KpiAlert.value,
        KpiAlert.threshold,
        KpiAlert.measured_on,
        KpiAlert.kind,
        KpiAlert.rule,
        KpiAlert.kpi.name,
        KpiAlert.kpi.unit,
        KpiAlert.kpi.direction,
        KpiAlert.kpi.initiative,
    ).where(KpiAlert.raised_at >= start, KpiAlert.raised_at < end)
    # planned vs realised this year so far (two queries whatever the number of initiatives)
    year = await benefits_rollup.portfolio(scope, None, month_of(today).replace(month=1), today)
    notifications = await scope.fetch_dicts(
        queries.NOTIFICATIONS_FOR_DIGEST, start=start, end=end, in_sections=IN_SECTIONS
    )
    return OrgData(
        initiatives,
        open_assignments,
        votes,
        conditions,
        problems,
        risk_changes,
        pilot_results,
        decisions,
        kpi_alerts,
        benefits_rollup.summary(year),
        notifications,
    )


def _high_risks(
    changes: list[dict[str, Any]], start: datetime, relevant: set[int]
) -> list[dict[str, Any]]:
    """Risks that became high (score ≥ 15) in the period: new ones, or rising ones."""
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        history[change["risk"]].append(change)
    items = []
    for risk_id, rows in history.items():
        latest = rows[-1]
        if latest["changed_at"] < start or latest["risk.status"] == "closed":
            continue
        if latest["risk.initiative"] not in relevant:
            continue
        score = risk_rules.score(latest["likelihood"], latest["impact"])
        before = [r for r in rows if r["changed_at"] < start]
        previous = (
            risk_rules.score(before[-1]["likelihood"], before[-1]["impact"]) if before else None
        )
        if score >= risk_rules.HIGH_RISK and (previous is None or score > previous):
            items.append(
                {
                    "id": risk_id,
                    "description": latest["risk.description"],
                    "score": score,
                    "previous": previous,
                    "initiative": latest["risk.initiative"],
                }
            )
    return sorted(items, key=lambda r: -r["score"])


def person_data(
    data: OrgData, person_id: int, role: str, today: date, start: datetime
) -> dict[str, list]:
    """The raw items of one person's digest (``rules.compose`` decides what shows)."""
    owned = {i for i, row in data.initiatives.items() if row["owner"] == person_id}
    relevant = owned if role == "lead" else set(data.initiatives)
    reviews = [
        {
            "review": a["review.id"],
            "gate": a["review.gate"],
            "due_date": a["review.due_date"],
            "overdue": a["review.due_date"] < today,
            "initiative": a["review.initiative"],
        }
        for a in data.open_assignments
        if a["reviewer"] == person_id and (a["review.id"], person_id) not in data.votes
    ]
    overdue = []
    for i in owned:
        row = data.initiatives[i]
        if row["status"] in ("stopped", "completed", "on_hold"):
            continue
        planned_end, actual_end = row["current_phase.planned_end"], row["current_phase.actual_end"]
        if initiative_rules.is_overdue(planned_end, actual_end, today):
            overdue.append(
                {
                    "initiative": i,
                    "phase": row["current_phase.number"],
                    "planned_end": planned_end,
                    "days_late": initiative_rules.days_late(planned_end, actual_end, today),
                }
            )
    conditions = [
        {
            "text": c["text"],
            "due_date": c["due_date"],
            "overdue": c["due_date"] < today,
            "initiative": c["initiative"],
        }
        for c in data.conditions
        if c["owner"] == person_id
    ]
    problems = [
        {
            "title": p["title"],
            "impact": p["impact"],
            "urgency": p["urgency"],
            "initiative": p["initiative"],
        }
        for p in data.problems
        if p["initiative"] in relevant
        and problem_rules.quadrant(p["impact"], p["urgency"]) == problem_rules.Quadrant.DO_FIRST
        and p["status"] in ("open", "analysing")
    ]
    results = [
        {
            "name": m["name"],
            "unit": m["unit"],
            "process": m["pilot.process"],
            "baseline": m["baseline"],
            "result": m["result"],
            "change": pilot_rules.change_percent(m["baseline"], m["result"]),
            "met": pilot_rules.target_met(m["direction"], m["result"], m["target"]),
            "initiative": m["pilot.initiative"],
        }
        for m in data.pilot_results
        if m["pilot.initiative"] in relevant
    ]
    portfolio = []
    if role in rules.PORTFOLIO_ROLES:
        per_phase: dict[int, int] = defaultdict(int)
        for row in data.initiatives.values():
            if row["status"] not in ("stopped", "completed"):
                per_phase[row["current_phase.number"] or 1] += 1
        portfolio = [
            {
                "per_phase": [per_phase.get(n, 0) for n in range(1, 7)],
                "decisions": [d for d in data.decisions if d["initiative"] in relevant],
            }
        ]
    return {
        "reviews_waiting": reviews,
        "phases_overdue": overdue,
        "conditions_due": conditions,
        "do_first_problems": problems,
        "high_risks": _high_risks(data.risk_changes, start, relevant),
        "pilot_results": results,
        "kpi_breaches": [
            {
                "kpi": a["kpi"],
                "name": a["kpi.name"],
                "unit": a["kpi.unit"],
                "value": a["value"],
                "threshold": a["threshold"],
                "above": a["kpi.direction"] == "lower",
                "measured_on": a["measured_on"],
                "initiative": a["kpi.initiative"],
                "kind": a["kind"],
                "rule": a["rule"],
            }
            for a in data.kpi_alerts
            if a["kpi.initiative"] in relevant
        ],
        "notifications": [n for n in data.notifications if n["person"] == person_id],
        "portfolio": portfolio,
        "benefits": data.benefits if role in rules.BENEFIT_ROLES else [],
    }
