"""An SOP in real Chromium: the RACI grid edited cell by cell (htmx, problems shown as the
user edits), a step edited and moved in place, then review through a two-level approval
chain in three browser sessions, and publication. Also the KPI trend page on a phone, in
Chinese."""

from __future__ import annotations

from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_browser import shot
from tests.e2e.test_gate_browser import signed_in


async def test_sop_raci_two_level_approval_and_publish(browser, tmp_path):
    process, server, _url = start_server(tmp_path)
    try:
        admin_context, admin = await signed_in(browser, server, "demo@example.com")
        await admin.goto(f"{server}/o/demo/settings/gates")
        await admin.fill("#level_1_label", "Department head 部门负责人")
        await admin.select_option("#level_1_person", label="Zhang Min")
        await admin.fill("#level_2_label", "General manager 总经理")
        await admin.select_option("#level_2_person", label="Demo Admin")
        await admin.get_by_role("button", name="Save decision rule").click()
        await admin.wait_for_load_state()

        lead_context, lead = await signed_in(browser, server, "wang.wei@example.com")
        await lead.get_by_role("link", name="SOPs", exact=True).click()
        await (
            lead.locator("tr", has_text="Purchase approval")
            .get_by_role("link", name="V1.0")
            .click()
        )
        await lead.wait_for_selector("text=2 steps break the rule.")
        version_url = lead.url

        rows = lead.locator("#raci tbody tr")

        async def choose(row: int, column: int, letter: str) -> None:
            """One cell; wait until htmx has swapped the grid back in before the next (the
            response can arrive before the swap: a change made in between is lost)."""
            select = rows.nth(row).locator("select").nth(column)
            before = await select.element_handle()
            async with lead.expect_response(lambda r: "/raci/" in r.url):
                await select.select_option(letter)
            await before.wait_for_element_state("hidden")  # detached: the new grid is in
            await lead.wait_for_function(
                f"document.querySelectorAll('#raci tbody tr')[{row}]"
                f".querySelectorAll('select')[{column}].value === '{letter}'"
            )

        await choose(3, 1, "A")
        await lead.wait_for_selector("text=1 step breaks the rule.")
        await choose(4, 0, "R")
        await choose(4, 1, "A")
        await lead.wait_for_selector("text=The matrix is valid.")
        assert lead.url == version_url  # edited in place, no page load
        await shot(lead, "sop-raci-valid-en-1280")

        steps = lead.locator("#steps tbody tr")
        await steps.nth(0).get_by_role("link", name="Edit").click()
        await lead.locator("#steps tr.editing input[name=name]").fill("Check the request 核对申请")
        await lead.locator("#steps tr.editing input[name=time_value]").fill("ASAP")
        await lead.get_by_role("button", name="Save the step").click()
        await lead.wait_for_selector("text=not a time limit")
        await lead.locator("#steps tr.editing input[name=time_value]").fill("3")
        await lead.locator("#steps tr.editing select[name=time_unit]").select_option("hours")
        await lead.get_by_role("button", name="Save the step").click()
        await lead.wait_for_selector("#steps td >> text=Check the request 核对申请")
        await lead.get_by_role("button", name="Move step 1 down").click()
        await lead.wait_for_function(
            "document.querySelector('#steps tbody tr:nth-child(2)').textContent"
            ".includes('Check the request')"
        )
        assert lead.url == version_url

        await lead.get_by_role("button", name="Send for review").click()
        await lead.wait_for_selector("text=SOP sent for review.")
        assert await lead.get_by_role("button", name="Approve at level 1").count() == 0

        head_context, head = await signed_in(browser, server, "zhang.min@example.com")
        await head.goto(version_url)
        await head.fill("#comment", "Fine for purchasing 同意")
        await head.get_by_role("button", name="Approve at level 1").click()
        await head.wait_for_selector("text=Approved at your level; the next level is asked.")

        await admin.goto(version_url)
        await admin.get_by_role("button", name="Approve at level 2").click()
        await admin.wait_for_selector("text=SOP approved: it can now be published.")
        await admin.fill("#effective_date", "2026-12-01")
        await admin.get_by_role("button", name="Publish this version").click()
        await admin.wait_for_selector("text=SOP published.")
        facts = await admin.locator("dl.facts").inner_text()
        assert "Zhang Min" in facts and "Demo Admin" in facts
        assert "2026-12-01" in facts
        assert await admin.locator("#raci select").count() == 0  # published: read-only
        await shot(admin, "sop-published-en-1280")
        await admin.get_by_role("link", name="Print view").click()
        await admin.wait_for_selector("text=within 3 hours")
        await shot(admin, "sop-print-en-1280")
        await admin.set_viewport_size({"width": 390, "height": 844})
        await admin.goto(version_url)
        await admin.locator("details.navmenu > summary").click()  # a phone: the top bar's menu
        await admin.locator("form.lang button[value='zh_Hans']").click()
        await admin.wait_for_selector("text=已发布：此版本不会再改变。")
        assert await admin.evaluate("document.documentElement.scrollWidth") <= 400
        await shot(admin, "sop-published-zh-390")
        for context in (admin_context, lead_context, head_context):
            await context.close()
    finally:
        stop_server(process)


async def test_kpi_trend_on_a_phone_in_chinese(server, browser):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{server}/login")
    await page.fill("#email", "li.na@example.com")
    await page.fill("#password", "demo-password-2026")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/o/demo/")
    await page.locator("details.navmenu > summary").click()  # a phone: the top bar's menu
    await page.locator("form.lang button[value='zh_Hans']").click()
    await page.wait_for_load_state()
    await page.goto(f"{server}/o/demo/kpis")
    await page.locator("table a", has_text="Complaint resolution cycle").first.click()
    await page.wait_for_selector("figure.trend svg path.line")
    assert await page.locator("figure.trend circle.breach").count() >= 1
    text = await page.locator("main").inner_text()
    assert "目标" in text and "预警阈值" in text
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # nothing forces sideways scrolling on a phone
    await shot(page, "kpi-trend-zh-390")
    await context.close()
