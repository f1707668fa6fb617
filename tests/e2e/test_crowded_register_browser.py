"""An initiative whose problem register has grown (issue 19), in real Chromium: its matrix shows
each cell's oldest few with "Show all N", which opens the cell's own pages; its problem list
comes a page at a time. As the lead (who may re-score) and a committee member (who may not), in
English and Chinese, on a phone (390 px) and a laptop (1280 px): every page fits its width.
Screenshots land in ``test-output/screenshots/crowded-*.png``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_browser import shot
from tests.e2e.test_comment_browser import signed_in
from tests.e2e.test_layout_sweep import choose_language

pytestmark = pytest.mark.browser

LEAD, COMMITTEE = "li.na@example.com", "zhang.min@example.com"
OVERFLOW_JS = "document.documentElement.scrollWidth > window.innerWidth"
CROWD = 14  # in the cell impact 4 × urgency 4, beyond a cell's 10
SPREAD = 96  # more, over every cell: 110 in all, beyond a page of the list (100)


def crowd(data) -> tuple[int, int]:
    """Problems added to the demo's initiative "Expense reimbursement" (its own as it stands,
    then the crowd): the audit triggers' actor functions stand in for the app's."""
    with sqlite3.connect(f"{data}/tracker.sqlite3") as db:
        db.create_function("tracker_actor_person", 0, lambda: None)
        db.create_function("tracker_actor_token", 0, lambda: None)
        org, initiative = db.execute(
            "SELECT org, id FROM initiative WHERE name = 'Expense reimbursement'"
        ).fetchone()
        now = datetime.now(UTC)
        rows = [(f"Crowded {k}", 4, 4, now - timedelta(days=CROWD - k)) for k in range(CROWD)] + [
            (f"Spread {k}", 1 + k % 5, 1 + k // 5 % 5, now) for k in range(SPREAD)
        ]
        db.executemany(
            "INSERT INTO problem (org, initiative, title, description, category, impact, "
            "urgency, fishbone, whys, status, created_at, version) "
            "VALUES (?, ?, ?, '', 'quality', ?, ?, '', '', 'open', ?, 1)",
            [(org, initiative, t, i, u, at.isoformat(" ")) for t, i, u, at in rows],
        )
        (in_cell,) = db.execute(
            "SELECT COUNT(*) FROM problem WHERE initiative = ? AND impact = 4 AND urgency = 4 "
            "AND status IN ('open', 'analysing')",
            (initiative,),
        ).fetchone()
        return int(initiative), int(in_cell)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    data = tmp_path_factory.mktemp("crowded")
    process, base, _url = start_server(data)
    yield base, *crowd(data)
    stop_server(process)


async def sign_in(browser, base: str, email: str, width: int, language: str):
    context, page = await signed_in(browser, base, email, width, bypass_csp=True)
    await choose_language(context, base, language)
    return context, page


TEXTS = {  # by language, of the number of problems in the crowded cell
    "en": {
        "show_all": "Show all {n}",
        "cell_heading": "Impact 4, urgency 4",
        "counted": "{n} open or analysing problems in this initiative, oldest first.",
        "next": "Next page",
        "listed": "problems, in priority order",
    },
    "zh_Hans": {
        "show_all": "显示全部 {n} 项",
        "cell_heading": "影响范围 4，紧急程度 4",
        "counted": "本项目中有 {n} 个未解决或分析中的问题，按登记时间由早到晚排列。",
        "next": "下一页",
        "listed": "个问题，按优先级排列",
    },
}


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
@pytest.mark.parametrize("width", [390, 1280])
async def test_a_crowded_register_in_the_browser(crowded, browser, language, width):
    base, initiative, in_cell = crowded
    texts = {k: v.format(n=in_cell) for k, v in TEXTS[language].items()}
    for who, email in (("lead", LEAD), ("committee", COMMITTEE)):
        context, page = await sign_in(browser, base, email, width, language)
        await page.goto(f"{base}/o/demo/initiatives/{initiative}/matrix")
        cell = page.locator("td.cell[data-impact='4'][data-urgency='4']")
        assert await cell.locator("li.problem-chip").count() == 10
        assert await cell.locator(".cell-count").inner_text() == str(in_cell)
        assert texts["show_all"] in await cell.locator("a.cell-more").inner_text()
        movers = await page.locator("form.mover").count()
        assert (movers > 0) == (who == "lead")  # the lead re-scores; the committee looks
        assert not await page.evaluate(OVERFLOW_JS), "matrix"
        await shot(page, f"crowded-matrix-{who}-{language}-{width}")

        await cell.locator("a.cell-more").click()
        await page.wait_for_url(f"**/initiatives/{initiative}/matrix/4/4")
        assert texts["cell_heading"] in await page.locator("h1").inner_text()
        assert texts["counted"] in await page.locator("main").inner_text()
        titles = await page.locator("table.cell-problems tbody tr td:first-child").all_inner_texts()
        assert len(titles) == in_cell
        crowd_titles = [t for t in titles if t.startswith("Crowded")]
        assert crowd_titles == [f"Crowded {k}" for k in range(CROWD)]  # oldest first
        assert not await page.evaluate(OVERFLOW_JS), "cell page"
        await shot(page, f"crowded-cell-{who}-{language}-{width}")

        await page.goto(f"{base}/o/demo/initiatives/{initiative}/problems")
        assert texts["listed"] in await page.locator("main").inner_text()
        assert await page.locator("main table tbody tr").count() == 100
        assert not await page.evaluate(OVERFLOW_JS), "problem list"
        await page.get_by_role("link", name=texts["next"]).click()
        await page.wait_for_url("**/problems?page=2")
        assert 1 <= await page.locator("main table tbody tr").count() < 100
        assert not await page.evaluate(OVERFLOW_JS), "problem list, page 2"
        await shot(page, f"crowded-list-page2-{who}-{language}-{width}")
        await context.close()
