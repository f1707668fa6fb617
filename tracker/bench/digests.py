"""Benchmark: build digests for many organisations and people with realistic data, and print
the time and the number of queries per digest. Not a test: it prints figures.

    python -m tracker.bench.digests --orgs 20 --people 100 [--database-url postgresql://…/bench]

The database must be empty (the command migrates it first); by default a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta


async def seed(orgs: int, people: int) -> list[int]:
    from tracker.accounts.tables import Membership, Organisation, Person
    from tracker.demo import seed_initiative
    from tracker.digests.tables import DigestSetting
    from tracker.gates.tables import GateReview, ReviewAssignment
    from tracker.pilots.tables import Pilot, PilotMetric
    from tracker.problems.tables import Problem
    from tracker.risks.tables import Risk, RiskScoreChange

    rng = random.Random(7)
    roles = ["admin"] * 2 + ["lead"] * 10 + ["committee"] * 8 + ["member"] * 60 + ["viewer"] * 20
    today = date.today()
    org_ids = []
    for o in range(orgs):
        org = (await Organisation.insert(Organisation(name=f"Bench {o}", slug=f"bench-{o}")))[0][
            "id"
        ]
        org_ids.append(org)
        await DigestSetting.insert(DigestSetting(org=org, frequency="daily", hour=8))
        persons = await Person.insert(
            *(
                Person(
                    email=f"p{p}@bench{o}.example.com",
                    name=f"Person {p}",
                    password_hash="x",
                    language=rng.choice(["en", "zh_Hans"]),
                )
                for p in range(people)
            )
        )
        ids = [r["id"] for r in persons]
        await Membership.insert(
            *(
                Membership(org=org, person=pid, role=roles[i % len(roles)])
                for i, pid in enumerate(ids)
            )
        )
        leads = [pid for i, pid in enumerate(ids) if roles[i % len(roles)] == "lead"]
        committee = [pid for i, pid in enumerate(ids) if roles[i % len(roles)] == "committee"]
        for n in range(30):
            values = dict(
                name=f"Initiative {n}",
                process_code=f"B-X-{today.year}-{n:03d}",
                process_class="core",
                departments="Ops",
                owner=rng.choice(leads),
                goal_metric="Cycle time",
                goal_unit="h",
                goal_baseline=48.0,
                goal_target=24.0,
                goal_direction="lower",
                status="on_track",
            )
            initiative = await seed_initiative(
                org, values, today - timedelta(days=rng.randint(1, 120)), rng.randint(1, 6), today
            )
            if n % 3 == 0:
                review = (
                    await GateReview.insert(
                        GateReview(
                            org=org,
                            initiative=initiative,
                            gate=1,
                            status="open",
                            proposed_decision="go",
                            due_date=today,
                            rule_snapshot="{}",
                        )
                    )
                )[0]["id"]
                await ReviewAssignment.insert(
                    *(
                        ReviewAssignment(org=org, review=review, reviewer=r)
                        for r in rng.sample(committee, 3)
                    )
                )
            await Problem.insert(
                *(
                    Problem(
                        org=org,
                        initiative=initiative,
                        title=f"Problem {n}.{k}",
                        category="efficiency",
                        impact=rng.randint(1, 5),
                        urgency=rng.randint(1, 5),
                    )
                    for k in range(5)
                )
            )
            risks = await Risk.insert(
                *(
                    Risk(
                        org=org,
                        initiative=initiative,
                        description=f"Risk {n}.{k}",
                        category="other",
                        likelihood=rng.randint(1, 5),
                        impact=rng.randint(1, 5),
                    )
                    for k in range(3)
                )
            )
            await RiskScoreChange.insert(
                *(RiskScoreChange(org=org, risk=r["id"], likelihood=4, impact=4) for r in risks)
            )
            pilot = (
                await Pilot.insert(
                    Pilot(
                        org=org, initiative=initiative, process="P", scope="Team", start_date=today
                    )
                )
            )[0]["id"]
            await PilotMetric.insert(
                PilotMetric(
                    org=org,
                    pilot=pilot,
                    name="Time",
                    direction="lower",
                    baseline=30,
                    result=rng.randint(5, 40),
                    target=10,
                    recorded_at=datetime.now(UTC),
                )
            )
    return org_ids


async def run(orgs: int, people: int, database_url: str) -> None:
    from tracker import db
    from tracker.db import count_queries
    from tracker.digests import service

    engine = db.make_engine(database_url)
    db.use_engine(engine)
    await db.start(engine, 1, 5)
    try:
        started = time.perf_counter()
        org_ids = await seed(orgs, people)
        print(
            f"seeded {orgs} organisations × {people} people in {time.perf_counter() - started:.1f} s"
        )
        now = datetime.now(UTC) + timedelta(days=1)
        with count_queries() as counted:
            started = time.perf_counter()
            built = 0
            for org_id in org_ids:
                built += await service.build_due_digests(org_id, now)
            elapsed = time.perf_counter() - started
        print(f"database: {database_url.split('://')[0]}")
        print(
            f"digests built: {built} in {elapsed:.2f} s = {elapsed / max(built, 1) * 1000:.1f} ms per digest"
        )
        print(
            f"queries: {counted.count} = {counted.count / max(built, 1):.2f} per digest "
            f"({counted.count / len(org_ids):.0f} per organisation)"
        )
        with count_queries() as again:
            started = time.perf_counter()
            for org_id in org_ids:
                await service.build_due_digests(org_id, now)
        print(
            f"second run (all done already): {time.perf_counter() - started:.2f} s, {again.count} queries"
        )
    finally:
        await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = (
        args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='tracker-bench-')}/bench.sqlite3"
    )
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "tracker.cli", "migrate"], env=env, check=True, capture_output=True
    )
    asyncio.run(run(args.orgs, args.people, url))


if __name__ == "__main__":
    main()
