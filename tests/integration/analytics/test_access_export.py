"""Who sees the analytics page (every member; the reviewer calibration only admins; another
organisation 404), the XLSX export in English and Chinese, and a fixed number of queries
for 10 and 1,000 initiatives."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook

from tests.conftest import ROLES
from tests.integration.analytics.portfolio import build, new_org
from tracker.db import count_queries, fetch
from tracker.gates.tables import GateDecision, GateReview, Vote
from tracker.initiatives.rules import plan_phases
from tracker.initiatives.tables import Initiative, Phase

PORTFOLIOS: dict[str, object] = {}


async def portfolio(world):
    if world.backend not in PORTFOLIOS:
        PORTFOLIOS[world.backend] = await build(world)
    return PORTFOLIOS[world.backend]


async def test_roles_see_the_page_and_only_admins_the_calibration(world):
    org = (await portfolio(world)).org
    reviewer = org.people["committee"]
    for role in ROLES:
        async with world.client(org, role) as client:
            page = await client.get(f"/o/{org.slug}/analytics")
            assert page.status_code == 200, role
            assert f'href="/o/{org.slug}/analytics"' in page.text  # the main menu
            shown = 'id="calibration"' in page.text
            assert shown == (role == "admin"), role
            drill = await client.get(
                f"/o/{org.slug}/analytics/drill?kind=reviewer&reviewer={reviewer}"
            )
            assert drill.status_code == (200 if role == "admin" else 403), role
            export = await client.get(f"/o/{org.slug}/analytics/export.xlsx")
            assert export.status_code == 200
            sheets = load_workbook(io.BytesIO(export.content)).sheetnames
            assert ("Reviewer calibration" in sheets) == (role == "admin"), role


async def test_another_organisation_gets_404(world):
    org = (await portfolio(world)).org
    async with world.client(world.b, "admin") as outsider:
        for path in ("analytics", "analytics/drill?kind=now", "analytics/export.xlsx"):
            assert (await outsider.get(f"/o/{org.slug}/{path}")).status_code == 404, path
    async with world.client() as anonymous:
        response = await anonymous.get(f"/o/{org.slug}/analytics")
        assert response.status_code in (302, 303, 401)


async def test_the_export_has_a_sheet_per_table_with_headers_in_the_readers_language(world):
    org = (await portfolio(world)).org
    async with world.client(org, "admin") as client:
        english = await client.get(f"/o/{org.slug}/analytics/export.xlsx")
        chinese = await client.get(
            f"/o/{org.slug}/analytics/export.xlsx", headers={"accept-language": "zh-CN"}
        )
    assert english.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(english.content))
    assert book.sheetnames == [
        "Funnel",
        "Entered and left by month",
        "Outcomes by gate",
        "Outcomes by quarter",
        "Decision lead time",
        "Time in phase",
        "Conditions",
        "Reviewer calibration",
    ]
    funnel = [[c.value for c in row] for row in book["Funnel"].iter_rows()]
    assert funnel[2] == ["Phase", "Initiatives now", "Overdue now", "Entered", "Left"]
    assert funnel[4] == ["Research", 2, 0, 2, 1]
    gates = [[c.value for c in row] for row in book["Outcomes by gate"].iter_rows()]
    assert gates[0][:3] == ["Gate", "Decisions", "Go"]
    assert gates[1][:4] == ["Scoping", 3, 2, 0] and gates[1][-1] == 50.0
    lead = [[c.value for c in row] for row in book["Decision lead time"].iter_rows()]
    assert lead[1][0] == "Scoping" and lead[1][4] == 4.0 and lead[1][6] == 5.6
    zh = load_workbook(io.BytesIO(chinese.content))
    assert zh.sheetnames[0] == "漏斗"
    header = [c.value for c in next(zh[zh.sheetnames[0]].iter_rows(min_row=3, max_row=3))]
    assert header == ["阶段", "当前项目数", "当前逾期", "进入", "离开"]


async def insert(table, rows, size: int = 200) -> list:
    """Rows in batches (PostgreSQL takes at most 32,767 values per statement)."""
    rows, made = list(rows), []
    for i in range(0, len(rows), size):
        made += await table.insert(*rows[i : i + size])
    return made


async def add_initiatives(org, count: int, tag: str) -> None:
    """``count`` initiatives in bulk, each with its phases and a decided Go at Scoping."""
    today = date.today()
    start = today - timedelta(days=40)
    rows = await insert(
        Initiative,
        (
            Initiative(
                org=org.id,
                name=f"Bulk {n}",
                process_code=f"B-{tag}-{n:05d}",
                process_class=("core", "support", "management")[n % 3],
                departments=("Quality", "Logistics")[n % 2],
                owner=org.people["lead"],
                goal_metric="Cycle time",
                start_date=start,
            )
            for n in range(count)
        ),
    )
    ids = [r["id"] for r in rows]
    plan = plan_phases(start)
    await insert(
        Phase,
        (
            Phase(
                org=org.id,
                initiative=i,
                number=int(p.number),
                planned_start=p.planned_start,
                planned_end=p.planned_end,
                actual_start=p.planned_start if p.number <= 2 else None,
                actual_end=p.planned_end if p.number == 1 else None,
            )
            for i in ids
            for p in plan
        ),
    )
    await fetch(
        "UPDATE initiative SET current_phase = (SELECT ph.id FROM phase ph "
        "WHERE ph.initiative = initiative.id AND ph.number = 2) WHERE org = {}",
        org.id,
    )
    decided = datetime.now(UTC) - timedelta(days=30)
    reviews = await insert(
        GateReview,
        (
            GateReview(
                org=org.id,
                initiative=i,
                gate=1,
                status="decided",
                proposed_decision="go",
                due_date=today,
                rule_snapshot="{}",
                requested_at=decided - timedelta(days=n % 9 + 1),
            )
            for n, i in enumerate(ids)
        ),
    )
    await insert(
        GateDecision,
        (
            GateDecision(
                org=org.id,
                review=r["id"],
                initiative=i,
                gate=1,
                outcome=("go", "go_conditions", "recycle")[n % 3],
                method="rule",
                decided_at=decided,
                from_phase=1,
                to_phase=2,
            )
            for n, (r, i) in enumerate(zip(reviews, ids, strict=True))
        ),
    )
    await insert(
        Vote,
        (
            Vote(org=org.id, review=r["id"], reviewer=org.people["committee"], vote="go")
            for r in reviews
        ),
    )


async def test_the_page_makes_the_same_number_of_queries_for_10_and_1000_initiatives(world):
    org = await new_org("an-q")

    async def measured() -> tuple[int, ...]:
        counts = []
        for role in ("admin", "viewer"):
            async with world.client(org, role) as client:
                with count_queries() as counter:
                    response = await client.get(
                        f"/o/{org.slug}/analytics?department=quality&process_class=core"
                    )
                assert response.status_code == 200
                counts.append(counter.count)
        async with world.client(org, "admin") as client:
            with count_queries() as counter:
                response = await client.get(f"/o/{org.slug}/analytics/export.xlsx")
            assert response.status_code == 200
            counts.append(counter.count)
        return tuple(counts)

    await add_initiatives(org, 10, "S")
    small = await measured()
    await add_initiatives(org, 990, "L")
    large = await measured()
    assert small == large, (small, large)
    print(f"analytics queries ({world.backend}; admin page, viewer page, export):", small)
    async with world.client(org, "admin") as client:
        text = (await client.get(f"/o/{org.slug}/analytics")).text
    assert 'kind=now&amp;phase=2">1000</a>' in text
