"""The minutes of a gate review in real Chromium: a decided review's print page and an open
review's draft, at 390 and 1280 px, in English and Chinese, on screen and as printed (A4);
screenshots in test-output/minutes/. And the calendar section."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-output" / "minutes"
PASSWORD = "demo-password-2026"
WIDTHS = {390: 844, 1280: 800}


def review_ids(server) -> tuple[int, int]:
    """A decided review with conditions and the open review of the demo."""
    with sqlite3.connect(f"{server.data}/tracker.sqlite3") as db:
        (decided,) = db.execute(
            "SELECT r.id FROM gate_review r JOIN gate_decision d ON d.review = r.id "
            "WHERE d.outcome = 'go_conditions' ORDER BY r.id LIMIT 1"
        ).fetchone()
        (open_,) = db.execute(
            "SELECT id FROM gate_review WHERE status = 'open' ORDER BY id LIMIT 1"
        ).fetchone()
    return decided, open_


async def signed_in(browser, server, width):
    context = await browser.new_context(viewport={"width": width, "height": WIDTHS[width]})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{server}/login")
    await page.fill("#email", "demo@example.com")
    await page.fill("#password", PASSWORD)
    await page.locator("form button[type=submit]").last.click()
    await page.wait_for_url(f"{server}/o/demo/")
    return context, page, errors


async def switch_language(page, code: str) -> None:
    await page.locator(f"form.lang button[value='{code}']").first.click()
    await page.wait_for_load_state()


async def test_minutes_pages_in_both_languages_and_widths(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    decided, open_ = review_ids(server)
    for width in WIDTHS:
        context, page, errors = await signed_in(browser, server, width)
        try:
            for lang in ("en", "zh_Hans"):
                await page.goto(f"{server}/o/demo/reviews/{decided}")
                if width == 390:  # the switcher sits in the folded menu
                    await page.locator("details.navmenu > summary").click()
                await switch_language(page, lang)
                await page.goto(f"{server}/o/demo/reviews/{decided}")
                link = page.locator(".minutes-links a").first
                await link.click()
                await page.wait_for_url(f"**/reviews/{decided}/minutes")
                assert await page.locator(".topbar").count() == 0
                assert await page.locator("button, form").count() == 0
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth"
                )
                assert not overflow, (lang, width)
                await page.screenshot(
                    path=str(SHOTS / f"decided-{lang}-{width}.png"), full_page=True
                )
                if width == 1280:
                    await page.emulate_media(media="print")
                    await page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
                    await page.screenshot(
                        path=str(SHOTS / f"decided-{lang}-print.png"), full_page=True
                    )
                    await page.emulate_media(media="screen")
                    await page.set_viewport_size({"width": width, "height": WIDTHS[width]})
                await page.goto(f"{server}/o/demo/reviews/{open_}/minutes")
                assert await page.locator(".watermark").count() == 1
                assert await page.locator("input, button, form").count() == 0
                await page.screenshot(path=str(SHOTS / f"draft-{lang}-{width}.png"), full_page=True)
                await page.goto(f"{server}/o/demo/calendar")
                await page.locator("form[action$='/demo/calendar/reset'] button").click()
                assert await page.locator("#feed-url").count() == 1
                await page.screenshot(
                    path=str(SHOTS / f"calendar-{lang}-{width}.png"), full_page=True
                )
                await page.goto(f"{server}/account")
                await page.locator("section[aria-labelledby='orgs-h']").screenshot(
                    path=str(SHOTS / f"account-calendar-{lang}-{width}.png")
                )
            await page.goto(f"{server}/o/demo/reviews/{decided}")
            if width == 390:
                await page.locator("details.navmenu > summary").click()
            await switch_language(page, "en")  # leave the shared demo person in English
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            await context.close()
