"""Parts kept rendered across pages (issue 15's speed): the top bar of every page inside an
organisation (``tracker.web.Topbar``) and the impact–urgency matrix's grid. A kept part must
be the part rendered: the same bytes, with the visitor's own CSRF input and the page's own
address put in, and never what another person, role or language would see."""

from __future__ import annotations

import re

from tests.conftest import make_org
from tests.helpers import make_initiative
from tracker.auth import hash_password
from tracker.fragments import Kept
from tracker.problems.controller import GRIDS
from tracker.problems.tables import Problem
from tracker.web import TOPBARS


async def fresh_org(slug: str):
    return await make_org(slug, await hash_password("x" * 12))


async def add_problem(org, initiative: int, title: str, impact: int, urgency: int) -> int:
    rows = await Problem.insert(
        Problem(
            org=org.id,
            initiative=initiative,
            title=title,
            category="efficiency",
            impact=impact,
            urgency=urgency,
        )
    ).returning(Problem.id)
    return rows[0]["id"]


def topbar(html: str) -> str:
    return html.split('<header class="topbar">')[1].split("</header>")[0]


async def pages_as_rendered(client, paths: list[str]) -> list[str]:
    """The pages with nothing kept, as a first visit after a change renders them."""
    Kept.enabled = False
    try:
        return [(await client.get(path)).text for path in paths]
    finally:
        Kept.enabled = True


async def test_kept_top_bars_and_grids_are_the_pages_as_rendered(world):
    org = await fresh_org(f"kept-chrome-{world.backend}")
    first = await make_initiative(org, phase=2)
    await add_problem(org, first, "Invoices <re-keyed> by hand", 5, 4)
    await add_problem(org, first, "Approvals wait a week", 2, 2)
    base = f"/o/{org.slug}"
    paths = [
        f"{base}/",
        f"{base}/matrix",
        f"{base}/matrix?sort=x&q=%3Cb%3E",  # the address put in escaped
        f"{base}/initiatives/{first}",
        f"{base}/initiatives/{first}/matrix",
        f"{base}/notifications",
        f"{base}/kpis",
    ]
    for role in ("admin", "viewer"):
        async with world.client(org, role) as client:
            rendered = await pages_as_rendered(client, paths)
            kept_before = TOPBARS.hits
            kept = [(await client.get(path)).text for path in paths]
            again = [(await client.get(path)).text for path in paths]
            assert TOPBARS.hits > kept_before  # the second round came from the kept bars
        for path, a, b, c in zip(paths, rendered, kept, again, strict=True):
            assert a == b == c, (role, path)
    assert 'name="next" value="/o/kept-chrome' in rendered[2]
    assert "q=%3Cb%3E" in rendered[2] and "<b>" not in topbar(rendered[2])


async def test_the_kept_top_bar_shows_each_visitor_their_own_token_address_and_area(world):
    org = await fresh_org(f"kept-bar-{world.backend}")
    base = f"/o/{org.slug}"
    async with world.client(org, "admin") as client:
        await client.get(f"{base}/matrix")  # kept now
        mine = topbar((await client.get(f"{base}/matrix?page=2")).text)
        client.cookies.set("csrftoken", "another-visitors-token")
        theirs = topbar((await client.get(f"{base}/matrix")).text)
        heat = topbar((await client.get(f"{base}/heatmap")).text)
    assert f'value="{base}/matrix?page=2"' in mine
    assert f'value="{base}/matrix"' in theirs
    assert "another-visitors-token" in theirs and "another-visitors-token" not in mine
    current = re.compile(r'href="([^"]+)" aria-current="page"')
    assert current.findall(mine) == [f"{base}/matrix"]
    assert current.findall(heat) == [f"{base}/heatmap"]
    # another role of another person: not the admin's bar (no Settings)
    async with world.client(org, "member") as client:
        member = topbar((await client.get(f"{base}/matrix")).text)
    assert "/settings/members" in mine and "/settings/members" not in member
    # the other language: its own bar
    async with world.client(org, "admin") as client:
        client.cookies.set("tracker_lang", "zh_Hans")
        await client.post("/language", data={"language": "zh_Hans", "next": f"{base}/matrix"})
        chinese = topbar((await client.get(f"{base}/matrix")).text)
        await client.post("/language", data={"language": "en", "next": f"{base}/matrix"})
    assert "问题" in chinese and "Problems" not in chinese


async def test_a_kept_grid_follows_what_it_shows(world):
    org = await fresh_org(f"kept-grid-{world.backend}")
    first = await make_initiative(org, phase=2)
    problem = await add_problem(org, first, "Forms printed twice", 3, 3)
    path = f"/o/{org.slug}/initiatives/{first}/matrix"
    async with world.client(org, "lead") as client:
        before = (await client.get(path)).text
        await client.get(path)
        hits = GRIDS.hits
        assert (await client.get(path)).text == before
        assert GRIDS.hits == hits + 1  # served kept
        await Problem.update({Problem.title: "Forms printed once"}).where(Problem.id == problem)
        renamed = (await client.get(path)).text
        await Problem.update({Problem.impact: 5}).where(Problem.id == problem)
        moved = (await client.get(path)).text
    assert "Forms printed twice" in before and "Forms printed once" in renamed
    cell = re.compile(r'data-impact="(\d)" data-urgency="(\d)">((?:(?!</td>).)*)', re.S)
    placed = {(i, u) for i, u, body in cell.findall(moved) if "Forms printed once" in body}
    assert placed == {("5", "3")}
    async with world.client(org, "viewer") as client:
        viewer = (await client.get(path)).text
    assert "/move" in moved and "/move" not in viewer  # a viewer cannot re-score


async def test_a_review_s_empty_condition_rows_are_kept_and_a_returned_form_shows_its_input(world):
    from tests.integration.gates.gate_helpers import open_review, scorecard
    from tracker.gates.parts import CONDITION_PARTS

    org = await fresh_org(f"kept-conditions-{world.backend}")
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative)
    path = f"/o/{org.slug}/reviews/{review}"
    async with world.client(org, "admin") as client:  # a reviewer, and the chair
        rendered = await pages_as_rendered(client, [path])
        await client.get(path)
        hits = CONDITION_PARTS.hits
        kept = (await client.get(path)).text
        assert CONDITION_PARTS.hits == hits + 2  # the vote's rows and the chair's
        data = {
            **await scorecard(review),
            "vote": "go_conditions",
            "condition_0": "Train <all> clerks",
        }
        data["condition_due_0"] = "not a date"
        returned = await client.post(f"{path}/vote", data=data)
    assert rendered == [kept]
    assert kept.count('name="condition_owner_0"') == 2
    assert returned.status_code == 422
    assert 'value="Train &lt;all&gt; clerks"' in returned.text  # the input kept, escaped


async def test_a_kpi_s_kept_parts_are_its_page_as_rendered_and_follow_a_new_stage(world):
    from tests.integration.kpis.test_control_charts import charted_kpi, day

    _initiative, kpi = await charted_kpi(world, name=f"Kept parts {world.backend}")
    path = f"/o/alpha/kpis/{kpi}"
    for role in ("lead", "viewer"):
        async with world.client(world.a, role) as client:
            rendered = await pages_as_rendered(client, [path])
            await client.get(path)
            assert [(await client.get(path)).text] == rendered, role
    async with world.client(world.a, "lead") as client:
        before = (await client.get(path)).text
        added = await client.post(
            f"{path}/stages", data={"starts_on": day(30), "label": "pilot", "limit_points": "5"}
        )
        assert added.status_code == 303
        after = (await client.get(path)).text
    assert day(30) not in before and day(30) in after  # the kept stages follow the new one
