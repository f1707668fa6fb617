"""A team member's day in real Chromium: register a problem, move it across the matrix in
place, start a pilot and log feedback."""

from __future__ import annotations

from tests.e2e.test_browser import shot
from tests.e2e.test_gate_browser import signed_in


async def test_member_moves_a_problem_and_logs_pilot_feedback(server, browser):
    context, page = await signed_in(browser, server, "liu.yang@example.com")
    await page.locator("#board .card a", has_text="User activation").click()
    await (
        page.get_by_role("navigation", name="Registers")
        .get_by_role("link", name="Problems")
        .click()
    )
    await page.fill("#title", "SMS codes arrive late")
    await page.select_option("#category", "quality")
    await page.select_option("#impact", "2")
    await page.select_option("#urgency", "2")
    await page.fill("#step_0", "Request code")
    await page.fill("#role_0", "Customer")
    await page.fill("#minutes_0", "1")
    await page.fill("#step_1", "Wait for SMS")
    await page.fill("#role_1", "Customer")
    await page.fill("#minutes_1", "5")
    await page.locator("input[name=kinds_1][value=efficiency]").check()
    await page.locator("input[name=kinds_1][value=quality]").check()
    await page.get_by_role("button", name="Register problem").click()
    await page.wait_for_selector("text=Problem registered.")

    await (
        page.get_by_role("navigation", name="Registers").get_by_role("link", name="Matrix").click()
    )
    cell = page.locator("td.cell[data-impact='2'][data-urgency='2']")
    assert "SMS codes arrive late" in await cell.inner_text()
    url_before = page.url
    await page.get_by_role("button", name="More impact: SMS codes arrive late").click()
    moved_cell = page.locator("td.cell[data-impact='3'][data-urgency='2']")
    await moved_cell.get_by_text("SMS codes arrive late").wait_for()
    assert "SMS codes arrive late" not in await cell.inner_text()
    assert page.url == url_before  # moved in place, no navigation
    await page.get_by_role("button", name="More urgent: SMS codes arrive late").click()
    await (
        page.locator("td.cell.q-do_first[data-impact='3'][data-urgency='3']")
        .get_by_text("SMS codes arrive late")
        .wait_for()
    )
    await shot(page, "matrix-en-1280")

    await (
        page.get_by_role("navigation", name="Registers").get_by_role("link", name="Pilots").click()
    )
    await page.fill("#process", "SMS verification")
    await page.fill("#scope", "East China sales team")
    await page.get_by_role("button", name="Create pilot").click()
    await page.wait_for_selector("text=Pilot created.")
    await page.fill("#name", "Verification time")
    await page.fill("#unit", "min")
    await page.fill("#baseline", "30")
    await page.fill("#result", "8")
    await page.fill("#target", "10")
    await page.get_by_role("button", name="Add metric").click()
    await page.wait_for_selector("text=-73.3 %")
    await page.fill("#text", "Codes still late on weekends")
    await page.select_option("#category", "tool")
    await page.get_by_label("Related problem").select_option(label="SMS codes arrive late")
    await page.get_by_role("button", name="Log feedback").click()
    await page.wait_for_selector("text=Feedback logged.")
    log = page.locator("#feedback .feedback")
    assert "Codes still late on weekends" in await log.inner_text()
    assert "Liu Yang" in await log.inner_text()
    await page.get_by_role("link", name="Pilot summary").first.click()
    assert await page.locator("figure.chart svg").count() == 1
    await shot(page, "pilot-summary-en-1280")
    await context.close()
