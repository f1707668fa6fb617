"""The portfolio's impact–urgency matrix, bounded (issue 19): a cell shows its oldest few
problems with the count of all, "Show all N" opens the cell's pages (keyset), and the queries
are the same at 10 and 1,000 initiatives."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_org
from tests.helpers import make_initiative, portfolio
from tracker.db import count_queries
from tracker.problems import matrix
from tracker.problems.tables import Problem

CHIP = 'class="problem-chip"'


async def live_cells(org) -> Counter:
    rows = await Problem.select(Problem.impact, Problem.urgency).where(
        Problem.org == org.id, Problem.status.is_in(["open", "analysing"])
    )
    return Counter((r["impact"], r["urgency"]) for r in rows)


def problem_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/o/[^/]+/problems/(\d+)"', html)]


def next_link(html: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("size", [10, 1000])
async def test_a_cell_shows_its_first_problems_and_counts_all_in_fixed_queries(world, size):
    org = await portfolio(world, size)
    cells = await live_cells(org)
    crowded = cells[(5, 5)]
    assert crowded >= size > matrix.CELL_LIMIT
    base = f"/o/{org.slug}"
    async with world.client(org, "member") as client:
        # the shared organisation's session, last seen maybe a minute ago, is touched first (a
        # write at most once a minute): not the page's queries
        await client.get(f"/o/{org.slug}/")
        with count_queries() as whole:
            page = await client.get(f"{base}/matrix")
        with count_queries() as fragment:
            part = await client.get(f"{base}/matrix", headers={"HX-Request": "true"})
        with count_queries() as first:
            cell = await client.get(f"{base}/matrix/5/5")
        after = problem_ids(cell.text)[-1]  # the next page (beyond the last at 10 initiatives)
        with count_queries() as later:
            second = await client.get(f"{base}/matrix/5/5?after={after}&shown={matrix.PAGE}")
    assert page.status_code == part.status_code == cell.status_code == second.status_code == 200
    # each cell shows at most CELL_LIMIT problems, its count, and "Show all" when it has more
    shown = sum(min(n, matrix.CELL_LIMIT) for n in cells.values())
    assert page.text.count(CHIP) == part.text.count(CHIP) == shown
    for (impact, urgency), n in cells.items():
        link = f'href="{base}/matrix/{impact}/{urgency}"'
        assert (link in page.text) == (n > matrix.CELL_LIMIT), (impact, urgency, n)
    assert f"Show all {crowded} →" in page.text
    assert f'<span class="cell-count">{crowded}</span>' in page.text
    assert "Problem 0.4" not in page.text  # solved: off the matrix and out of its counts
    # the cell's page: PAGE problems a page, "1–50 of N", the next page after the last one
    assert len(problem_ids(cell.text)) == min(crowded, matrix.PAGE)
    assert f"1–{min(crowded, matrix.PAGE)} of {crowded}" in cell.text
    assert (next_link(cell.text) is not None) == (crowded > matrix.PAGE)
    if crowded > matrix.PAGE:
        assert f"{matrix.PAGE + 1}–{min(crowded, 2 * matrix.PAGE)} of {crowded}" in second.text
        assert "First page" in second.text
        assert not set(problem_ids(cell.text)) & set(problem_ids(second.text))
    # session + memberships (one round trip behind the wall) + the counts + the problems shown
    walled = world.backend == "postgres"
    assert whole.count == (3 if walled else 4), whole.statements
    assert fragment.count == (3 if walled else 4), fragment.statements
    assert first.count == later.count == (3 if walled else 4), later.statements
    print(
        f"\nportfolio matrix queries with {size} initiatives ({world.backend}): "
        f"page {whole.count}, cell page {first.count}"
    )


async def test_show_all_walks_every_problem_of_the_cell_oldest_first(world, monkeypatch):
    monkeypatch.setattr(matrix, "PAGE", 3)
    org = await make_org(f"matrix-walk-{world.backend}", "x")
    initiative = await make_initiative(org, name="Walked initiative")
    now = datetime.now(UTC)
    # inserted newest first: the oldest has the highest id
    for n in range(8):
        await Problem.insert(
            Problem(
                org=org.id,
                initiative=initiative,
                title=f"Aged {n}",
                category="risk",
                impact=4,
                urgency=2,
                status="analysing" if n % 2 else "open",
                created_at=now - timedelta(days=n),
            )
        )
    await Problem.insert(
        Problem(
            org=org.id,
            initiative=initiative,
            title="Deferred one",
            category="risk",
            impact=4,
            urgency=2,
            status="deferred",
            created_at=now - timedelta(days=30),
        )
    )
    async with world.client(org, "viewer") as client:
        page = await client.get(f"/o/{org.slug}/matrix")
        walked, titles, url = [], [], f"/o/{org.slug}/matrix/4/2"
        while url:
            response = await client.get(url)
            assert response.status_code == 200
            walked.append(response.text)
            titles += re.findall(r'/problems/\d+">(Aged \d+)</a>', response.text)
            url = next_link(response.text)
    # the matrix shows the 5 oldest, oldest first, and "Show all 8"
    assert re.findall(r"(Aged \d+)</a>", page.text) == [f"Aged {n}" for n in (7, 6, 5, 4, 3)]
    assert "Show all 8 →" in page.text and "Deferred one" not in page.text
    assert 'class="mover"' not in page.text  # a viewer re-scores nothing
    assert titles == [f"Aged {n}" for n in range(7, -1, -1)]
    assert len(walked) == 3 and "7–8 of 8" in walked[-1] and "Deferred one" not in walked[-1]
    assert "Walked initiative" in walked[0] and "Analysing" in walked[0]


async def test_the_cell_page_is_the_organisations_own(world):
    org = await portfolio(world, 10)
    theirs = (
        await Problem.select(Problem.id)
        .where(Problem.org == org.id, Problem.impact == 5, Problem.urgency == 5)
        .first()
    )["id"]
    outsider = await make_org(f"matrix-out-{world.backend}", "x")
    async with world.client(outsider, "admin") as client:
        for path in (
            f"/o/{org.slug}/matrix",
            f"/o/{org.slug}/matrix/5/5",
            f"/o/{org.slug}/matrix/5/5?after={theirs}",
        ):
            assert (await client.get(path)).status_code == 404, path
        own = await client.get(f"/o/{outsider.slug}/matrix/5/5?after={theirs}")
        empty = await client.get(f"/o/{outsider.slug}/matrix/5/5")
    assert own.status_code == 200 and "Problem 0." not in own.text
    assert "No open problem in this cell." in empty.text
    async with world.client(org, "member") as client:
        for path, status in (
            ("/matrix/0/5", 404),
            ("/matrix/5/6", 404),
            ("/matrix/5/5?after=0", 404),
            ("/matrix/5/5?after=-4", 404),
            ("/matrix/5/5?after=99999999999", 404),
            ("/matrix/5/5?after=abc", 400),
        ):
            assert (await client.get(f"/o/{org.slug}{path}")).status_code == status, path
        writer = await client.get(f"/o/{org.slug}/matrix")
    assert 'class="mover"' in writer.text  # a team member re-scores on the matrix


@pytest.mark.sqlite_only  # SQLite's plans (PostgreSQL's follow its statistics)
async def test_sqlite_reads_the_matrix_through_its_index(world):
    """The partial index serves only a query that repeats its predicate word for word: a
    change to either shows here as a scan of the problems. The counts read no problem."""
    from tracker.db import fetch
    from tracker.problems import queries as q

    org = await portfolio(world, 10)
    initiative = 1  # an initiative's matrix reads its own range of the other partial index
    cell = {"impact": 5, "urgency": 5, "after": 1, "limit": 51}
    for statement, values, index in (
        (q.CELL_TOPS, {}, "problem_live_cell"),
        (q.CELL_PAGE, cell, "problem_live_cell"),
        (q.INITIATIVE_CELL_TOPS, {"initiative": initiative}, "problem_live_initiative_cell"),
        (q.CELL_PAGE, {**cell, "initiative": initiative}, "problem_live_initiative_cell"),
        (q.INITIATIVE_CELL_COUNTS, {"initiative": initiative}, "problem_live_initiative_cell"),
    ):
        bound = statement.bind(org=org.id, **values)
        plan = [
            r["detail"] for r in await fetch("EXPLAIN QUERY PLAN " + bound.template, *bound.args)
        ]
        assert not any(re.match(r"SCAN pr", step) for step in plan), plan
        assert any(re.search(rf"\b{index}\b", step) for step in plan), plan
    counts = q.CELL_COUNTS.bind(org=org.id)  # kept by triggers: the cells' rows by their key
    plan = await fetch("EXPLAIN QUERY PLAN " + counts.template, *counts.args)
    assert re.match(r"SEARCH c USING INDEX sqlite_autoindex_problem_cell", plan[0]["detail"])


MOVES = {  # direction: (the button's title, its label before the problem's title), by language
    "en": {
        "up": ("More impact", "More impact: "),
        "down": ("Less impact", "Less impact: "),
        "left": ("Less urgent", "Less urgent: "),
        "right": ("More urgent", "More urgent: "),
    },
    "zh-CN": {
        "up": ("提高影响", "提高影响："),
        "down": ("降低影响", "降低影响："),
        "left": ("降低紧急程度", "降低紧急程度："),
        "right": ("提高紧急程度", "提高紧急程度："),
    },
}
BUTTON = re.compile(
    r'<button type="submit" name="direction" value="(\w+)" title="([^"]*)" '
    r'aria-label="([^"]*)"( disabled)?>'
)


def chips(html: str) -> dict[int, str]:
    found = re.findall(r'<li class="problem-chip" id="problem-(\d+)">(.*?)</li>', html, re.S)
    return {int(problem): body for problem, body in found}


async def test_each_problem_has_its_four_move_buttons_named_after_it_in_either_language(world):
    org = await make_org(f"matrix-moves-{world.backend}", "x")
    initiative = await make_initiative(org, name="Moved initiative")
    titled = {  # title: (impact, urgency)
        "<script>alert('x')</script> & \"quoted\" 100% %(t)s": (5, 1),
        "Forms printed twice": (3, 3),
        "Approvals wait": (1, 5),
    }
    ids = {}
    for title, (impact, urgency) in titled.items():
        rows = await Problem.insert(
            Problem(
                org=org.id,
                initiative=initiative,
                title=title,
                category="risk",
                impact=impact,
                urgency=urgency,
            )
        ).returning(Problem.id)
        ids[rows[0]["id"]] = title
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34; 100% %(t)s"
    shown_title = {
        problem: escaped if title.startswith("<script>") else title
        for problem, title in ids.items()
    }
    paths = [f"/o/{org.slug}/matrix", f"/o/{org.slug}/initiatives/{initiative}/matrix"]
    for lang, moves in MOVES.items():
        for role in ("member", "viewer"):  # a team member re-scores, a viewer reads
            async with world.client(org, role) as client:
                for path in paths:
                    for headers in ({}, {"HX-Request": "true"}):  # the page and its grid
                        response = await client.get(
                            path, headers={"Accept-Language": lang, **headers}
                        )
                        html = response.text
                        assert response.status_code == 200
                        assert "<script>alert" not in html and escaped in html
                        shown = chips(html)
                        assert set(shown) == set(ids), (lang, role, path)
                        for problem, body in shown.items():
                            buttons = BUTTON.findall(body)
                            if role == "viewer":
                                assert buttons == [] and "/move" not in body
                                continue
                            impact, urgency = titled[ids[problem]]
                            edge = {
                                "up": impact == 5,
                                "down": impact == 1,
                                "left": urgency == 1,
                                "right": urgency == 5,
                            }
                            assert [
                                (value, title, label, bool(disabled))
                                for value, title, label, disabled in buttons
                            ] == [
                                (d, moves[d][0], moves[d][1] + shown_title[problem], edge[d])
                                for d in ("up", "down", "left", "right")
                            ], (lang, path, problem)
