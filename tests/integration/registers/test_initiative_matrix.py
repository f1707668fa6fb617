"""An initiative's impact–urgency matrix, bounded as the portfolio's is (issue 19): a cell shows
its oldest ``INITIATIVE_CELL_LIMIT`` problems with the count of all of them, "Show all N" opens
the cell's pages within the initiative, and the page's queries and size stay the same whether
the initiative has 30 problems or 600 (a soak's initiative gathered 8,000, and its grid of 7.5 M
characters was rendered and kept on every visit)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_org
from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.problems import matrix
from tracker.problems.tables import Problem

CHIP = 'class="problem-chip"'
NOW = datetime.now(UTC)


async def add_problems(org, initiative: int, n: int, impact: int, urgency: int, **values) -> None:
    """``n`` problems in one cell, inserted newest first (the oldest has the highest id)."""
    rows = [
        Problem(
            org=org.id,
            initiative=initiative,
            title=values.get("title", "Aged {n}").format(n=k),
            category="risk",
            impact=impact,
            urgency=urgency,
            status=values.get("status", "analysing" if k % 2 else "open"),
            created_at=NOW - timedelta(days=k, minutes=impact * 5 + urgency),
        )
        for k in range(n)
    ]
    for start in range(0, n, 200):
        await Problem.insert(*rows[start : start + 200])


def titles(html: str) -> list[str]:
    return re.findall(r'/problems/\d+">(Aged \d+)</a>', html)


def next_link(html: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


async def crowded_initiative(org, crowd: int) -> int:
    """An initiative with ``crowd`` live problems in the cell impact 4 × urgency 2, three in
    another cell, one deferred (off the matrix); and a neighbour with problems in the same cell
    (not this initiative's)."""
    initiative = await make_initiative(org, name="Crowded initiative")
    await add_problems(org, initiative, crowd, 4, 2)
    await add_problems(org, initiative, 3, 1, 5, title="Other {n}")
    await add_problems(org, initiative, 1, 4, 2, title="Deferred {n}", status="deferred")
    neighbour = await make_initiative(org, name="Neighbour initiative")
    await add_problems(org, neighbour, 4, 4, 2, title="Neighbour {n}")
    return initiative


async def test_a_crowded_cell_shows_its_oldest_and_show_all_walks_every_one(world, monkeypatch):
    monkeypatch.setattr(matrix, "PAGE", 12)
    limit = matrix.INITIATIVE_CELL_LIMIT
    org = await make_org(f"imatrix-walk-{world.backend}", "x")
    initiative = await crowded_initiative(org, 30)
    base = f"/o/{org.slug}/initiatives/{initiative}/matrix"
    async with world.client(org, "member") as client:
        page = await client.get(base)
        part = await client.get(base, headers={"HX-Request": "true"})
        walked, seen, url = [], [], f"{base}/4/2"
        while url:
            response = await client.get(url)
            assert response.status_code == 200
            walked.append(response.text)
            seen += titles(response.text)
            url = next_link(response.text)
    assert page.status_code == part.status_code == 200
    # the matrix: the cell's oldest few, oldest first, its count, and "Show all 30" to its page
    assert titles(page.text) == [f"Aged {k}" for k in range(29, 29 - limit, -1)]
    assert page.text.count(CHIP) == part.text.count(CHIP) == limit + 3
    assert '<span class="cell-count">30</span>' in page.text
    assert f'href="{base}/4/2"' in page.text and "Show all 30 →" in page.text
    assert f'href="{base}/1/5"' not in page.text  # three fit: no "Show all"
    assert "Neighbour" not in page.text and "Deferred" not in page.text
    assert f"A cell shows its {limit} oldest" in page.text
    assert 'class="mover"' in page.text  # a team member re-scores on the matrix
    # the cell's pages: every problem of this initiative's cell, oldest first, 12 a page
    assert seen == [f"Aged {k}" for k in range(29, -1, -1)]
    assert len(walked) == 3 and "25–30 of 30" in walked[-1]
    first = walked[0]
    assert "30 open or analysing problems in this initiative, oldest first." in first
    assert "Neighbour" not in "".join(walked) and "Deferred" not in "".join(walked)
    assert "Crowded initiative" in first  # the initiative's header and tabs
    assert f'href="{base}">← Back to the matrix' in first
    assert "<th>Initiative</th>" not in first  # every row is this initiative's


@pytest.mark.parametrize("crowd", [30, 600])
async def test_the_page_and_its_queries_stay_the_same_as_the_initiative_grows(world, crowd):
    limit = matrix.INITIATIVE_CELL_LIMIT
    org = await make_org(f"imatrix-{crowd}-{world.backend}", "x")
    initiative = await crowded_initiative(org, crowd)
    base = f"/o/{org.slug}/initiatives/{initiative}/matrix"
    async with world.client(org, "lead") as client:
        await client.get(f"/o/{org.slug}/")  # the session's once-a-minute touch, not counted
        with count_queries() as whole:
            page = await client.get(base)
        with count_queries() as fragment:
            await client.get(base, headers={"HX-Request": "true"})
        with count_queries() as cell:
            await client.get(f"{base}/4/2")
    assert page.text.count(CHIP) == limit + 3
    assert f"Show all {crowd} →" in page.text
    # the session, the memberships (one round trip behind the wall), the initiative's header,
    # the problems shown, the counts: the same at 30 and at 600, page, fragment or cell page
    walled = world.backend == "postgres"
    for counted in (whole, fragment, cell):
        assert counted.count == (4 if walled else 5), counted.statements
    assert len(page.text) < 120_000  # the grid does not grow with the initiative


async def test_re_scoring_moves_a_problem_between_the_counts(world):
    org = await make_org(f"imatrix-move-{world.backend}", "x")
    initiative = await crowded_initiative(org, 12)
    oldest = (
        await Problem.select(Problem.id)
        .where(Problem.initiative == initiative, Problem.title == "Aged 11")
        .first()
    )["id"]
    base = f"/o/{org.slug}/initiatives/{initiative}/matrix"
    async with world.client(org, "member") as client:
        moved = await client.post(
            f"/o/{org.slug}/problems/{oldest}/move",
            data={"direction": "up"},
            headers={"HX-Request": "true"},
        )
        page = await client.get(base)
    assert moved.status_code == 200
    assert '<span class="cell-count">11</span>' in moved.text  # the crowded cell, one fewer
    assert "Show all 11 →" in page.text and "Aged 11" in page.text  # alone in impact 5


async def test_the_cell_page_in_chinese(world):
    org = await make_org(f"imatrix-zh-{world.backend}", "x")
    initiative = await crowded_initiative(org, 14)
    async with world.client(org, "viewer") as client:
        cell = await client.get(
            f"/o/{org.slug}/initiatives/{initiative}/matrix/4/2",
            headers={"Accept-Language": "zh-CN"},
        )
        page = await client.get(
            f"/o/{org.slug}/initiatives/{initiative}/matrix",
            headers={"Accept-Language": "zh-CN"},
        )
    assert "本项目中有 14 个未解决或分析中的问题，按登记时间由早到晚排列。" in cell.text
    assert "第 1–14 项，共 14 项" in cell.text  # the pager in Chinese too
    assert 'class="mover"' not in page.text  # a viewer re-scores nothing
    assert "in this initiative" not in cell.text


async def test_an_outsider_and_bad_addresses_get_404(world):
    org = await make_org(f"imatrix-out-{world.backend}", "x")
    initiative = await crowded_initiative(org, 12)
    theirs = (await Problem.select(Problem.id).where(Problem.initiative == initiative).first())[
        "id"
    ]
    outsider = await make_org(f"imatrix-outsider-{world.backend}", "x")
    own = await make_initiative(outsider)
    async with world.client(outsider, "admin") as client:
        for path in (
            f"/o/{org.slug}/initiatives/{initiative}/matrix/4/2",
            f"/o/{outsider.slug}/initiatives/{initiative}/matrix/4/2",
            f"/o/{outsider.slug}/initiatives/{initiative}/matrix",
        ):
            assert (await client.get(path)).status_code == 404, path
        anchored = await client.get(
            f"/o/{outsider.slug}/initiatives/{own}/matrix/4/2?after={theirs}"
        )
    assert anchored.status_code == 200 and "Aged" not in anchored.text
    assert "No open problem in this cell." in anchored.text
    # another initiative's problem as the anchor moves where the page starts, nothing more
    neighbour = (
        await Problem.select(Problem.id)
        .where(Problem.org == org.id, Problem.title == "Neighbour 3")
        .first()
    )["id"]
    async with world.client(org, "member") as client:
        after_theirs = await client.get(
            f"/o/{org.slug}/initiatives/{initiative}/matrix/4/2?after={neighbour}"
        )
    assert after_theirs.status_code == 200 and "Neighbour" not in after_theirs.text
    assert "Aged" in after_theirs.text
    base = f"/o/{org.slug}/initiatives/{initiative}/matrix"
    async with world.client(org, "member") as client:
        for path, status in (
            ("/0/5", 404),
            ("/5/6", 404),
            ("/4/2?after=0", 404),
            ("/4/2?after=99999999999", 404),
            ("/4/2?after=abc", 400),
        ):
            assert (await client.get(base + path)).status_code == status, path
        missing = await client.get(f"/o/{org.slug}/initiatives/99999999/matrix/4/2")
    assert missing.status_code == 404


async def test_an_empty_matrix_offers_to_register_a_problem_in_place_too(world):
    """The grid fetched in place (htmx) says what the page says when it is empty."""
    org = await make_org(f"imatrix-empty-{world.backend}", "x")
    initiative = await make_initiative(org)
    base = f"/o/{org.slug}/initiatives/{initiative}/matrix"
    async with world.client(org, "lead") as client:
        page = await client.get(base)
        part = await client.get(base, headers={"HX-Request": "true"})
    register = f'href="/o/{org.slug}/initiatives/{initiative}/problems#new"'
    assert register in page.text and register in part.text
