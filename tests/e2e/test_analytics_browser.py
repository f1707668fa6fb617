"""The analytics page of the demo in Chromium, at 390 and 1280 px, in Chinese and English:
its three charts are drawn with their numbers for screen readers, the page never scrolls
sideways (a chart scrolls inside its own box), a filter updates the figures in place and
keeps itself in the URL, and a bar opens the reviews behind it. Screenshots land in
``test-output/analytics/``."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-output" / "analytics"
CHARTS = ("#funnel-chart", "#outcome-chart", "#lead-chart")


async def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_the_analytics_page_reads_on_a_phone_and_a_laptop_in_both_languages(server, browser):
    errors: list[str] = []

    def note(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    for width in (390, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 844})
        page = await context.new_page()
        page.on("console", note)
        await page.goto(f"{server}/login")
        await page.fill("#email", "demo@example.com")
        await page.fill("#password", "demo-password-2026")
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(f"{server}/o/demo/")
        for lang in ("zh_Hans", "en"):  # ends in English: the demo person is shared
            if width < 768:
                await page.locator("details.navmenu > summary").click()
            await page.locator(f"form.lang button[value='{lang}']").click()
            await page.wait_for_load_state()
            await page.goto(f"{server}/o/demo/analytics")
            for chart in CHARTS:
                svg = page.locator(f"{chart} svg")
                await svg.wait_for()
                assert await page.locator(f"{chart} svg > title").count() == 1
                assert (await page.locator(f"{chart} svg > desc").text_content() or "").strip()
            assert await page.locator("#calibration").count() == 1  # the demo person is admin
            page_width = await page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= width, (lang, width, page_width)
            await shot(page, f"analytics-{lang}-{width}")
            # a filter: the figures change in place and the URL keeps it
            await page.select_option("#process_class", "support")
            await page.wait_for_url("**/analytics?*process_class=support*")
            await page.wait_for_load_state("networkidle")
            assert await page.locator("#report").count() == 1
            await shot(page, f"analytics-support-{lang}-{width}")
            await page.goto(f"{server}/o/demo/analytics")
            await page.locator("#outcome-chart rect.outcome-go").first.click()
            await page.wait_for_url("**/analytics/drill?*kind=decisions*")
            assert await page.locator("table tbody tr").count() >= 1
            await shot(page, f"analytics-drill-{lang}-{width}")
        assert not errors, errors
        await context.close()
