""" "My reviews" kept by triggers (issue 19, migration 2026-12-01T01:00): after every kind of
change to the reviews, their reviewers, votes and approval steps, the rows kept for the page
(``review_waiting``) and its totals (``review_waiting_count``) are those a fresh reading of the
tables gives, on both databases; behind the wall an organisation reads its own and the app's
role writes none, and the kept rows' writers never deadlock with the board's and the cells'."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date, timedelta

import asyncpg
import pytest

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review, review_status
from tests.integration.test_tenant_wall import WALL_DB, walled_db  # noqa: F401 (a fixture)
from tracker.gates.tables import ApprovalStep, GateReview, GateRule, ReviewAssignment, Vote
from tracker.initiatives.tables import Initiative

Row = tuple[int, str, int, int, int, date]  # person, list, review, gate, initiative, due date


async def fresh_org(slug: str):
    from tests.conftest import make_org
    from tracker.auth import hash_password

    return await make_org(slug, await hash_password("x" * 12))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def counted(org_id: int) -> set[Row]:
    """What waits for whom, read afresh from the reviews, reviewers, votes and steps (the
    rules the page followed before it kept them)."""
    reviews = {
        r["id"]: r
        for r in await GateReview.select(
            GateReview.id,
            GateReview.status,
            GateReview.gate,
            GateReview.initiative,
            GateReview.due_date,
            GateReview.rule_snapshot,
        ).where(GateReview.org == org_id)
    }
    votes = {
        (v["review"], v["reviewer"])
        for v in await Vote.select(Vote.review, Vote.reviewer).where(Vote.org == org_id)
    }
    rows: set[Row] = set()

    def add(person: int, kind: str, review: dict) -> None:
        shown = (review["gate"], review["initiative"], _day(review["due_date"]))
        rows.add((person, kind, review["id"], *shown))

    for a in await ReviewAssignment.select(
        ReviewAssignment.review, ReviewAssignment.reviewer
    ).where(ReviewAssignment.org == org_id):
        review = reviews[a["review"]]
        if review["status"] == "open" and (a["review"], a["reviewer"]) not in votes:
            add(a["reviewer"], "vote", review)
    for review in reviews.values():
        if review["status"] == "awaiting_chair":
            add(0, "chair", review)  # every admin's
            chair = json.loads(review["rule_snapshot"]).get("chair")
            if chair is not None:
                add(chair, "chair", review)
    pending: dict[int, list[dict]] = {}
    for s in await ApprovalStep.select(
        ApprovalStep.review, ApprovalStep.level, ApprovalStep.approver
    ).where(ApprovalStep.org == org_id, ApprovalStep.status == "pending"):
        pending.setdefault(s["review"], []).append(s)
    for review_id, steps in pending.items():
        review = reviews[review_id]
        if review["status"] != "approving":
            continue
        first = min(s["level"] for s in steps)
        for s in steps:
            if s["level"] == first and s["approver"] is not None:
                add(s["approver"], "approve", review)
    return rows


async def kept(org_id: int) -> tuple[set[Row], Counter]:
    from tracker import db

    rows = {
        (r["person"], r["kind"], r["review"], r["gate"], r["initiative"], _day(r["due_date"]))
        for r in await db.fetch(
            "SELECT person, kind, review, gate, initiative, due_date FROM review_waiting "
            "WHERE org = {}",
            org_id,
        )
    }
    totals = Counter(
        {
            (r["person"], r["kind"]): r["n"]
            for r in await db.fetch(
                "SELECT person, kind, n FROM review_waiting_count WHERE org = {}", org_id
            )
        }
    )
    return rows, +totals


async def check(org, expected: set[tuple[str | int, str, int]] | None = None) -> set[Row]:
    """The kept rows are the counted ones (and, if given, ``expected``: (role or person 0,
    list, review)); the kept totals count them."""
    rows, totals = await kept(org.id)
    fresh = await counted(org.id)
    assert rows == fresh
    assert totals == Counter((person, kind) for person, kind, *_ in fresh)
    if expected is not None:
        people = {v: k for k, v in org.people.items()} | {0: 0}
        assert {(people[p], kind, review) for p, kind, review, *_ in rows} == expected
    return rows


async def set_rule(org, **values) -> None:
    await GateRule.update({getattr(GateRule, k): v for k, v in values.items()}).where(
        GateRule.org == org.id
    )


async def test_the_kept_lists_follow_a_review_from_its_request_to_its_decision(world):
    """Through the app: requested, voted on, handed to the chair, decided, approved level by
    level."""
    org = await fresh_org(f"waiting-flow-{world.backend}")
    other = await fresh_org(f"waiting-flow-other-{world.backend}")
    chain = [
        {"label": "Business owner", "person": org.people["lead"]},
        {"label": "Executive", "person": org.people["admin"]},
    ]
    await set_rule(org, chair=org.people["committee"], approval_chain=json.dumps(chain))
    review = await open_review(world, org, await make_initiative(org, phase=2))
    theirs = await open_review(world, other, await make_initiative(other, phase=2))
    await check(org, {("committee", "vote", review), ("admin", "vote", review)})
    assert (await cast(world, org, "committee", review, "go")).status_code == 303
    await check(org, {("admin", "vote", review)})
    assert (await cast(world, org, "admin", review, "stop", rationale="No case")).status_code == 303
    assert await review_status(review) == "awaiting_chair"
    await check(org, {(0, "chair", review), ("committee", "chair", review)})
    async with world.client(org, "committee") as client:
        decided = await client.post(
            f"/o/{org.slug}/reviews/{review}/decide",
            data={"decision": "go", "rationale": "The chair overrules the stop."},
        )
    assert decided.status_code == 303, decided.text[:2000]
    assert await review_status(review) == "approving"
    await check(org, {("lead", "approve", review)})
    for role, left in (("lead", {("admin", "approve", review)}), ("admin", set())):
        async with world.client(org, role) as client:
            approved = await client.post(
                f"/o/{org.slug}/reviews/{review}/approval", data={"action": "approve"}
            )
        assert approved.status_code == 303
        await check(org, left)
    assert await review_status(review) == "decided"
    # the other organisation's review still waits for its two reviewers
    await check(other, {("committee", "vote", theirs), ("admin", "vote", theirs)})


async def test_the_kept_lists_follow_every_kind_of_change_to_the_rows(world):
    """Behind the app's back: reviewers added and removed, votes cast and withdrawn, due dates
    and chairs changed, reviews withdrawn, approval steps handed over and removed, several rows
    in one statement, initiatives deleted with their reviews."""
    org = await fresh_org(f"waiting-rows-{world.backend}")
    p = org.people
    first = await open_review(world, org, await make_initiative(org, phase=2))
    await check(org, {("committee", "vote", first), ("admin", "vote", first)})
    # a reviewer added, another removed
    await ReviewAssignment.insert(ReviewAssignment(org=org.id, review=first, reviewer=p["member"]))
    await ReviewAssignment.delete().where(
        ReviewAssignment.review == first, ReviewAssignment.reviewer == p["admin"]
    )
    await check(org, {("committee", "vote", first), ("member", "vote", first)})
    # a vote cast and withdrawn again
    await Vote.insert(Vote(org=org.id, review=first, reviewer=p["member"], vote="go"))
    await check(org, {("committee", "vote", first)})
    await Vote.delete().where(Vote.review == first, Vote.reviewer == p["member"])
    await check(org, {("committee", "vote", first), ("member", "vote", first)})
    # re-dated: the rows move with the due date (the lists' order)
    later = date.today() + timedelta(days=30)
    await GateReview.update({GateReview.due_date: later}).where(GateReview.id == first)
    assert {due for *_, due in await check(org)} == {later}
    # its gate or initiative changed (never by the app): the rows show the new ones
    moved_to = await make_initiative(org)
    await GateReview.update({GateReview.gate: 3, GateReview.initiative: moved_to}).where(
        GateReview.id == first
    )
    assert {row[3:5] for row in await check(org)} == {(3, moved_to)}
    # withdrawn: it waits for no one
    await GateReview.update({GateReview.status: "withdrawn"}).where(GateReview.id == first)
    await check(org, set())

    # several reviews in one statement, in each state, with their reviewers and steps
    initiatives = [await make_initiative(org) for _ in range(4)]
    snapshot = json.dumps({"chair": p["committee"], "chain": []})
    made = await GateReview.insert(
        *(
            GateReview(
                org=org.id,
                initiative=initiative,
                gate=1,
                status=status,
                proposed_decision="go",
                due_date=date.today() + timedelta(days=n),
                rule_snapshot=snapshot,
            )
            for n, (initiative, status) in enumerate(
                zip(initiatives, ("open", "awaiting_chair", "approving", "approving"), strict=True)
            )
        )
    )
    voting, chairing, approving, chainless = (r["id"] for r in made)
    await ReviewAssignment.insert(
        *(
            ReviewAssignment(org=org.id, review=review, reviewer=p[role])
            for review in (voting, chairing)
            for role in ("committee", "lead")
        )
    )
    await ApprovalStep.insert(
        *(
            ApprovalStep(
                org=org.id, review=approving, level=level, label=f"L{level}", approver=p[role]
            )
            for level, role in ((1, "lead"), (2, "admin"))
        ),
        ApprovalStep(org=org.id, review=chainless, level=1, label="Gone", approver=None),
    )
    await check(
        org,
        {
            ("committee", "vote", voting),
            ("lead", "vote", voting),
            (0, "chair", chairing),
            ("committee", "chair", chairing),
            ("lead", "approve", approving),
        },
    )
    # votes of two reviewers in one statement
    await Vote.insert(
        *(Vote(org=org.id, review=voting, reviewer=p[r], vote="go") for r in ("committee", "lead"))
    )
    await check(
        org,
        {(0, "chair", chairing), ("committee", "chair", chairing), ("lead", "approve", approving)},
    )
    # the chair the snapshot names changed; none named: the admins' list only
    await GateReview.update(
        {GateReview.rule_snapshot: json.dumps({"chair": p["member"], "chain": []})}
    ).where(GateReview.id == chairing)
    await check(
        org, {(0, "chair", chairing), ("member", "chair", chairing), ("lead", "approve", approving)}
    )
    await GateReview.update({GateReview.rule_snapshot: json.dumps({"chain": []})}).where(
        GateReview.id == chairing
    )
    await check(org, {(0, "chair", chairing), ("lead", "approve", approving)})
    # an approval handed over (as a leaving member's is), then its level removed
    await ApprovalStep.update({ApprovalStep.approver: p["viewer"]}).where(
        ApprovalStep.approver == p["lead"], ApprovalStep.status == "pending"
    )
    await check(org, {(0, "chair", chairing), ("viewer", "approve", approving)})
    await ApprovalStep.delete().where(ApprovalStep.review == approving, ApprovalStep.level == 1)
    await check(org, {(0, "chair", chairing), ("admin", "approve", approving)})
    # a step approved: the next level's turn (here none: the review is done with approvals)
    await ApprovalStep.update({ApprovalStep.status: "approved"}).where(
        ApprovalStep.review == approving
    )
    await check(org, {(0, "chair", chairing)})
    # the chair's review back to a vote, then its initiative deleted with it
    await GateReview.update({GateReview.status: "open"}).where(GateReview.id == chairing)
    await check(org, {("committee", "vote", chairing), ("lead", "vote", chairing)})
    await Initiative.delete().where(Initiative.id.is_in(initiatives[:2]))
    await check(org, set())
    assert not await GateReview.count().where(GateReview.id.is_in([voting, chairing]))


async def test_the_page_shows_the_kept_totals(world):
    org = await fresh_org(f"waiting-page-{world.backend}")
    reviews = [
        await open_review(world, org, await make_initiative(org), reviewers=("committee",))
        for _ in range(3)
    ]
    await cast(world, org, "committee", reviews[1], "go")
    async with world.client(org, "committee") as client:
        page = (await client.get(f"/o/{org.slug}/reviews")).text
    assert '<span class="count">2</span>' in page
    assert f"/reviews/{reviews[0]}" in page and f"/reviews/{reviews[1]}" not in page


async def test_several_changes_to_one_review_in_one_transaction_count_once(walled_db):  # noqa: F811
    """PostgreSQL: the triggers run at the commit, each reading the review as it ends up."""
    owner, (a, _) = walled_db
    person = await owner.fetchval(
        "INSERT INTO person (email, name) VALUES ('once@x.example.com', 'Once') RETURNING id"
    )
    initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", a)
    async with owner.transaction():
        review = await owner.fetchval(
            "INSERT INTO gate_review (org, initiative, status, rule_snapshot, due_date) "
            "VALUES ($1, $2, 'open', '{}', current_date) RETURNING id",
            a,
            initiative,
        )
        await owner.execute(
            "INSERT INTO review_assignment (org, review, reviewer) VALUES ($1, $2, $3)",
            a,
            review,
            person,
        )
        await owner.execute(
            "UPDATE gate_review SET status = 'awaiting_chair', rule_snapshot = $2 WHERE id = $1",
            review,
            json.dumps({"chair": person}),
        )
        await owner.execute("UPDATE gate_review SET due_date = due_date + 3 WHERE id = $1", review)
    rows = await owner.fetch("SELECT person, kind, due_date FROM review_waiting WHERE org = $1", a)
    soon = date.today() + timedelta(days=3)
    assert {tuple(r) for r in rows} == {(0, "chair", soon), (person, "chair", soon)}
    totals = await owner.fetch("SELECT person, kind, n FROM review_waiting_count WHERE org = $1", a)
    assert {tuple(r) for r in totals} == {(0, "chair", 1), (person, "chair", 1)}


async def test_behind_the_wall_the_lists_are_read_never_written(walled_db):  # noqa: F811
    owner, (a, b) = walled_db
    person = await owner.fetchval(
        "INSERT INTO person (email, name) VALUES ('wall@x.example.com', 'Wall') RETURNING id"
    )
    for org in (a, b):
        initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", org)
        review = await owner.fetchval(
            "INSERT INTO gate_review (org, initiative, status, rule_snapshot) "
            "VALUES ($1, $2, 'open', '{}') RETURNING id",
            org,
            initiative,
        )
        await owner.execute(
            "INSERT INTO review_assignment (org, review, reviewer) VALUES ($1, $2, $3)",
            org,
            review,
            person,
        )
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        assert [r["org"] for r in await owner.fetch("SELECT org FROM review_waiting")] == [a]
        assert [tuple(r) for r in await owner.fetch("SELECT org, n FROM review_waiting_count")] == [
            (a, 1)
        ]
        for statement in (
            "UPDATE review_waiting_count SET n = 99",
            "DELETE FROM review_waiting",
            f"INSERT INTO review_waiting (org, person, kind, review, due_date) "
            f"VALUES ({a}, {person}, 'vote', 1, current_date)",
            f"SELECT tracker_review_waiting_sync({a}, 1)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with owner.transaction():  # a savepoint, rolled back
                    await owner.execute(statement)


async def test_an_initiative_deleted_with_its_reviews_and_a_closing_vote_never_deadlock(
    walled_db,  # noqa: F811
):
    """PostgreSQL: a vote that closes a review writes the review's kept rows, then the board's;
    an initiative deleted with its reviews and problems writes the board's, then the cells' and
    the reviews'. Both take their organisation's lock of the kept rows first, so the second
    waits for the first instead of each waiting for the other. The triggers are run at chosen
    moments (SET CONSTRAINTS ALL IMMEDIATE) to make the worst interleaving happen."""
    from tests.conftest import PG_URL

    owner, (a, _) = walled_db
    person = await owner.fetchval(
        "INSERT INTO person (email, name) VALUES ('dead@x.example.com', 'Dead') RETURNING id"
    )
    kept_initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", a)
    doomed = await owner.fetchval(
        "INSERT INTO initiative (org, name, process_code, process_class, goal_metric, start_date) "
        "VALUES ($1, 'doomed', 'W-X-2026-999', 'core', 'm', current_date) RETURNING id",
        a,
    )
    reviews = {}
    for initiative in (kept_initiative, doomed):
        reviews[initiative] = await owner.fetchval(
            "INSERT INTO gate_review (org, initiative, status, rule_snapshot) "
            "VALUES ($1, $2, 'open', '{}') RETURNING id",
            a,
            initiative,
        )
        await owner.execute(
            "INSERT INTO review_assignment (org, review, reviewer) VALUES ($1, $2, $3)",
            a,
            reviews[initiative],
            person,
        )
    await owner.execute(
        "INSERT INTO problem (org, initiative, title, impact, urgency, status) "
        "VALUES ($1, $2, 'p', 3, 3, 'open')",
        a,
        doomed,
    )
    url = PG_URL.rsplit("/", 1)[0] + f"/{WALL_DB}"
    voter, deleter = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        vote = voter.transaction()
        await vote.start()
        await voter.execute(
            "INSERT INTO gate_vote (org, review, reviewer, vote) VALUES ($1, $2, $3, 'go')",
            a,
            reviews[kept_initiative],
            person,
        )
        await voter.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the review's kept rows

        async def delete() -> None:
            async with deleter.transaction():
                await deleter.execute("DELETE FROM initiative WHERE id = $1", doomed)
                await deleter.execute("SET CONSTRAINTS ALL IMMEDIATE")  # board, cells, reviews

        deleting = asyncio.create_task(delete())
        await asyncio.sleep(0.5)  # the deletion waits for the vote's lock
        assert not deleting.done()
        await voter.execute(
            "UPDATE gate_review SET status = 'decided' WHERE id = $1", reviews[kept_initiative]
        )
        await voter.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the board's
        await vote.commit()
        await asyncio.wait_for(deleting, 10)
    finally:
        await voter.close()
        await deleter.close()
    assert await owner.fetchval("SELECT count(*) FROM review_waiting WHERE org = $1", a) == 0
    assert (
        await owner.fetchval(
            "SELECT COALESCE(sum(n), 0) FROM review_waiting_count WHERE org = $1", a
        )
        == 0
    )
    assert (
        await owner.fetchval("SELECT COALESCE(sum(live), 0) FROM problem_cell WHERE org = $1", a)
        == 0
    )


async def test_the_migrations_fill_gives_the_rows_the_triggers_keep(world):
    """What an existing database gets: the migration fills the tables from the reviews there."""
    import importlib

    from tracker.db import current_engine

    migration = importlib.import_module("migrations.tracker.tracker_2026_12_01t01_00_00_000000")
    org = await fresh_org(f"waiting-filled-{world.backend}")
    await set_rule(org, chair=org.people["committee"])
    reviews = [await open_review(world, org, await make_initiative(org, phase=2)) for _ in range(3)]
    await cast(world, org, "admin", reviews[0], "stop", rationale="No case")
    await cast(world, org, "committee", reviews[0], "go")
    await cast(world, org, "committee", reviews[1], "go")
    await ApprovalStep.insert(
        ApprovalStep(
            org=org.id, review=reviews[2], level=1, label="L1", approver=org.people["lead"]
        )
    )
    await GateReview.update({GateReview.status: "approving"}).where(GateReview.id == reviews[2])
    before = await kept(org.id)
    assert before[0] == await counted(org.id) and len(before[0]) == 4
    engine = current_engine()
    chair = migration.CHAIR_POSTGRES if engine.engine_type == "postgres" else migration.CHAIR_SQLITE
    await engine.run_ddl("DELETE FROM review_waiting")  # the counting triggers take them off
    assert await kept(org.id) == (set(), Counter())
    await engine.run_ddl(migration.fill(chair))  # and count them as they come back
    assert await kept(org.id) == before
    # the fill's own counts (made before the triggers are) are the kept ones
    filled = await engine.run_ddl(migration.COUNTS)
    assert (
        +Counter({(r["person"], r["kind"]): r["n"] for r in filled if r["org"] == org.id})
        == before[1]
    )
