"""The as-is evidence of a problem in Chromium (seed 004 表1, 存在问题 可多选), at 390 and 1280
px, in Chinese and English: a step's kinds are ticked as checkboxes, saved, shown beside the
step, and the page never scrolls sideways. Screenshots land in ``test-output/seedio/``."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_seedtables_browser import shot

pytestmark = pytest.mark.browser

KINDS = {"en": ("Low efficiency", "High risk"), "zh_Hans": ("效率低", "风险高")}


async def _a_problem_with_steps(page, server) -> str:
    hrefs = await page.evaluate(
        "[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))"
        ".filter(h => /\\/initiatives\\/\\d+$/.test(h || ''))"
    )
    for initiative in sorted({re.search(r"(\d+)$", h).group(1) for h in hrefs}):
        await page.goto(f"{server}/o/demo/initiatives/{initiative}/problems")
        for href in await page.evaluate(
            "[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))"
            ".filter(h => /\\/problems\\/\\d+$/.test(h || ''))"
        ):
            await page.goto(f"{server}{href}")
            if await page.locator("#step_1").input_value():
                return f"{server}{href}"
    raise AssertionError("the demo has no problem with as-is steps")


async def test_the_kinds_of_each_step_on_a_phone_and_a_laptop_in_both_languages(server, browser):
    errors: list[str] = []
    for width in (390, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 844})
        page = await context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(f"{server}/login")
        await page.fill("#email", "demo@example.com")
        await page.fill("#password", "demo-password-2026")
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(f"{server}/o/demo/")
        problem = await _a_problem_with_steps(page, server)
        for lang in ("zh_Hans", "en"):  # ends in English: the demo person is shared
            if width < 768:
                await page.locator("details.navmenu > summary").click()
            await page.locator(f"form.lang button[value='{lang}']").click()
            await page.wait_for_load_state()
            await page.goto(problem)
            efficiency, risk = KINDS[lang]
            # the second step: both kinds ticked, whatever it had
            for value in ("efficiency", "risk"):
                await page.locator(f"input[name=kinds_1][value={value}]").check()
            await page.locator("form[action$='/problems/" + problem.rsplit("/", 1)[1] + "'] button[type=submit]").click()  # fmt: skip
            await page.wait_for_load_state()
            second = page.locator("table.as-is tbody tr").nth(1)
            shown = await second.inner_text()  # a column of its own, or below the step
            assert efficiency in shown and risk in shown, shown
            assert await page.locator("input[name=kinds_1][value=risk]").is_checked()
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await shot(page, f"as-is-{lang}-{width}")
            # the edit form on its own, where the rows are
            await page.locator("#as_is").scroll_into_view_if_needed()
            await page.locator("#as_is").screenshot(
                path=str(page_shot_path(f"as-is-form-{lang}-{width}"))
            )
            # registering a problem: the same rows, blank, below the register
            await page.locator("nav.crumbs a[href$='/problems']").click()
            await page.wait_for_load_state()
            await page.fill("#step_0", "核对订单" if lang == "zh_Hans" else "Check the order")
            await page.locator("input[name=kinds_0][value=coordination]").check()
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await page.locator("#new").screenshot(
                path=str(page_shot_path(f"as-is-new-{lang}-{width}"))
            )
        await context.close()
    assert not errors, errors


def page_shot_path(name: str):
    from tests.e2e.test_seedtables_browser import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"
