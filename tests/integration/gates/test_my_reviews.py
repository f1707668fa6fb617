""" "My reviews", bounded (issue 19): each list (a vote, a decision as chair, an approval)
shows its first page, most urgent first, with its total; "Show more" brings the next page in
place (htmx) or opens it; the queries are the same at 10 and 1,000 initiatives."""

import re

import pytest

from tests.conftest import make_org
from tests.helpers import portfolio
from tracker.db import count_queries
from tracker.gates import lists
from tracker.gates.tables import GateReview

ROW = re.compile(r'<tr class="(?:late)?">\s*<td><a href="/o/[^/]+/reviews/(\d+)"')


def section(html: str, kind: str) -> str:
    """The part of the page of one list (empty when the page has none)."""
    start = html.find(f'id="waiting-{kind}"')
    if start < 0:
        return ""
    end = html.find("<section", start)
    return html[start : end if end > 0 else len(html)]


def more_link(html: str) -> str | None:
    found = re.search(r'class="button" href="([^"]+)" hx-get', html)
    return found.group(1).replace("&amp;", "&") if found else None


def next_link(html: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


async def expected(org, status: str) -> list[int]:
    """The organisation's reviews in ``status``, most urgent first (the lists' order)."""
    rows = (
        await GateReview.select(GateReview.id)
        .where(GateReview.org == org.id, GateReview.status == status)
        .order_by(GateReview.due_date)
        .order_by(GateReview.id)
    )
    return [r["id"] for r in rows]


@pytest.mark.parametrize("size", [10, 1000])
async def test_each_list_shows_a_page_with_its_total_in_fixed_queries(world, size):
    org = await portfolio(world, size)
    to_vote, to_decide = await expected(org, "open"), await expected(org, "awaiting_chair")
    base = f"/o/{org.slug}/reviews"
    async with world.client(org, "committee") as client:
        # the shared organisation's session, last seen maybe a minute ago, is touched first (a
        # write at most once a minute): not the page's queries
        await client.get(f"/o/{org.slug}/")
        with count_queries() as whole:
            page = await client.get(base)
        after = ROW.findall(section(page.text, "vote"))[-1]
        query = f"?waiting=vote&after={after}&shown={lists.PAGE}"
        with count_queries() as fragment:
            rows = await client.get(base + query, headers={"HX-Request": "true"})
        with count_queries() as later:
            plain = await client.get(base + query)
    assert page.status_code == rows.status_code == plain.status_code == 200
    vote, chair = section(page.text, "vote"), section(page.text, "chair")
    assert ROW.findall(vote) == [str(i) for i in to_vote[: lists.PAGE]]  # overdue first
    assert ROW.findall(chair) == [str(i) for i in to_decide[: lists.PAGE]]
    assert f'<span class="count">{len(to_vote)}</span>' in vote
    assert f'<span class="count">{len(to_decide)}</span>' in chair
    assert section(page.text, "approve") == ""  # the committee member approves nothing
    assert '<span class="badge overdue">' in vote.split("</tr>")[1]  # the first row is late
    if len(to_vote) > lists.PAGE:
        assert f"Showing {lists.PAGE} of {len(to_vote)}" in vote
        assert more_link(vote) == base + query
        # htmx: the next rows and a new "Show more" row, nothing else
        assert rows.text.lstrip().startswith("<tr") and "<html" not in rows.text
        assert ROW.findall(rows.text) == [str(i) for i in to_vote[lists.PAGE : 2 * lists.PAGE]]
        assert f"Showing {2 * lists.PAGE} of {len(to_vote)}" in rows.text
        # without it: the page of that list alone, with where it is and the next page
        assert ROW.findall(plain.text) == ROW.findall(rows.text)
        assert f"{lists.PAGE + 1}–{2 * lists.PAGE} of {len(to_vote)}" in plain.text
        assert "All my reviews" in plain.text and next_link(plain.text)
    else:
        assert "Show more" not in vote and ROW.findall(rows.text) == []
    walled = world.backend == "postgres"
    # session + memberships (one round trip behind the wall) + the lists + their counts
    assert whole.count == (3 if walled else 4), whole.statements
    assert fragment.count == later.count == (3 if walled else 4), later.statements
    print(
        f"\nmy reviews queries with {size} initiatives ({world.backend}): "
        f"page {whole.count}, next page {later.count}"
    )


async def test_next_page_walks_every_review_once_in_order(world, monkeypatch):
    monkeypatch.setattr(lists, "PAGE", 7)
    org = await portfolio(world, 100)
    admin_queue = await expected(org, "open")
    async with world.client(org, "admin") as client:
        page = await client.get(f"/o/{org.slug}/reviews")
        seen = ROW.findall(section(page.text, "vote"))
        url = more_link(section(page.text, "vote"))
        while url:  # as a browser without scripts: each page links the next
            response = await client.get(url)
            assert response.status_code == 200
            seen += ROW.findall(response.text)
            url = next_link(response.text)
        shown = await client.get(f"/o/{org.slug}/reviews?waiting=vote&after={seen[-1]}")
    assert seen == [str(i) for i in admin_queue]
    assert "Nothing more waits in this list." in shown.text
    # the admin decides as chair on every review waiting for one, and approves at level 1
    assert ROW.findall(section(page.text, "chair")) == [
        str(i) for i in (await expected(org, "awaiting_chair"))[:7]
    ]
    approving = await expected(org, "approving")
    assert f'<span class="count">{len(approving)}</span>' in section(page.text, "approve")


async def test_roles_see_what_waits_for_them_and_outsiders_nothing(world):
    org = await portfolio(world, 10)
    review = (await expected(org, "open"))[0]
    outsider = await make_org(f"reviews-out-{world.backend}", "x")
    for role in ("member", "viewer", "lead"):  # nothing assigned; the lead's level waits
        async with world.client(org, role) as client:
            page = await client.get(f"/o/{org.slug}/reviews")
            chair = await client.get(f"/o/{org.slug}/reviews?waiting=chair")
        assert "Nothing waits for you." in page.text and not ROW.findall(page.text), role
        assert chair.status_code == 200 and not ROW.findall(chair.text), role
    async with world.client(outsider, "committee") as client:
        for path in (
            f"/o/{org.slug}/reviews",
            f"/o/{org.slug}/reviews?waiting=vote&after={review}",
        ):
            assert (await client.get(path)).status_code == 404, path
        own = await client.get(f"/o/{outsider.slug}/reviews?waiting=vote&after={review}")
    assert own.status_code == 200 and not ROW.findall(own.text)
    async with world.client(org, "committee") as client:
        for query, status in (
            ("?waiting=nonsense", 404),
            ("?waiting=vote&after=0", 404),
            ("?waiting=vote&after=99999999999", 404),
            ("?waiting=vote&after=x", 400),
        ):
            response = await client.get(f"/o/{org.slug}/reviews{query}")
            assert response.status_code == status, query


@pytest.mark.sqlite_only  # SQLite's plans (PostgreSQL's follow its statistics)
async def test_sqlite_reads_each_list_in_due_order_through_the_kept_rows(world):
    from tracker.db import fetch
    from tracker.gates import queries as q

    org = await portfolio(world, 10)
    person = org.people["admin"]
    for statement, values in (
        (q.WAITING, {"person": person, "chair": 0, "limit": 51}),
        (q.PAGES["vote"], {"person": person, "after": 1, "limit": 51}),
        (q.PAGES["chair"], {"chair": person, "after": 1, "limit": 51}),
        (q.PAGES["approve"], {"person": person, "after": 1, "limit": 51}),
        (q.WAITING_COUNTS, {"person": person, "chair": 0}),
    ):
        bound = statement.bind(org=org.id, **values)
        plan = [
            r["detail"] for r in await fetch("EXPLAIN QUERY PLAN " + bound.template, *bound.args)
        ]
        kept = [step for step in plan if re.match(r"(SEARCH|SCAN) (k[vca]?|n[vca]) ", step)]
        assert kept and all(
            "INDEX review_waiting_list" in step or "sqlite_autoindex_review_waiting_count" in step
            for step in kept
        ), plan
        # the reviews and their initiatives by their key; no table scanned (only the pages)
        scans = [s for s in plan if re.match(r"SCAN (?!w[vca]?$|CONSTANT ROW$)", s)]
        assert not scans, plan
