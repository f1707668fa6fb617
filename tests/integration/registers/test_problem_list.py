"""The problem register's list a page at a time, in priority order (issue 19: an initiative of
8,000 problems rendered a 2.1 MB list on every visit), and its top 5, both read in that order
by the database: the same order as the pure rule's (``rules.prioritise``, ``rules.top``)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_org
from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.problems import rules, service
from tracker.problems.tables import Problem

NOW = datetime.now(UTC)
STATUSES = ("open", "analysing", "solved", "deferred")


async def register(org, initiative: int, n: int, prefix: str = "P") -> None:
    """``n`` problems over every cell of the matrix (every quadrant's edges, equal products
    such as 3 × 4 and 4 × 3) and every status, three ages only: many ties of quadrant, score
    and age, which the problem's id breaks."""
    rows = [
        Problem(
            org=org.id,
            initiative=initiative,
            title=f"{prefix} {k}",
            category="quality",
            impact=1 + k % 5,
            urgency=1 + (k // 5) % 5,
            status=STATUSES[k % 7 % 4],
            created_at=NOW - timedelta(hours=k % 3),
        )
        for k in range(n)
    ]
    for start in range(0, n, 200):
        await Problem.insert(*rows[start : start + 200])


def listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/o/[^/]+/problems/\d+">([^<]+)</a></td>', html)


async def expected_order(initiative: int) -> list[str]:
    rows = await Problem.select(
        Problem.id, Problem.title, Problem.impact, Problem.urgency, Problem.status,
        Problem.created_at,
    ).where(Problem.initiative == initiative).order_by(Problem.id)  # fmt: skip
    return [r["title"] for r in rules.prioritise(rows)], [r["title"] for r in rules.top(rows)]


async def test_the_list_pages_through_every_problem_in_priority_order(world):
    size = service.LIST_PAGE
    org = await make_org(f"plist-{world.backend}", "x")
    initiative = await make_initiative(org)
    await register(org, initiative, 2 * size + 50)
    await register(org, await make_initiative(org), 7, prefix="Neighbour")
    order, top = await expected_order(initiative)
    base = f"/o/{org.slug}/initiatives/{initiative}/problems"
    async with world.client(org, "member") as client:
        pages = [await client.get(base)]
        while found := re.search(r'rel="next" href="([^"]+)"', pages[-1].text):
            pages.append(await client.get(found.group(1)))
        beyond = await client.get(f"{base}?page=4")
        top5 = await client.get(f"{base}/top5")
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [t for p in pages for t in listed(p.text)] == order  # every one, once, in order
    assert [len(listed(p.text)) for p in pages] == [size, size, 50]
    assert "250 problems, in priority order" in pages[0].text
    assert "1–100 of 250" in pages[0].text and "201–250 of 250" in pages[2].text
    assert 'rel="prev"' in pages[2].text and "First page" in pages[1].text
    assert "First page" not in pages[0].text
    assert 'id="new"' in pages[2].text  # the form to register one is on every page
    assert beyond.status_code == 200 and "No problems on this page." in beyond.text
    assert len(top) == 5  # the still-open ones first by priority: the pure rule's five
    assert re.findall(r"<li><h2>([^<]+?) <span", top5.text) == top


@pytest.mark.parametrize("n", [30, 600])
async def test_the_lists_queries_and_size_stay_the_same_as_the_register_grows(world, n):
    org = await make_org(f"plist-{n}-{world.backend}", "x")
    initiative = await make_initiative(org)
    await register(org, initiative, n)
    base = f"/o/{org.slug}/initiatives/{initiative}/problems"
    async with world.client(org, "lead") as client:
        await client.get(f"/o/{org.slug}/")  # the session's once-a-minute touch, not counted
        with count_queries() as page:
            listed_page = await client.get(base)
        with count_queries() as top5:
            await client.get(f"{base}/top5")
    assert len(listed(listed_page.text)) == min(n, service.LIST_PAGE)
    walled = world.backend == "postgres"
    # the session, memberships (one round trip behind the wall), the initiative's header, the
    # page's problems, their count, the people to choose an owner from
    assert page.count == (5 if walled else 6), page.statements
    assert top5.count == (3 if walled else 4), top5.statements
    assert len(listed_page.text) < 200_000


async def test_bad_pages_and_outsiders(world):
    org = await make_org(f"plist-bad-{world.backend}", "x")
    initiative = await make_initiative(org)
    await register(org, initiative, 5)
    base = f"/o/{org.slug}/initiatives/{initiative}/problems"
    async with world.client(org, "viewer") as client:
        for query, status in (
            ("?page=0", 404),
            ("?page=-1", 404),
            ("?page=99999999", 404),
            ("?page=abc", 400),
            ("?page=1", 200),
        ):
            assert (await client.get(base + query)).status_code == status, query
        chinese = await client.get(base, headers={"Accept-Language": "zh-CN"})
    assert "共 5 个问题，按优先级排列" in chinese.text
    assert 'id="new"' not in chinese.text  # a viewer registers nothing
    outsider = await make_org(f"plist-out-{world.backend}", "x")
    async with world.client(outsider, "admin") as client:
        for path in (
            f"{base}?page=1",
            f"/o/{outsider.slug}/initiatives/{initiative}/problems?page=2",
            f"/o/{outsider.slug}/initiatives/{initiative}/problems/top5",
        ):
            assert (await client.get(path)).status_code == 404, path
