"""The benefits roll-up, an initiative's Benefits tab and the roadmap in Chromium, on a phone
(390 px) and a laptop (1280 px), in English and Chinese: nothing reaches past the screen's
edge (the roadmap scrolls inside its own box, the initiatives' names stay in view), the zoom
works in place, no console error (CSP included). Screenshots in test-output/benefits/."""

from tests.conftest import ROOT

SHOTS = ROOT / "test-output" / "benefits"

BOX = """(selector) => {
    const el = document.querySelector(selector);
    const box = el.getBoundingClientRect();
    return [box.left, box.right, el.scrollWidth, el.clientWidth,
            document.documentElement.scrollWidth];
}"""


async def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_benefits_and_roadmap_at_both_widths_in_both_languages(server, browser):
    for width in (390, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 844})
        page = await context.new_page()
        errors = []
        page.on(
            "console", lambda m, seen=errors: seen.append(m.text) if m.type == "error" else None
        )
        await page.goto(f"{server}/login")
        await page.fill("#email", "li.na@example.com")
        await page.fill("#password", "demo-password-2026")
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(f"{server}/o/demo/")
        for lang in ("zh_Hans", "en"):  # ends in English: the demo person is shared
            if width < 768:
                await page.locator("details.navmenu > summary").click()
            await page.locator(f"form.lang button[value='{lang}']").click()
            await page.wait_for_load_state()
            await page.goto(f"{server}/o/demo/benefits")
            await page.wait_for_selector(".benefits-chart svg path.realised-line")
            assert await page.locator(".gap-callout").count() >= 1
            left, right, _sw, _cw, doc = await page.evaluate(BOX, ".benefits-chart svg")
            assert left >= 0 and right <= width and doc <= width, (lang, width, right, doc)
            await shot(page, f"benefits-{lang}-{width}")
            await page.locator(".rollup-initiatives a").first.click()
            await page.wait_for_selector("#realised table")
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await shot(page, f"initiative-benefits-{lang}-{width}")
            await page.goto(f"{server}/o/demo/roadmap")
            await page.wait_for_selector(".roadmap-scroll .rm-row .rm-track")
            left, right, inner, box, doc = await page.evaluate(BOX, ".roadmap-scroll")
            assert doc <= width and right <= width, (lang, width, right, doc)
            assert inner > box if width == 390 else True  # scrolls inside its box on a phone
            name = await page.evaluate(BOX, ".rm-row:not(.rm-head) .rm-name")
            assert name[1] - name[0] >= 100  # the names stay readable
            assert await page.locator("path.rm-gate").count() > 0
            await shot(page, f"roadmap-{lang}-{width}")
            await page.locator(".roadmap-controls a").nth(1).click()  # quarters, in place
            await page.wait_for_selector(".roadmap-controls a[aria-current]:nth-of-type(2)")
            await page.wait_for_url("**zoom=quarter**")
            await shot(page, f"roadmap-quarters-{lang}-{width}")
        assert not errors, errors
        await context.close()
