"""The demo's control chart and the portfolio Pareto in Chromium: the shift between stages
and the one special cause are drawn, and the charts fit a 390 px phone in English and
Chinese (nothing of theirs reaches past the screen's edge)."""

from tests.e2e.test_browser import shot

SVG_EDGE = """(selector) => {
    const svg = document.querySelector(selector);
    const box = svg.getBoundingClientRect();
    return [box.left, box.right, document.documentElement.clientWidth];
}"""


async def log_in(browser, server, width):
    context = await browser.new_context(viewport={"width": width, "height": 844})
    page = await context.new_page()
    await page.goto(f"{server}/login")
    await page.fill("#email", "li.na@example.com")
    await page.fill("#password", "demo-password-2026")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/o/demo/")
    return context, page


async def test_the_demo_control_chart_shows_stages_and_one_special_cause(server, browser):
    for width in (390, 1280):
        context, page = await log_in(browser, server, width)
        for lang in ("zh_Hans", "en"):  # ends in English: the demo person is shared
            if width < 768:  # a phone: the language buttons are in the top bar's menu
                await page.locator("details.navmenu > summary").click()
            await page.locator(f"form.lang button[value='{lang}']").click()
            await page.wait_for_load_state()
            await page.goto(f"{server}/o/demo/kpis")
            await page.locator("table a", has_text="Complaint cycle time").first.click()
            await page.wait_for_selector("#control-chart svg path.line")
            assert await page.locator("#control-chart circle.signal-ring").count() == 1
            assert (
                await page.locator("#control-chart line.centre").count() == 6
            )  # X and mR, 3 stages
            assert await page.locator("#stage-limits tbody tr").count() == 3
            assert await page.locator("#control-chart rect.phase").count() >= 3
            left, right, screen = await page.evaluate(SVG_EDGE, "#control-chart svg")
            assert left >= 0 and right <= screen, (lang, width, left, right, screen)
            if lang == "zh_Hans":
                assert await page.evaluate("document.documentElement.scrollWidth") <= width + 10
            await shot(page, f"control-chart-{lang}-{width}")
            await page.goto(f"{server}/o/demo/pareto?register=problems&by=fishbone")
            await page.wait_for_selector("#pareto-chart svg path.cumulative")
            left, right, screen = await page.evaluate(SVG_EDGE, "#pareto-chart svg")
            assert left >= 0 and right <= screen
            await page.locator("#pareto-chart rect.bar").first.click()
            await page.wait_for_selector("#records li a")
            await shot(page, f"pareto-{lang}-{width}")
        await context.close()
