"""The process inventory and the seed-table import in Chromium, at 390 and 1280 px, in
Chinese and English: the inventory lists the demo's processes, an exported risk table comes
back through the preview, and a large file runs as a job whose progress bar moves in place.
Screenshots land in ``test-output/seedio/``."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-output" / "seedio"


async def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _big_file(n: int, tag: str) -> bytes:
    lines = ["风险,风险表现,应对策略"] + [f"{tag} 风险 {i},表现 {i},应对 {i}" for i in range(n)]
    return "\n".join(lines).encode("gbk")


async def test_inventory_and_import_on_a_phone_and_a_laptop_in_both_languages(server, browser):
    errors: list[str] = []

    def note(message) -> None:
        if message.type == "error" and "422" not in message.text:  # the bad file, on purpose
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
        hrefs = await page.evaluate(
            "[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))"
            ".filter(h => /\\/initiatives\\/\\d+$/.test(h || ''))"
        )
        found = sorted({int(re.search(r"/initiatives/(\d+)$", h).group(1)) for h in hrefs})
        counts = {}
        for i in found:  # the initiative with the most risks, and another one for the job
            url = f"{server}/o/demo/initiatives/{i}/tables/risks?format=csv"
            table = await page.request.get(url)
            counts[i] = (await table.text()).count("\n")
        initiative = max(found, key=lambda i: counts[i])
        other = next(i for i in found if i != initiative)
        for lang in ("zh_Hans", "en"):  # ends in English: the demo person is shared
            if width < 768:
                await page.locator("details.navmenu > summary").click()
            await page.locator(f"form.lang button[value='{lang}']").click()
            await page.wait_for_load_state()
            await page.goto(f"{server}/o/demo/processes")
            assert await page.locator("table.inventory tbody tr").count() >= 2
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await shot(page, f"processes-{lang}-{width}")
            # an exported table back in, through the preview
            base = f"{server}/o/demo/initiatives/{initiative}/tables/risks"
            exported = await page.request.get(f"{base}?format=xlsx")
            await page.goto(f"{base}/import")
            await page.set_input_files(
                "#file",
                files=[{"name": "risks.xlsx", "mimeType": "application/octet-stream",
                        "buffer": await exported.body()}],
            )  # fmt: skip
            await page.locator("form[enctype] button[type=submit]").click()
            await page.wait_for_load_state()
            assert await page.locator("section.preview").count() == 1
            assert await page.locator("section.preview tbody tr").count() >= 1
            assert await page.locator(".error-summary").count() == 0, await page.locator(
                ".error-summary"
            ).first.inner_text()
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await shot(page, f"import-preview-{lang}-{width}")
            # a file with problems: reported by row and column
            await page.set_input_files(
                "#file",
                files=[{"name": "bad.csv", "mimeType": "text/csv",
                        "buffer": "风险,可能性\n,9\n".encode()}],
            )  # fmt: skip
            await page.locator("form[enctype] button[type=submit]").click()
            await page.wait_for_load_state()
            assert await page.locator(".error-summary tbody tr").count() == 2
            await shot(page, f"import-errors-{lang}-{width}")
            # a large file: a job whose progress bar moves in place (into another initiative)
            await page.goto(f"{server}/o/demo/initiatives/{other}/tables/risks/import")
            await page.set_input_files(
                "#file",
                files=[{"name": "big.csv", "mimeType": "text/csv",
                        "buffer": _big_file(3000, f"{lang}{width}")}],
            )  # fmt: skip
            await page.locator("form[enctype] button[type=submit]").click()
            await page.wait_for_load_state()
            await page.locator("section.preview button.primary").click()
            await page.wait_for_url("**/import-jobs/*")
            await shot(page, f"import-job-running-{lang}-{width}")
            await page.locator("#import-job .chip.ok").wait_for(timeout=120_000)
            assert await page.locator("#job-progress").get_attribute("value") == "3000"
            await shot(page, f"import-job-done-{lang}-{width}")
        assert not errors, errors
        await context.close()
