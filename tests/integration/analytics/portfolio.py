"""A portfolio with decided reviews whose rates and lead times are known, made through the
gate service (requests and votes over HTTP), then dated like demo_gates does.

Organisation (its own, so other tests' data never counts), today = T:

| initiative | dept / class / owner | reviews (gate: outcome, decided, lead time) |
|---|---|---|
| A | Quality / core / lead | 1: Go, T−10, 2 days |
| B | Quality / core / lead | 1: Recycle to 1, T−130, 4 days (3 reviewers, one voted Go); 1: Go, T−20, 6 days |
| C | Logistics / support / lead | 2: Go with conditions, T−15, 10 days (4 conditions) |
| D | Quality / core / lead | 3: Hold, T−5, 1 day |
| F | Finance / management / admin | none; its phase (Pilot) ended its plan 5 days ago: overdue |

Scores: committee always 5, admin always 3, the second committee member 4 (on B's first
review only) on every should-meet criterion."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from tests.conftest import make_org
from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review
from tracker.accounts.tables import Membership, Person
from tracker.auth import start_session
from tracker.gates.tables import Condition, GateDecision, GateReview
from tracker.initiatives.tables import Initiative, Phase

_seq = itertools.count(1)
TODAY = date.today()
SHOULD = {"committee": 5, "admin": 3, "committee2": 4}


@dataclass
class Portfolio:
    org: object
    ids: dict[str, int] = field(default_factory=dict)
    reviews: dict[str, int] = field(default_factory=dict)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


async def new_org(prefix: str = "an"):
    org = await make_org(f"{prefix}-{next(_seq)}", "not-a-real-hash")
    person = (
        await Person.insert(
            Person(
                email=f"committee2@{org.slug}.example.com",
                name=f"Second committee of {org.slug}",
                password_hash="not-a-real-hash",
            )
        )
    )[0]["id"]
    await Membership.insert(Membership(org=org.id, person=person, role="committee"))
    org.people["committee2"] = person
    org.tokens["committee2"] = await start_session(person)
    return org


async def vote(world, org, role, review, kind, **extra):
    if kind in ("recycle", "hold", "stop"):
        extra.setdefault("rationale", "Not ready yet.")
    response = await cast(world, org, role, review, kind, must=1, should=SHOULD[role], **extra)
    assert response.status_code == 303, response.text[:1500]


async def date_review(review: int, decided: date, lead_days: int) -> None:
    await GateDecision.update({GateDecision.decided_at: noon(decided)}).where(
        GateDecision.review == review
    )
    await GateReview.update(
        {GateReview.requested_at: noon(decided) - timedelta(days=lead_days)}
    ).where(GateReview.id == review)


async def decide(world, org, initiative, votes, decided, lead, reviewers=("committee", "admin")):
    review = await open_review(world, org, initiative, reviewers=reviewers)
    for role, kind, extra in votes:
        await vote(world, org, role, review, kind, **extra)
    assert await GateDecision.count().where(GateDecision.review == review) == 1
    await date_review(review, TODAY - timedelta(days=decided), lead)
    return review


async def build(world) -> Portfolio:
    org = await new_org()
    p = Portfolio(org)
    quality = dict(departments="Quality", process_class="core")
    p.ids["A"] = await make_initiative(org, phase=1, **quality)
    p.ids["B"] = await make_initiative(org, phase=1, **quality)
    p.ids["C"] = await make_initiative(
        org, phase=2, departments="Logistics", process_class="support"
    )
    p.ids["D"] = await make_initiative(org, phase=3, **quality)
    p.ids["F"] = await make_initiative(
        org, phase=4, departments="Finance", process_class="management", owner=org.people["admin"]
    )
    go = [("committee", "go", {}), ("admin", "go", {})]
    p.reviews["A"] = await decide(world, org, p.ids["A"], go, 10, 2)
    back = {"recycle_to": "1"}
    p.reviews["B1"] = await decide(
        world,
        org,
        p.ids["B"],
        [("committee2", "go", {}), ("committee", "recycle", back), ("admin", "recycle", back)],
        130,
        4,
        reviewers=("committee", "admin", "committee2"),
    )
    p.reviews["B2"] = await decide(world, org, p.ids["B"], go, 20, 6)
    conditions = [
        ("committee", "go_conditions", {"condition_0": "Fix A", "condition_1": "Fix B"}),
        ("admin", "go_conditions", {"condition_0": "Fix C", "condition_1": "Fix D"}),
    ]
    p.reviews["C"] = await decide(world, org, p.ids["C"], conditions, 15, 10)
    hold = [("committee", "hold", {}), ("admin", "hold", {})]
    p.reviews["D"] = await decide(world, org, p.ids["D"], hold, 5, 1)
    await date_conditions(p.ids["C"])
    await date_phases(p)
    return p


async def date_conditions(initiative: int) -> None:
    """On time, late, open past due, and open not yet due (not judged)."""
    rows = await Condition.select(Condition.id).where(Condition.initiative == initiative)
    ids = sorted(r["id"] for r in rows)
    assert len(ids) == 4
    due = TODAY - timedelta(days=10)
    plan = [
        (due, noon(TODAY - timedelta(days=12))),
        (due, noon(TODAY - timedelta(days=8))),
        (TODAY - timedelta(days=3), None),
        (TODAY + timedelta(days=5), None),
    ]
    for condition, (due_date, closed) in zip(ids, plan, strict=True):
        await Condition.update({Condition.due_date: due_date, Condition.closed_at: closed}).where(
            Condition.id == condition
        )


async def date_phases(p: Portfolio) -> None:
    """Only two finished phases (A's Scoping: 10 days against 6 planned; C's Research: 15
    against 19); every current phase ends its plan in a month, but F's ended 5 days ago."""
    org = p.org.id
    await Phase.update({Phase.actual_end: None}).where(Phase.org == org)
    current = {
        r["id"]: r["current_phase"]
        for r in await Initiative.select(Initiative.id, Initiative.current_phase).where(
            Initiative.org == org
        )
    }
    for initiative, phase in current.items():
        late = initiative == p.ids["F"]
        await Phase.update({Phase.planned_end: TODAY + timedelta(days=-5 if late else 30)}).where(
            Phase.id == phase
        )
    for name, number, actual, planned in (("A", 1, 10, 6), ("C", 2, 15, 19)):
        start = TODAY - timedelta(days=40)
        await Phase.update(
            {
                Phase.actual_start: start,
                Phase.actual_end: start + timedelta(days=actual),
                Phase.planned_start: start,
                Phase.planned_end: start + timedelta(days=planned),
            }
        ).where(Phase.initiative == p.ids[name], Phase.number == number)


def month(days_ago: int) -> str:
    day = TODAY - timedelta(days=days_ago)
    return f"{day.year:04d}-{day.month:02d}"


def quarter(days_ago: int) -> str:
    day = TODAY - timedelta(days=days_ago)
    return f"{day.year}-Q{(day.month + 2) // 3}"
