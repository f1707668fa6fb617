"""Attaching files in real Chromium, at 1280 and 390 px, in English and Chinese: a PDF with a
Chinese name is attached and listed with who and when; a page named .pdf is refused beside the
field; a 21 MiB file is refused before it is sent, and by the server when the browser's check
is taken away."""

from __future__ import annotations

import sqlite3

from tests.e2e.test_browser import shot
from tests.e2e.test_gate_browser import signed_in
from tests.integration.attachments.files import pdf

MIB = 1024 * 1024


def first_problem(server) -> int:
    with sqlite3.connect(f"{server.data}/tracker.sqlite3") as db:
        (problem_id,) = db.execute("SELECT id FROM problem ORDER BY id LIMIT 1").fetchone()
    return problem_id


async def choose(page, name: str, data: bytes, mime: str = "application/pdf") -> None:
    await page.locator("#attach-file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


async def test_a_member_attaches_files_in_both_languages_and_widths(server, browser):
    context, page = await signed_in(browser, server, "liu.yang@example.com")
    problem = f"{server}/o/demo/problems/{first_problem(server)}"
    try:
        await page.goto(problem)
        await page.locator("#attachments form.attach-form").wait_for()  # loaded after the page
        await choose(page, "问卷结果 第1周.pdf", pdf(b"1 0 obj << >> endobj\n" * 50))
        await page.get_by_role("button", name="Attach", exact=True).click()
        await page.wait_for_selector("text=File attached: 问卷结果 第1周.pdf")
        row = page.locator("#attachments tbody tr", has_text="问卷结果 第1周.pdf")
        await row.wait_for()
        assert "Liu Yang" in await row.inner_text()
        async with page.expect_download() as download:
            await row.get_by_role("link", name="问卷结果 第1周.pdf").click()
        assert (await download.value).suggested_filename == "问卷结果 第1周.pdf"
        await shot(page, "attachments-en-1280")

        await choose(page, "report.pdf", b"<!doctype html><html><body>x</body></html>", "text/html")
        await page.get_by_role("button", name="Attach", exact=True).click()
        error = page.locator("#attach-file-error")
        await error.get_by_text("its content is a web page").wait_for()
        assert await page.locator("#attach-file").get_attribute("aria-invalid") == "true"
        await page.set_viewport_size({"width": 390, "height": 844})
        await shot(page, "attachments-refused-en-390")

        await page.goto(problem)
        await page.locator("#attachments form.attach-form").wait_for()
        await choose(page, "big.pdf", b"%PDF-" + b"0" * (21 * MIB))
        await error.get_by_text("The file is larger than 20 MB.").wait_for()  # before sending
        await shot(page, "attachments-too-large-en-390")
        # without the browser's check, the server refuses it with the same message
        await page.evaluate(
            "document.getElementById('attach-file').removeAttribute('data-max-bytes')"
        )
        await choose(page, "big.pdf", b"%PDF-" + b"0" * (21 * MIB))
        await page.get_by_role("button", name="Attach", exact=True).click()
        await page.locator("#attach-file-error").get_by_text("larger than 20 MB").wait_for()

        await page.set_viewport_size({"width": 1280, "height": 800})
        await page.goto(problem)
        await page.get_by_role("button", name="中文").click()
        await page.locator("#attachments form.attach-form").wait_for()
        assert await page.locator("#attachments-h").inner_text() == "附件"
        await choose(page, "报告.pdf", b"<html><script>alert(1)</script></html>", "text/html")
        await page.get_by_role("button", name="附上", exact=True).click()
        await page.locator("#attach-file-error").get_by_text("其内容是网页").wait_for()
        await shot(page, "attachments-refused-zh-1280")
        await page.goto(problem)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.locator("#attachments tbody tr").first.wait_for()
        await shot(page, "attachments-zh-390")
    finally:
        await page.set_viewport_size({"width": 1280, "height": 800})
        await page.goto(f"{server}/o/demo/")
        english = page.get_by_role("button", name="English")
        if await english.count():
            await english.click()  # the demo person is shared with the other browser tests
        await context.close()
