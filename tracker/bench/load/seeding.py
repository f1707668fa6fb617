"""The load benchmark's data: organisations of initiatives with their registers, KPIs with a
year of weekly measurements and open gate reviews to vote on, seeded once into a template
database (``--seed-cache``) and copied for each run."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tracker.bench.load.bulk import KPIS, Org, seed_initiatives

# Who votes on each open review: the rule asks for one more (the lead, who does not vote), so
# every vote finds the review still open and waiting, whoever comes first.
VOTERS = ("admin", "committee")
SEED_VERSION = 3  # bump when the seed's shape changes: a kept seed of another shape is remade


async def _open_review(
    org: int, initiative: int, rule: str, lead: int, reviewers: list[int]
) -> tuple[int, list[int]]:
    """An open gate-1 review with four criteria; returns it and its criteria."""
    from tracker.gates.tables import GateReview, ReviewAssignment, ReviewCriterion

    review = (
        await GateReview.insert(
            GateReview(
                org=org,
                initiative=initiative,
                gate=1,
                status="open",
                proposed_decision="go",
                due_date=date.today(),
                rule_snapshot=rule,
                requested_by=lead,
            )
        )
    )[0]["id"]
    await ReviewAssignment.insert(
        *(ReviewAssignment(org=org, review=review, reviewer=r) for r in reviewers)
    )
    criteria = await ReviewCriterion.insert(
        *(
            ReviewCriterion(
                org=org, review=review, position=i, text=f"Criterion {i}", kind="should", weight=2
            )
            for i in range(4)
        )
    )
    return review, [c["id"] for c in criteria]


async def _seed_org(url: str, o: int, initiatives: int, rng: random.Random) -> dict[str, Any]:
    from tracker.accounts.tables import Membership, Organisation, Person
    from tracker.auth import start_session
    from tracker.gates.settings_service import ensure_defaults, rule_row, snapshot
    from tracker.tenancy import TenantScope

    org = (await Organisation.insert(Organisation(name=f"Load {o}", slug=f"load-{o}")))[0]["id"]
    await ensure_defaults(org)
    people = await Person.insert(
        *(
            Person(email=f"{r}{o}@load.example.com", name=f"{r} {o}", password_hash="x")
            for r in ("admin", "lead", "committee")
        )
    )
    admin, lead, committee = (p["id"] for p in people)
    await Membership.insert(
        Membership(org=org, person=admin, role="admin"),
        Membership(org=org, person=lead, role="lead"),
        Membership(org=org, person=committee, role="committee"),
    )
    rule = snapshot(await rule_row(TenantScope(org)))
    vote_rule = json.dumps({**json.loads(rule), "quorum_kind": "count", "quorum_value": 3})
    bulk = Org(org, lead, [committee, admin, lead], vote_rule)
    await seed_initiatives(url, bulk, initiatives, rng, progress=True)
    sessions = {"admin": await start_session(admin), "committee": await start_session(committee)}
    return {
        "org": org,
        "slug": f"load-{o}",
        "people": (admin, lead, committee),
        "sessions": sessions,
        "rule": rule,
        "first": bulk.initiatives[0],
        "kpis": bulk.kpis,
        "votes": [
            [f"tracker_session={sessions[who]}", f"/o/load-{o}/reviews/{r}/vote", c]
            for who in VOTERS
            for r, c in bulk.reviews
        ],
    }


async def _pages(seeded: dict[str, Any]) -> dict[str, str]:
    """The routes measured, in the first organisation (with a review to look at and a SOP)."""
    from tracker.demo_program import seed_sop
    from tracker.sops.tables import SopVersion

    org, slug, first = seeded["org"], seeded["slug"], seeded["first"]
    admin, lead, committee = seeded["people"]
    review, _ = await _open_review(org, first, seeded["rule"], lead, [committee])
    today = date.today()
    sop = await seed_sop(
        org, first, f"SOP-LD-{today.year}-001", "Load SOP", [admin, lead, committee], today,
        "published",
    )  # fmt: skip
    row = await SopVersion.select(SopVersion.id).where(SopVersion.document == sop).first()
    assert row is not None
    return {
        "plain route (/healthz)": "/healthz",
        "portfolio board": f"/o/{slug}/",
        "initiative page": f"/o/{slug}/initiatives/{first}",
        "matrix": f"/o/{slug}/initiatives/{first}/matrix",
        "heat map": f"/o/{slug}/initiatives/{first}/heatmap",
        "gate review page": f"/o/{slug}/reviews/{review}",
        "KPI page (52 weeks)": f"/o/{slug}/kpis/{seeded['kpis'][0]}",
        "SOP version page": f"/o/{slug}/sop-versions/{row['id']}",
    }


def org_wide(slug: str) -> dict[str, str]:
    """The organisation's own pages, over all its initiatives: these grow with it."""
    return {
        "portfolio heat map": f"/o/{slug}/heatmap",
        "portfolio matrix": f"/o/{slug}/matrix",
        "my reviews": f"/o/{slug}/reviews",
        "KPI alerts": f"/o/{slug}/kpis",
        "SOPs": f"/o/{slug}/sops",
    }


def routes(targets: dict[str, Any]) -> dict[str, str]:
    """Every read route measured: the plain route first, then the pages of one initiative's
    records (their size does not grow with the organisation's), then the organisation's."""
    return {**targets["pages"], **org_wide(targets["mixed"][0]["slug"])}


async def seed(url: str, orgs: int, initiatives: int) -> dict[str, Any]:
    """Seed the data; returns the URLs to measure with a session cookie for them, the open
    reviews (with their criteria) that the vote benchmark votes on, and per organisation what
    the mixed benchmark reads and writes (its board, its admin's session, its KPIs)."""
    rng = random.Random(11)
    seeded = []
    for o in range(orgs):
        seeded.append(await _seed_org(url, o, initiatives, rng))
        print(f"  organisation {o + 1}/{orgs} seeded", flush=True)
    targets: dict[str, Any] = {
        "cookie": f"tracker_session={seeded[0]['sessions']['admin']}",
        "pages": await _pages(seeded[0]),
        # one organisation after another, so that votes at the same moment are in different ones
        "votes": [
            vote for turn in zip(*(s["votes"] for s in seeded), strict=True) for vote in turn
        ],
        "mixed": [
            {
                "cookie": f"tracker_session={s['sessions']['admin']}",
                "board": f"/o/{s['slug']}/",
                "kpis": s["kpis"][:: len(KPIS)],  # the "Cycle days" ones (lower is better)
                "slug": s["slug"],
            }
            for s in seeded
        ],
    }
    return targets


async def seed_db(url: str, orgs: int, initiatives: int) -> dict[str, Any]:
    from tracker import db

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 4)
    try:
        return await seed(url, orgs, initiatives)
    finally:
        await db.stop(engine)


def server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def on_server(url: str, *statements: str) -> Any:
    """Run statements on the server's maintenance database; the first row's value of the last."""
    import asyncpg

    connection = await asyncpg.connect(server_url(url, "postgres"))
    try:
        result = None
        for statement in statements:
            result = await connection.fetchval(statement)
        return result
    finally:
        await connection.close()


async def on_database(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def migrate(url: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "tracker.cli", "migrate"],
        env={**env, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def fresh_seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    migrate(args.database_url, env)
    started = time.perf_counter()
    targets = asyncio.run(seed_db(args.database_url, args.orgs, args.initiatives))
    asyncio.run(on_database(args.database_url, "VACUUM ANALYZE"))
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    return targets


def cached_seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Seed once into a template database, then copy it for each run."""
    name = urlsplit(args.database_url).path.lstrip("/")
    seed_name = f"{name}_seed_{args.orgs}x{args.initiatives}"
    key = f"v{SEED_VERSION}: {args.orgs}x{args.initiatives}, {len(VOTERS)} voters"
    stored = asyncio.run(
        on_server(
            args.database_url,
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{seed_name}'",
        )
    )
    cache = json.loads(stored) if stored else {}
    if cache.get("key") != key:
        print(f"no seed of {key} in {seed_name} yet: seeding it once")
        asyncio.run(
            on_server(
                args.database_url,
                f'DROP DATABASE IF EXISTS "{seed_name}" WITH (FORCE)',
                f'CREATE DATABASE "{seed_name}"',
            )
        )
        seed_url = server_url(args.database_url, seed_name)
        migrate(seed_url, env)
        started = time.perf_counter()
        targets = asyncio.run(seed_db(seed_url, args.orgs, args.initiatives))
        seeded = time.perf_counter()
        # as autovacuum would have it in production: visibility maps set, statistics known
        asyncio.run(on_database(seed_url, "VACUUM ANALYZE"))
        print(
            f"seeded in {seeded - started:.0f} s, vacuumed in {time.perf_counter() - seeded:.0f} s"
        )
        cache = {"key": key, "targets": targets}
        text = json.dumps(cache).replace("'", "''")
        asyncio.run(
            on_server(args.database_url, f"COMMENT ON DATABASE \"{seed_name}\" IS '{text}'")
        )
    started = time.perf_counter()
    asyncio.run(
        on_server(
            args.database_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            # FILE_COPY: the default (WAL_LOG) writes the whole copy to the WAL, and its
            # checkpoints then land in the measurements
            f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}" STRATEGY = FILE_COPY',
        )
    )
    migrate(args.database_url, env)  # the code may have migrations the seed predates
    # the seed's sessions may have been idle longer than a session may be: they start again
    asyncio.run(
        on_database(
            args.database_url,
            "UPDATE web_session SET last_seen_at = now(), expires_at = now() + interval '1 day'",
        )
    )
    # Planner statistics, as autovacuum keeps them in production (a fresh seed has none yet);
    # then a checkpoint, so that writing out the copy does not happen during the measurements.
    asyncio.run(on_database(args.database_url, "ANALYZE"))
    asyncio.run(on_database(args.database_url, "CHECKPOINT"))
    print(f"copied the seed from {seed_name} in {time.perf_counter() - started:.0f} s")
    return dict(cache["targets"])
