"""Discussion threads in real Chromium: a comment carrying a script, an onerror attribute and
javascript: links renders inert; @ autocompletes members and the comment mentions them; edit
and delete in place; the thread on a phone and a laptop, in English and Chinese (screenshots in
test-output/comments/)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import start_server, stop_server

SHOTS = ROOT / "test-output" / "comments"
PASSWORD = "demo-password-2026"
PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> "
    '[click me](javascript:alert(3)) <a href="javascript:alert(4)">raw</a> '
    "[spaced](java script:alert(5)) [ok](https://example.com/ok)"
)
OVERFLOW_JS = "document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture(scope="module")
def comment_server(tmp_path_factory):
    """A server of its own: the screenshots switch the demo person's language."""
    process, base, _url = start_server(tmp_path_factory.mktemp("comments"))
    yield base
    stop_server(process)


async def signed_in(browser, server, email, width=1280, bypass_csp=False):
    context = await browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 800}, bypass_csp=bypass_csp
    )
    page = await context.new_page()
    await page.goto(f"{server}/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.locator("main form button[type=submit]").first.click()
    await page.wait_for_url(f"{server}/o/demo/")
    return context, page


async def first_link(page, server, pattern: str) -> str:
    hrefs = await page.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
    return next(h for h in hrefs if re.search(pattern, h))


async def a_risk(page, server) -> str:
    """The first risk of the first initiative that has one."""
    await page.goto(f"{server}/o/demo/")
    hrefs = await page.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
    for initiative in [h for h in hrefs if re.search(r"/o/demo/initiatives/\d+$", h)]:
        await page.goto(f"{initiative}/risks")
        links = await page.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
        risks = [h for h in links if re.search(r"/o/demo/risks/\d+$", h)]
        if risks:
            return risks[0]
    raise AssertionError("the demo has no risk")


async def open_thread(page, url):
    await page.goto(url)
    await page.locator("#thread.thread").wait_for()  # htmx loaded it into the page


async def post(page, text):
    box = page.locator("#comment-body")
    await box.fill(text)
    await page.locator(".comment-form button[type=submit]").click()


async def test_a_hostile_comment_renders_inert(comment_server, browser):
    server = comment_server
    # the CSP bypassed, as in test_stored_xss: escaping and sanitising alone must hold
    context, page = await signed_in(browser, server, "li.na@example.com", bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await page.goto(f"{server}/o/demo/matrix")
    problem = await first_link(page, server, r"/o/demo/problems/\d+$")
    await open_thread(page, problem)
    await post(page, PAYLOAD)
    await page.locator(".comment-body", has_text="click me").wait_for()
    for _ in range(2):  # as posted in place, then as loaded with the page
        thread = page.locator("#thread")
        assert await thread.locator("script").count() == 0
        assert await thread.locator("img").count() == 0
        hrefs = await thread.locator("a").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href') || '')"
        )
        assert not [h for h in hrefs if not h.startswith(("/", "http://", "https://"))], hrefs
        assert "https://example.com/ok" in hrefs
        handlers = await thread.evaluate(
            "(t) => [...t.querySelectorAll('*')].flatMap((e) => [...e.attributes]"
            ".filter((a) => a.name.startsWith('on')).map((a) => a.name))"
        )
        assert handlers == []
        text = await thread.locator(".comment-body").last.inner_text()
        assert "<script>alert(1)</script>" in text and "onerror=alert(2)" in text
        await page.locator(".comment-body", has_text="click me").hover()
        await open_thread(page, problem)
    assert await page.locator("a[href^='javascript:' i]").count() == 0
    assert dialogs == []
    await context.close()


async def test_mentions_autocomplete_and_comments_edit_and_delete_in_place(comment_server, browser):
    server = comment_server
    context, page = await signed_in(browser, server, "li.na@example.com")
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    risk = await a_risk(page, server)
    await open_thread(page, risk)
    box = page.locator("#comment-body")
    await box.click()
    await box.press_sequentially("Can you confirm the owner, @zh", delay=30)
    option = page.locator("#comment-body-mentions [role=option]", has_text="Zhang Min")
    await option.wait_for()
    assert await box.get_attribute("aria-expanded") == "true"
    await box.press("Enter")  # the first match is chosen
    assert await box.input_value() == "Can you confirm the owner, @Zhang Min "
    assert await page.locator("#comment-body-mentions").is_hidden()
    await box.press_sequentially("and @Li", delay=30)
    await page.locator("#comment-body-mentions [role=option]", has_text="Liu Yang").click()
    await box.press_sequentially("? Not @Nobody.", delay=10)
    await page.locator(".comment-form button[type=submit]").click()
    mine = page.locator(".comment", has_text="Can you confirm the owner")
    await mine.wait_for()
    mentions = await mine.locator(".mention").all_inner_texts()
    assert mentions == ["@Zhang Min", "@Liu Yang"]
    assert page.url == risk  # posted in place
    # a link to the comment (as a notification gives) brings it into view once loaded
    anchor = await mine.get_attribute("id")
    await page.set_viewport_size({"width": 1280, "height": 300})
    await page.goto(f"{risk}#{anchor}")
    await expect(page.locator(f"#{anchor}")).to_be_in_viewport()
    await page.set_viewport_size({"width": 1280, "height": 800})
    mine = page.locator(".comment", has_text="Can you confirm the owner")

    await mine.get_by_role("link", name="Edit").click()
    editing = page.locator(".comment.editing textarea")
    await editing.fill("Owner confirmed by **Zhang Min**.")
    await page.locator(".comment.editing").get_by_role("button", name="Save").click()
    edited = page.locator(".comment", has_text="Owner confirmed by")
    await edited.wait_for()
    assert await edited.locator(".comment-body strong").inner_text() == "Zhang Min"
    assert "edited" in await edited.locator(".comment-meta").inner_text()

    page.once("dialog", lambda d: d.accept())  # "Delete this comment?"
    await edited.get_by_role("button", name="Delete").click()
    await page.locator(".comment.deleted", has_text="Comment deleted.").wait_for()
    assert await page.locator(".comment", has_text="Owner confirmed by").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#comments").screenshot(path=str(SHOTS / "risk-thread-deleted-en-1280.png"))
    assert errors == []
    await context.close()


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
async def test_the_thread_on_a_phone_and_a_laptop(comment_server, browser, language):
    server = comment_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for width in (390, 1280):
        context, page = await signed_in(browser, server, "demo@example.com", width)
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        token = await page.locator("input[name=_csrf_token]").first.get_attribute("value")
        await context.request.post(
            f"{server}/language", form={"language": language, "next": "/", "_csrf_token": token}
        )
        await page.goto(f"{server}/o/demo/reviews")
        review = await first_link(page, server, r"/o/demo/reviews/\d+$")
        await open_thread(page, review)
        if width == 390 and language == "en":
            await post(page, "Is the **pilot data** complete? cc @Li Na\n\n- baseline\n- after")
            await page.locator(".comment-body", has_text="pilot data").wait_for()
        await page.locator("#comment-body").press_sequentially("@", delay=30)
        await page.locator("#comment-body-mentions [role=option]").first.wait_for()
        name = f"review-thread-{language}-{width}"
        await page.locator("#comments").scroll_into_view_if_needed()
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert not await page.evaluate(OVERFLOW_JS), name
        await open_thread(page, f"{review}/comments")  # the page without script's help
        await page.screenshot(path=str(SHOTS / f"{name}-page.png"), full_page=True)
        assert not await page.evaluate(OVERFLOW_JS), name
        assert errors == [], errors
        await context.close()
