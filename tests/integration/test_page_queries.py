"""The register tabs, their detail pages, the gate request page, the settings pages, the
digest preview and the other pages not counted elsewhere make a fixed number of queries
whatever the data size (issue 14, defect 13): measured with a little data, then again after
the registers grew many times over. The board, reviews, matrix and heat map are counted in
their own tests, the SOP, RACI, rollout and KPI pages in test_program_queries."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.notifications.tables import Notification
from tracker.pilots.tables import (
    Pilot,
    PilotFeedback,
    PilotMetric,
    SatisfactionRating,
    UnmetProblem,
)
from tracker.problems.tables import AsIsStep, Measure, Problem, ProblemScoreChange
from tracker.risks.tables import ResistanceEntry, Risk, RiskScoreChange


async def add_registers(org, initiative, n, tag):
    """``n`` problems (with as-is steps, re-scores and a measure each), risks (with score
    changes), resistance entries and pilots (with metrics, ratings, feedback)."""
    people = list(org.people.values())
    for i in range(n):
        problem = (
            await Problem.insert(
                Problem(
                    org=org.id,
                    initiative=initiative,
                    title=f"{tag} problem {i}",
                    category="quality",
                    impact=1 + i % 5,
                    urgency=1 + (i * 3) % 5,
                    owner=people[i % len(people)],
                )
            )
        )[0]["id"]
        await AsIsStep.insert(
            *(
                AsIsStep(org=org.id, problem=problem, position=s, step=f"Step {s}", minutes=5)
                for s in range(3)
            )
        )
        await ProblemScoreChange.insert(
            ProblemScoreChange(
                org=org.id,
                problem=problem,
                impact_from=1,
                urgency_from=1,
                impact_to=2,
                urgency_to=2,
                changed_by=people[0],
            )
        )
        await Measure.insert(
            Measure(
                org=org.id,
                initiative=initiative,
                goal=f"Goal {i}",
                problem=problem,
                measure="Do it",
            )
        )
        risk = (
            await Risk.insert(
                Risk(
                    org=org.id,
                    initiative=initiative,
                    description=f"{tag} risk {i}",
                    category="people",
                    likelihood=1 + i % 5,
                    impact=1 + (i * 2) % 5,
                    owner=people[(i + 1) % len(people)],
                )
            )
        )[0]["id"]
        await RiskScoreChange.insert(
            *(
                RiskScoreChange(
                    org=org.id, risk=risk, likelihood=1 + s, impact=2, changed_by=people[0]
                )
                for s in range(3)
            )
        )
        await ResistanceEntry.insert(
            ResistanceEntry(
                org=org.id,
                initiative=initiative,
                stakeholder_group=f"Group {i}",
                level="high",
                barrier="desire",
                owner=people[i % len(people)],
                due_date=date.today() + timedelta(days=i),
            )
        )
        pilot = (
            await Pilot.insert(
                Pilot(
                    org=org.id,
                    initiative=initiative,
                    process=f"{tag} pilot {i}",
                    scope="Team",
                    start_date=date.today(),
                )
            )
        )[0]["id"]
        await PilotMetric.insert(
            *(
                PilotMetric(
                    org=org.id,
                    pilot=pilot,
                    name=f"Metric {m}",
                    direction="lower",
                    baseline=10,
                    result=8,
                    target=9,
                )
                for m in range(3)
            )
        )
        await SatisfactionRating.insert(
            *(SatisfactionRating(org=org.id, pilot=pilot, score=4, rated_by=p) for p in people)
        )
        await UnmetProblem.insert(UnmetProblem(org=org.id, pilot=pilot, problem="x", cause="y"))
        await PilotFeedback.insert(
            *(
                PilotFeedback(
                    org=org.id, pilot=pilot, author=p, category="form", text="z", problem=problem
                )
                for p in people
            )
        )
        # the admin's unread notifications: the bell on every page counts them, no query more
        await Notification.insert(
            Notification(
                org=org.id,
                person=org.people["admin"],
                kind="mentioned",
                title=f"{tag} {i}",
                url=f"/o/{org.slug}/problems/{problem}",
                key=f"page-queries:{tag}:{problem}",
                actor=people[1],
            )
        )
    return problem, risk, pilot


async def counts(world, org, pages):
    result = {}
    async with world.client(org, "admin") as client:  # the settings pages are the admin's
        # the session's once-a-minute last_seen_at write is paid here, not in a page's count
        # (seeding the large registers can take over a minute on a slow machine)
        assert (await client.get(f"/o/{org.slug}/notifications")).status_code == 200
        for name, path in pages.items():
            with count_queries() as counted:
                response = await client.get(path)
            assert response.status_code == 200, path
            result[name] = counted.count
    return result


async def test_register_and_other_pages_make_a_fixed_number_of_queries(world):
    org = world.a
    initiative = await make_initiative(org, phase=4)
    problem, risk, pilot = await add_registers(org, initiative, 2, "small")
    base = f"/o/{org.slug}"
    pages = {
        "initiative": f"{base}/initiatives/{initiative}",
        "edit initiative": f"{base}/initiatives/{initiative}/edit",
        "new initiative": f"{base}/initiatives/new",
        "problems": f"{base}/initiatives/{initiative}/problems",
        "top 5": f"{base}/initiatives/{initiative}/problems/top5",
        "problem": f"{base}/problems/{problem}",
        "measures": f"{base}/initiatives/{initiative}/measures",
        "pilots": f"{base}/initiatives/{initiative}/pilots",
        "pilot": f"{base}/pilots/{pilot}",
        "pilot summary": f"{base}/pilots/{pilot}/summary",
        "risks": f"{base}/initiatives/{initiative}/risks",
        "risk": f"{base}/risks/{risk}",
        "resistance": f"{base}/initiatives/{initiative}/resistance",
        "gate request": f"{base}/initiatives/{initiative}/gate/request",
        "import problems": f"{base}/initiatives/{initiative}/import/problems",
        "my reviews": f"{base}/reviews",
        "digest preview": f"{base}/digests/preview",
        "digests": f"{base}/digests",
        "gate settings": f"{base}/settings/gates",
        "digest settings": f"{base}/settings/digests",
        "members": f"{base}/settings/members",
        "notifications": f"{base}/notifications",
    }
    await counts(world, org, pages)  # a first visit may create defaults (digest settings)
    small = await counts(world, org, pages)
    await add_registers(org, initiative, 25, "large")
    large = await counts(world, org, pages)
    print(f"\npage queries ({world.backend}): {small}")
    assert small == large
    # the digest preview is the most: 17 (the notifications waiting for the digest are one)
    assert max(small.values()) <= 17, small
    async with world.client(org, "admin") as client:  # the bell counted them all
        bell = await client.get(f"{base}/notifications/bell")
    unread = await Notification.count().where(
        Notification.person == org.people["admin"], Notification.read_at.is_null()
    )
    shown = str(unread) if unread <= 99 else "99+"  # other tests of the session tell alpha too
    assert unread >= 27 and f">{shown}</span>" in bell.text
