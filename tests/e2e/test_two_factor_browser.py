"""Two-factor log-in end to end in Chromium, with codes computed in the test: sign up, enrol
by the QR page's key, log out, log in with a code, a wrong code refused, log in with a
recovery code. Screenshots of the security pages at 1280 and 390 px, English and Chinese."""

from __future__ import annotations

import time

import pyotp

from tests.e2e.conftest import confirm_sign_up
from tests.e2e.test_browser import shot

EMAIL = "mei@two-factor.example.com"
PASSWORD = "a quiet lantern by the river"


async def no_sideways_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


async def log_out(page) -> None:
    await page.locator("details.menu.person summary").click()
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url("**/login")


async def log_in_with_password(page, server) -> None:
    await page.goto(f"{server}/login")
    await page.fill("#email", EMAIL)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/login/code**")


async def test_enrol_log_in_with_a_code_and_with_a_recovery_code(server, browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)

    await page.goto(f"{server}/signup")
    await page.fill("#name", "Mei")
    await page.fill("#email", EMAIL)
    await page.fill("#password", PASSWORD)
    await page.fill("#org_name", "Two Factor Co")
    await page.get_by_role("button", name="Create account and organisation").click()
    await confirm_sign_up(page, server, EMAIL)
    await page.wait_for_url(f"{server}/o/two-factor-co/")

    await page.goto(f"{server}/account")
    await page.get_by_role("link", name="Security").click()
    await page.get_by_role("button", name="Set up two-factor log-in").click()
    qr = page.locator("figure.qr svg")
    assert await qr.is_visible()
    box = await qr.bounding_box()
    assert box and box["width"] > 100
    secret = (await page.inner_text("code.secret")).replace(" ", "")
    totp = pyotp.TOTP(secret)
    await shot(page, "security-enrol-1280-en")
    await page.fill("#code", "000000")
    await page.get_by_role("button", name="Turn two-factor log-in on").click()
    assert "This code is not right" in await page.inner_text("main")
    await page.fill("#code", totp.at(time.time()))
    await page.get_by_role("button", name="Turn two-factor log-in on").click()
    codes = await page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    await shot(page, "security-recovery-codes-1280-en")

    # log out; the password alone no longer opens the account
    await log_out(page)
    await log_in_with_password(page, server)
    await page.fill("#code", "123456")
    await page.get_by_role("button", name="Log in").click()
    assert "This code is not right" in await page.inner_text("main")
    await page.fill("#code", totp.at(time.time() + 30))  # the next step: a code works once
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/o/two-factor-co/")

    await log_out(page)
    await log_in_with_password(page, server)
    await page.fill("#code", codes[0])
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{server}/o/two-factor-co/")
    await page.goto(f"{server}/account/security")
    assert "Recovery codes left: 9" in await page.inner_text("main")
    assert not errors, errors

    for lang, width in (("en", 390), ("zh", 390), ("zh", 1280), ("en", 1280)):
        await page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
        await set_language(page, server, lang)
        await page.goto(f"{server}/account/security")
        await no_sideways_scroll(page)
        await shot(page, f"security-page-{width}-{lang}")
    await context.close()

    # the second step of log-in, on a phone, in both languages
    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await phone.new_page()
    for lang in ("zh", "en"):
        await page.goto(f"{server}/login")
        await set_language(page, server, lang)
        await page.goto(f"{server}/login")
        await page.fill("#email", EMAIL)
        await page.fill("#password", PASSWORD)
        await page.locator("form[action='/login'] button[type=submit]").click()
        await page.wait_for_url(f"{server}/login/code**")
        await no_sideways_scroll(page)
        await shot(page, f"login-code-390-{lang}")
    await phone.close()


async def set_language(page, server, lang: str) -> None:
    """As the language buttons do (the person's choice, or a cookie before log-in)."""
    if not page.url.startswith(server):
        await page.goto(f"{server}/login")
    token = await page.locator("input[name=_csrf_token]").first.get_attribute("value")
    response = await page.context.request.post(
        f"{server}/language",
        form={"language": "zh_Hans" if lang == "zh" else "en", "_csrf_token": token or ""},
        max_redirects=0,
    )
    assert response.status == 303
