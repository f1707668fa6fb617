"""The demo's gate history, made through the gate service as people would make it: the lead
requests each review, the committee scores and votes, the decision rule decides (Go, Go with
conditions, Recycle, Hold) and moves the phases. Then the dates are set back to when each gate
happened, so the programme looks lived in, and one review stays open for the demo person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tracker import demo_content as content
from tracker.accounts.tables import Person
from tracker.demo_content import resolve
from tracker.gates import follow_up, forms, requesting, voting
from tracker.gates.rules import VoteKind
from tracker.gates.tables import (
    Condition,
    GateCriterion,
    GateDecision,
    GateReview,
    GateRule,
    InitiativeEvent,
    ReviewCriterion,
    Vote,
)
from tracker.initiatives import rules as initiative_rules
from tracker.initiatives.tables import Initiative, Phase
from tracker.sql import Unscoped, fetch_unscoped
from tracker.tenancy import Membership, OrgContext
from tracker.values import Submitted

GO: str = VoteKind.GO
OPEN = "open"  # a review requested and waiting for the demo person's vote

# per initiative: the decision at each gate passed so far, in order
PLANS: dict[str, list[str]] = {
    "CS-COMPLAINT": [GO] * 5,
    "SCM-ORDER": [GO] * 3 + [VoteKind.GO_CONDITIONS],
    "MKT-ACTIVATION": [GO] * 3 + [OPEN],
    "PUR-APPROVAL": [GO] * 2,
    "FIN-EXPENSE": [GO],
    "RD-LAUNCH": [GO, VoteKind.HOLD],
    "FIN-CLOSE": [GO] * 2,
    "HR-ONBOARD": [GO] * 3 + [VoteKind.RECYCLE],
    "FIN-INVOICE": [GO] * 4,
    "IT-REQUEST": [GO] * 6,
}
RECYCLE_TO = 3  # Design
ADMIN, LEAD_A, LEAD_B, CHAIR, MEMBER = 0, 1, 2, 3, 4  # indexes into the demo's people


@dataclass
class Demo:
    org: int
    slug: str
    people: list[int]
    names: list[str]
    lang: str
    criteria: dict[int, list[int]]  # gate → template criterion ids

    def ctx(self, index: int, role: str) -> OrgContext:
        person = self.people[index]
        return OrgContext(
            person_id=person,
            person_name=self.names[index],
            person_email="",
            membership=Membership(self.org, self.slug, "", role),
            memberships=(),
        )

    def text(self, value: Any) -> Any:
        return resolve(value, self.lang)


def gate_dates(start: date, gates: int, today: date) -> list[date]:
    """When each gate was decided: at the planned end of its phase (a day or two late), or
    earlier in proportion when the plan does not fit between the start and today."""
    plan = initiative_rules.plan_phases(start)
    ends = [(p.planned_end - start).days + 1 + p.number % 3 for p in plan[:gates] if p.planned_end]
    ends += [ends[-1] + 7 * (i + 1) for i in range(gates - len(ends))]  # the monitoring gate
    room = (today - start).days - 4
    scale = min(1.0, room / ends[-1]) if ends else 1.0
    return [start + timedelta(days=max(1, round(e * scale))) for e in ends]


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour % 24), tzinfo=UTC)


async def seed_gates(
    org: int,
    slug: str,
    people: list[int],
    initiatives: list[tuple[int, str, date, int, str]],
    today: date,
    lang: str,
) -> None:
    """Every demo initiative's gates up to the phase it has reached (see PLANS)."""
    names = {
        p["id"]: p["name"]
        for p in await Person.select(Person.id, Person.name).where(Person.id.is_in(people))
    }
    criteria: dict[int, list[int]] = {}
    for row in await GateCriterion.select(GateCriterion.id, GateCriterion.gate).where(
        GateCriterion.org == org
    ):
        criteria.setdefault(row["gate"], []).append(row["id"])
    await GateRule.update({GateRule.chair: people[CHAIR]}).where(GateRule.org == org)
    demo = Demo(org, slug, people, [names[p] for p in people], lang, criteria)
    for initiative_id, code, start, _phase, _status in initiatives:
        plan = PLANS.get(code, [])
        decided = [d for d in plan if d != OPEN]
        days = gate_dates(start, len(decided), today)
        owner = (await Initiative.select(Initiative.owner).where(Initiative.id == initiative_id))[
            0
        ]["owner"]
        lead = people.index(owner)
        for gate, decision in enumerate(plan, start=1):
            if decision == OPEN:
                await open_review(demo, initiative_id, lead, gate, today)
            else:
                await decided_review(demo, initiative_id, lead, gate, decision, days[gate - 1])
        await date_phases(demo, initiative_id, start, plan, days)


async def _request(
    demo: Demo,
    initiative_id: int,
    lead: int,
    gate: int,
    reviewers: list[int],
    first_note: Any = None,
) -> int:
    values = Submitted.of(
        {
            "proposed_decision": VoteKind.GO,
            "due_date": date.today().isoformat(),
            "reviewers": [str(demo.people[r]) for r in reviewers],
            **{
                f"note_{c}": demo.text(
                    first_note if first_note and i == 0 else content.EVIDENCE_NOTE
                )
                for i, c in enumerate(sorted(demo.criteria.get(gate, [])))
            },
        }
    )
    initiative = {"id": initiative_id, "current_phase.number": gate}
    return await requesting.request_review(demo.ctx(lead, "lead"), initiative, values)


async def _vote(demo: Demo, review: int, reviewer: int, vote: str, **extra: str) -> None:
    items = await ReviewCriterion.select(ReviewCriterion.id, ReviewCriterion.kind).where(
        ReviewCriterion.review == review
    )
    low = vote in (VoteKind.RECYCLE, VoteKind.HOLD)  # the scores agree with the vote
    values = {
        f"score_{c['id']}": "1"
        if c["kind"] == "must"
        else str((2 if low else 3) + (c["id"] + reviewer) % (2 if low else 3))
        for c in items
    }
    ballot = forms.VoteInput.from_form(Submitted.of({"vote": vote, **values, **extra}))
    await voting.submit_vote(demo.ctx(reviewer, "committee"), review, ballot)


async def decided_review(
    demo: Demo, initiative_id: int, lead: int, gate: int, decision: str, day: date
) -> None:
    first_event = await _last_event()
    review = await _request(demo, initiative_id, lead, gate, [CHAIR, MEMBER])
    text = demo.text
    for i, reviewer in enumerate((CHAIR, MEMBER)):
        if decision == VoteKind.GO:
            rationale = text(content.GO_RATIONALES[(gate + i) % 3])
            await _vote(demo, review, reviewer, decision, rationale=rationale)
        elif decision == VoteKind.GO_CONDITIONS:
            await _vote(
                demo,
                review,
                reviewer,
                decision,
                rationale=text(content.CONDITION_RATIONALE if i == 0 else content.AGREED),
                conditions=text(content.CONDITIONS[i]),
            )
        elif decision == VoteKind.RECYCLE:
            reason = text(content.RECYCLE_REASON if i == 0 else content.AGREED)
            await _vote(
                demo, review, reviewer, decision, rationale=reason, recycle_to=str(RECYCLE_TO)
            )
        else:
            reason = text(content.HOLD_REASON if i == 0 else content.AGREED)
            await _vote(demo, review, reviewer, decision, rationale=reason)
    if decision == VoteKind.GO_CONDITIONS:
        await conditions(demo, initiative_id, lead, day)
    await date_review(review, first_event, day)


async def open_review(demo: Demo, initiative_id: int, lead: int, gate: int, today: date) -> None:
    """Requested three days ago from the demo person and two committee members; the chair
    has voted Go, the demo person's vote would decide."""
    first_event = await _last_event()
    review = await _request(
        demo, initiative_id, lead, gate, [ADMIN, CHAIR, MEMBER], content.OPEN_REVIEW_NOTE
    )
    note = demo.text(content.OPEN_REVIEW_NOTE)
    await _vote(demo, review, CHAIR, VoteKind.GO, rationale=note)
    await GateReview.update({GateReview.due_date: today + timedelta(days=4)}).where(
        GateReview.id == review
    )
    await date_review(
        review, first_event, today - timedelta(days=1), requested=today - timedelta(3)
    )


async def conditions(demo: Demo, initiative_id: int, lead: int, day: date) -> None:
    """The first condition was met a week after the gate; the second is still open."""
    rows = (
        await Condition.select(Condition.id)
        .where(Condition.initiative == initiative_id)
        .order_by(Condition.id)
    )
    first, second = rows[0]["id"], rows[1]["id"]
    await Condition.update({Condition.due_date: day + timedelta(days=7)}).where(
        Condition.id == first
    )
    await Condition.update(
        {Condition.due_date: date.today() + timedelta(days=5), Condition.owner: demo.people[lead]}
    ).where(Condition.id == second)
    before = await _last_event()
    await follow_up.close_condition(
        demo.ctx(lead, "lead"), first, demo.text(content.CONDITION_CLOSED)
    )
    closed = at(day + timedelta(days=6), 11)
    await Condition.update({Condition.closed_at: closed}).where(Condition.id == first)
    await InitiativeEvent.update({InitiativeEvent.at: closed}).where(InitiativeEvent.id > before)


LAST_EVENT = Unscoped(
    "SELECT MAX(id) AS id FROM initiative_event", reason="the demo dates the events it just made"
)


async def _last_event() -> int:
    rows = await fetch_unscoped(LAST_EVENT)
    return int(rows[0]["id"] or 0)


async def date_review(
    review: int, after_event: int, day: date, requested: date | None = None
) -> None:
    """Put a review's request, votes, decision and their history on the days they happened
    (requested five days before the decision unless said)."""
    requested = requested or day - timedelta(days=5)
    values: dict[Any, Any] = {GateReview.requested_at: at(requested, 9)}
    if requested == day - timedelta(days=5):
        values[GateReview.due_date] = day + timedelta(days=1)
    await GateReview.update(values).where(GateReview.id == review)
    events = (
        await InitiativeEvent.select(
            InitiativeEvent.id, InitiativeEvent.kind, InitiativeEvent.detail
        )
        .where(InitiativeEvent.id > after_event, InitiativeEvent.kind != "condition_closed")
        .order_by(InitiativeEvent.id)
    )
    due = (await GateReview.select(GateReview.due_date).where(GateReview.id == review))[0]
    moments = {"review_requested": at(requested, 9), "decided": at(day, 16)}
    for i, event in enumerate(events):
        values = {
            InitiativeEvent.at: moments.get(event["kind"], at(day - timedelta(days=1), 10 + i))
        }
        if event["kind"] == "review_requested":
            detail = {**json.loads(event["detail"]), "due": due["due_date"].isoformat()}
            values[InitiativeEvent.detail] = json.dumps(detail)
        await InitiativeEvent.update(values).where(InitiativeEvent.id == event["id"])
    votes = await Vote.select(Vote.id).where(Vote.review == review).order_by(Vote.id)
    for i, vote in enumerate(votes):
        await Vote.update({Vote.submitted_at: at(day - timedelta(days=1), 11 + i)}).where(
            Vote.id == vote["id"]
        )
    await GateDecision.update({GateDecision.decided_at: at(day, 16)}).where(
        GateDecision.review == review
    )


async def date_phases(
    demo: Demo, initiative_id: int, start: date, plan: list[str], days: list[date]
) -> None:
    """The phases' planned and actual dates as the decisions left them, on the gates' days
    (the service dated them today)."""
    phases = {
        p["number"]: p["id"]
        for p in await Phase.select(Phase.id, Phase.number).where(Phase.initiative == initiative_id)
    }
    planned = {p.number: p for p in initiative_rules.plan_phases(start)}
    actual: dict[int, list[date | None]] = {n: [None, None] for n in phases}
    actual[1][0] = start
    current = 1
    for decision, day in zip(plan, days, strict=False):
        if decision in (VoteKind.GO, VoteKind.GO_CONDITIONS):
            actual[current][1] = day
            if current < 6:
                current += 1
                actual[current][0] = day
        elif decision == VoteKind.RECYCLE:
            for p in initiative_rules.plan_phases(day, first=RECYCLE_TO):
                planned[p.number] = p
                actual[p.number] = [None, None]
            actual[RECYCLE_TO][0] = day
            current = RECYCLE_TO
    for number, phase_id in phases.items():
        values: dict[Any, Any] = {
            Phase.planned_start: planned[number].planned_start,
            Phase.planned_end: planned[number].planned_end,
            Phase.actual_start: actual[number][0],
            Phase.actual_end: actual[number][1],
        }
        await Phase.update(values).where(Phase.id == phase_id)
    for row in await GateDecision.select(GateDecision.id, GateDecision.to_phase).where(
        GateDecision.initiative == initiative_id, GateDecision.next_gate_date.is_not_null()
    ):
        planned_end = planned[initiative_rules.PhaseNo(row["to_phase"])].planned_end
        await GateDecision.update({GateDecision.next_gate_date: planned_end}).where(
            GateDecision.id == row["id"]
        )
