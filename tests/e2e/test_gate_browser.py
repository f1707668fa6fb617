"""A gate review end to end in real Chromium: the lead requests it, two committee members
score and vote in separate browser sessions, and the initiative moves to the next column
with its condition shown."""

from __future__ import annotations

from tests.e2e.test_browser import shot

PASSWORD = "demo-password-2026"


async def signed_in(browser, server, email):
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{server}/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/o/demo/")
    return context, page


async def score_and_vote(page, vote_label, conditions=None):
    for fieldset in await page.locator("fieldset.score").all():
        if await fieldset.locator("input[value='0']").count():
            await fieldset.locator("input[value='1']").check()
        else:
            await fieldset.locator("input[value='4']").check()
    await page.get_by_label(vote_label, exact=True).check()
    if conditions:
        await page.fill("#conditions", conditions)
    await page.get_by_role("button", name="Submit my scores and vote").click()
    await page.wait_for_selector("text=Your vote is recorded.")


async def test_gate_review_with_two_reviewers_moves_the_initiative(server, browser):
    lead_context, lead = await signed_in(browser, server, "li.na@example.com")
    research = lead.locator("section[aria-labelledby='phase-2']")
    await research.locator(".card a", has_text="Expense reimbursement").click()
    await lead.get_by_role("link", name="Request gate review").click()
    await lead.get_by_label("Zhang Min").check()
    await lead.get_by_label("Chen Jie").check()
    await lead.locator("textarea").first.fill("Interviews with 12 claimants; as-is map attached")
    await lead.get_by_role("button", name="Request review").click()
    await lead.wait_for_selector("text=Gate review requested.")
    review_url = lead.url

    first_context, first = await signed_in(browser, server, "zhang.min@example.com")
    await first.get_by_role("link", name="Reviews").click()
    await first.get_by_role("link", name="Expense reimbursement", exact=False).click()
    assert await first.locator("text=Interviews with 12 claimants").count() == 1
    await score_and_vote(first, "Go with conditions", "Publish the as-is map to Finance")
    await shot(first, "gate-review-after-first-vote-en-1280")

    second_context, second = await signed_in(browser, server, "chen.jie@example.com")
    await second.goto(review_url)
    # independent scoring: the first reviewer's vote is not visible yet
    assert await second.locator("text=Publish the as-is map to Finance").count() == 0
    await score_and_vote(second, "Go")
    await second.wait_for_selector("text=Decision: Go with conditions")
    assert await second.locator("table.tally").count() == 1
    await shot(second, "gate-review-decided-en-1280")

    await lead.goto(f"{server}/o/demo/")
    design = lead.locator("section[aria-labelledby='phase-3']")
    card = design.locator(".card", has_text="Expense reimbursement")
    assert await card.count() == 1
    assert "1 open condition" in await card.inner_text()
    await card.locator("a").click()
    assert "Publish the as-is map to Finance" in await lead.inner_text("main")
    await shot(lead, "initiative-with-condition-en-1280")
    for context in (lead_context, first_context, second_context):
        await context.close()
