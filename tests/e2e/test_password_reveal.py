"""ASVS 2.1.12: a "Show" toggle beside password fields, in real Chromium at 390 px: it reveals
and hides the typed password, says its state (aria-pressed), sends the form as a password
field, and is absent without script (the field is a plain password field then)."""

from __future__ import annotations

from tests.e2e.test_account_browser import PHONE, no_sideways_scroll
from tests.e2e.test_browser import shot


async def test_the_show_toggle_reveals_and_hides_the_password_on_a_phone(server, browser):
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{server}/login")
    field = page.locator("#password")
    toggle = page.get_by_role("button", name="Show Password")
    await field.fill("a secret typed here")
    assert await field.get_attribute("type") == "password"
    assert await toggle.get_attribute("aria-pressed") == "false"
    assert await toggle.inner_text() == "Show" and await toggle.get_attribute("type") == "button"
    await toggle.click()
    assert await field.get_attribute("type") == "text"
    assert await toggle.get_attribute("aria-pressed") == "true"
    assert await field.input_value() == "a secret typed here"
    await shot(page, "password-reveal-390-shown")
    await no_sideways_scroll(page)
    await toggle.click()  # hides it again; the toggle submits nothing
    assert await field.get_attribute("type") == "password"
    assert await toggle.get_attribute("aria-pressed") == "false"
    assert page.url.endswith("/login")
    await context.close()


async def test_without_script_the_field_is_a_plain_password_field(server, browser):
    context = await browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{server}/signup")
    assert await page.locator("#password").get_attribute("type") == "password"
    assert not await page.locator("button.reveal").first.is_visible()
    await shot(page, "password-reveal-390-no-script")
    await context.close()


async def test_the_toggle_is_translated(server, browser):
    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    await page.set_extra_http_headers({"accept-language": "zh-CN,zh;q=0.9"})
    await page.goto(f"{server}/signup")
    toggle = page.locator("button.reveal")
    assert await toggle.inner_text() == "显示"
    await page.locator("#password").fill("一个秘密的密码")
    await toggle.click()
    assert await page.locator("#password").get_attribute("type") == "text"
    await shot(page, "password-reveal-390-zh")
    await no_sideways_scroll(page)
    await context.close()
