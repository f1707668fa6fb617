"""The matrix's and the heat map's counts kept by triggers (issue 19, migrations
2026-12-01T00:00 and 00:10): after every kind of change to the problems and risks, the kept
counts are those a fresh GROUP BY of the rows gives, on both databases, and the pages read them;
behind the wall an organisation reads its own and the app's role writes none."""

from __future__ import annotations

from collections import Counter

import asyncpg
import pytest

from tests.helpers import make_initiative
from tests.integration.test_tenant_wall import walled_db  # noqa: F401 (a fixture)
from tracker.problems import matrix
from tracker.problems.tables import Problem
from tracker.risks import rules as risk_rules
from tracker.risks import service as risk_service
from tracker.risks.tables import Risk
from tracker.tenancy import TenantScope


async def fresh_org(slug: str):
    from tests.conftest import make_org
    from tracker.auth import hash_password

    return await make_org(slug, await hash_password("x" * 12))


async def problem_cells(org_id: int) -> tuple[Counter, Counter]:
    """The matrix's cells as kept and as counted from the problems."""
    from tracker import db

    kept = Counter(
        {
            (r["impact"], r["urgency"]): r["live"]
            for r in await db.fetch(
                f"SELECT impact, urgency, live FROM problem_cell WHERE org = {org_id}"
            )
        }
    )
    rows = await Problem.select(Problem.impact, Problem.urgency).where(
        Problem.org == org_id, Problem.status.is_in(["open", "analysing"])
    )
    return +kept, Counter((r["impact"], r["urgency"]) for r in rows)


async def risk_cells(org_id: int) -> tuple[Counter, Counter]:
    """The heat map's cells as kept and as counted from the risks."""
    from tracker import db

    kept = Counter(
        {
            (r["likelihood"], r["impact"]): r["live"]
            for r in await db.fetch(
                f"SELECT likelihood, impact, live FROM risk_cell WHERE org = {org_id}"
            )
        }
    )
    rows = await Risk.select(Risk.likelihood, Risk.impact).where(
        Risk.org == org_id, Risk.status != "closed"
    )
    return +kept, Counter((r["likelihood"], r["impact"]) for r in rows)


def problem(org, initiative: int, impact: int, urgency: int, status: str = "open") -> Problem:
    return Problem(
        org=org.id,
        initiative=initiative,
        title=f"Cell {impact}×{urgency}",
        category="quality",
        impact=impact,
        urgency=urgency,
        status=status,
    )


def risk(org, initiative: int, likelihood: int, impact: int, status: str = "open") -> Risk:
    return Risk(
        org=org.id,
        initiative=initiative,
        description=f"Risk {likelihood}×{impact}",
        category="process",
        likelihood=likelihood,
        impact=impact,
        status=status,
    )


async def test_the_matrix_counts_follow_every_change_to_the_problems(world):
    org = await fresh_org(f"problem-cells-{world.backend}")
    other = await fresh_org(f"problem-cells-other-{world.backend}")
    first, second = await make_initiative(org), await make_initiative(org)
    scope = TenantScope(org.id)

    async def check(expected: dict[tuple[int, int], int]) -> None:
        kept, counted = await problem_cells(org.id)
        assert kept == counted == Counter(expected)
        shown = (await matrix.portfolio(scope)).counts
        assert {cell: n for cell, n in shown.items() if n} == expected
        page = await matrix.cell_page(scope, 5, 5, None)
        assert page.total == expected.get((5, 5), 0)

    await check({})
    # the organisation's first problems (several in one statement), one off the matrix
    await Problem.insert(
        problem(org, first, 5, 5),
        problem(org, first, 5, 5, "analysing"),
        problem(org, second, 2, 3),
        problem(org, second, 2, 3, "solved"),
    )
    await Problem.insert(problem(other, await make_initiative(other), 5, 5))
    await check({(5, 5): 2, (2, 3): 1})
    ids = [r["id"] for r in await Problem.select(Problem.id).where(Problem.org == org.id)]
    # re-scored: from one cell to another
    await Problem.update({Problem.impact: 4, Problem.urgency: 1}).where(Problem.id == ids[0])
    await check({(5, 5): 1, (4, 1): 1, (2, 3): 1})
    # open to analysing: the same cell; solved: off the matrix; re-opened: back
    await Problem.update({Problem.status: "analysing"}).where(Problem.id == ids[0])
    await check({(5, 5): 1, (4, 1): 1, (2, 3): 1})
    await Problem.update({Problem.status: "solved"}).where(Problem.id == ids[2])
    await check({(5, 5): 1, (4, 1): 1})
    await Problem.update({Problem.status: "open", Problem.impact: 5, Problem.urgency: 5}).where(
        Problem.id.is_in([ids[2], ids[3]])
    )  # a solved one re-opened into another cell, with the one never on the matrix
    await check({(5, 5): 3, (4, 1): 1})
    # to another initiative: the portfolio's cells do not change
    await Problem.update({Problem.initiative: second}).where(Problem.initiative == first)
    await check({(5, 5): 3, (4, 1): 1})
    # deleted; a deferred one deleted counts nothing
    await Problem.update({Problem.status: "deferred"}).where(Problem.id == ids[3])
    await Problem.delete().where(Problem.id.is_in([ids[0], ids[3]]))
    await check({(5, 5): 2})
    # the other organisation's cells were never touched
    assert await problem_cells(other.id) == (Counter({(5, 5): 1}), Counter({(5, 5): 1}))


async def test_the_heat_map_counts_follow_every_change_to_the_risks(world):
    org = await fresh_org(f"risk-cells-{world.backend}")
    first, second = await make_initiative(org), await make_initiative(org)
    scope = TenantScope(org.id)

    async def check(expected: dict[tuple[int, int], int]) -> None:
        kept, counted = await risk_cells(org.id)
        assert kept == counted == Counter(expected)
        shown = await risk_service.heat_cells(scope)
        assert shown == risk_rules.heat_cells(
            {"likelihood": lk, "impact": im, "n": n} for (lk, im), n in expected.items()
        )

    await check({})
    await Risk.insert(
        risk(org, first, 4, 2),
        risk(org, first, 4, 2, "mitigating"),
        risk(org, second, 1, 5),
        risk(org, second, 3, 3, "closed"),
    )
    await check({(4, 2): 2, (1, 5): 1})
    ids = [r["id"] for r in await Risk.select(Risk.id).where(Risk.org == org.id)]
    await Risk.update({Risk.likelihood: 5, Risk.impact: 5}).where(Risk.id == ids[0])  # re-scored
    await check({(4, 2): 1, (5, 5): 1, (1, 5): 1})
    await Risk.update({Risk.status: "mitigating"}).where(Risk.id == ids[0])  # the same cell
    await check({(4, 2): 1, (5, 5): 1, (1, 5): 1})
    await Risk.update({Risk.status: "closed"}).where(Risk.id.is_in([ids[0], ids[1]]))
    await check({(1, 5): 1})
    await Risk.update({Risk.status: "open"}).where(Risk.id.is_in([ids[0], ids[3]]))  # re-opened
    await check({(5, 5): 1, (1, 5): 1, (3, 3): 1})
    await Risk.update({Risk.initiative: first}).where(Risk.initiative == second)
    await check({(5, 5): 1, (1, 5): 1, (3, 3): 1})
    await Risk.delete().where(Risk.id.is_in([ids[1], ids[2]]))  # a closed one and a live one
    await check({(5, 5): 1, (3, 3): 1})
    # the initiative's own heat map is still counted from its risks
    assert (await risk_service.heat_cells(scope, first))[(5, 5)] == 1


async def test_the_pages_show_the_kept_counts(world):
    org = await fresh_org(f"cell-pages-{world.backend}")
    initiative = await make_initiative(org)
    await Problem.insert(*(problem(org, initiative, 3, 4) for _ in range(7)))
    await Risk.insert(*(risk(org, initiative, 2, 5) for _ in range(3)))
    async with world.client(org, "viewer") as client:
        grid = (await client.get(f"/o/{org.slug}/matrix")).text
        cell = (await client.get(f"/o/{org.slug}/matrix/3/4")).text
        heat = (await client.get(f"/o/{org.slug}/heatmap")).text
    assert "Show all 7 →" in grid and '<span class="cell-count">7</span>' in grid
    assert "1–7 of 7" in cell
    assert "Likelihood 2, impact 5: 3 risks" in heat


async def test_several_changes_to_one_row_in_one_transaction_count_once(walled_db):  # noqa: F811
    """PostgreSQL: the triggers run at the commit, each with the row as its change left it."""
    owner, (a, _) = walled_db
    initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", a)
    async with owner.transaction():
        made = await owner.fetchval(
            "INSERT INTO problem (org, initiative, title, description, category, impact, urgency, "
            "fishbone, whys, status, created_at, version) VALUES ($1, $2, 't', '', 'risk', 1, 1, "
            "'', '', 'open', now(), 1) RETURNING id",
            a,
            initiative,
        )
        await owner.execute("UPDATE problem SET impact = 2 WHERE id = $1", made)
        await owner.execute("UPDATE problem SET status = 'solved' WHERE id = $1", made)
        await owner.execute("UPDATE problem SET status = 'open', urgency = 3 WHERE id = $1", made)
    rows = await owner.fetch("SELECT impact, urgency, live FROM problem_cell WHERE org = $1", a)
    assert {(r["impact"], r["urgency"]): r["live"] for r in rows if r["live"]} == {(2, 3): 1}


async def test_behind_the_wall_the_counts_are_read_never_written(walled_db):  # noqa: F811
    owner, (a, b) = walled_db
    for org in (a, b):
        initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", org)
        await owner.execute(
            "INSERT INTO risk (org, initiative, description, category, likelihood, impact, "
            "mitigation, manifestation, status, created_at, version) "
            "VALUES ($1, $2, 'r', 'data', 2, 2, '', '', 'open', now(), 1)",
            org,
            initiative,
        )
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        assert [r["org"] for r in await owner.fetch("SELECT org FROM risk_cell")] == [a]
        assert await owner.fetch("SELECT org FROM problem_cell") == []
        for statement in (
            "UPDATE risk_cell SET live = 99",
            f"INSERT INTO problem_cell (org, impact, urgency, live) VALUES ({a}, 1, 1, 5)",
            f"SELECT tracker_risk_cell_add({a}, 1, 1, 5)",
            f"SELECT tracker_problem_cell_add({a}, 1, 1, 5)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with owner.transaction():  # a savepoint, rolled back
                    await owner.execute(statement)


@pytest.mark.parametrize("hour", ["00_00", "00_10"])
async def test_the_migrations_fill_gives_the_counts_the_triggers_keep(world, hour):
    """What an existing database gets: each migration fills its table from the rows there."""
    import importlib

    from tracker.db import current_engine

    migration = importlib.import_module(f"migrations.tracker.tracker_2026_12_01t{hour}_00_000000")
    table = "problem_cell" if hour == "00_00" else "risk_cell"
    org = await fresh_org(f"filled-{hour}-{world.backend}")
    initiative = await make_initiative(org)
    await Problem.insert(
        *(
            problem(org, initiative, 1 + n % 5, 1 + n % 3, ("open", "solved")[n % 4 == 0])
            for n in range(12)
        )
    )
    await Risk.insert(
        *(
            risk(org, initiative, 1 + n % 4, 1 + n % 5, ("mitigating", "closed")[n % 3 == 0])
            for n in range(12)
        )
    )
    cells = problem_cells if table == "problem_cell" else risk_cells
    kept, counted = await cells(org.id)
    engine = current_engine()
    await engine.run_ddl(f"DELETE FROM {table}")
    await engine.run_ddl(migration.FILL)
    assert await cells(org.id) == (kept, counted) and kept == counted and counted
