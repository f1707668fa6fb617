"""Self-service accounts in real Chromium against a real server and a real SMTP server:
a forgotten password reset through the e-mail that arrives (English at 1280 px, Chinese at
390 px, for a person who signed up in Chinese), the settings page and leaving, with
screenshots in ``test-output/screenshots``."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_browser import shot

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://\S+(/password/reset/[A-Za-z0-9_-]+)")


@pytest.fixture
def mail_server(tmp_path, mailbox):
    """A server of its own whose embedded scheduler sends mail to the test's SMTP server."""
    process, base, _url = start_server(
        tmp_path, {"TRACKER_SCHEDULER": "on", "TRACKER_SCHEDULER_SECONDS": "2"}
    )
    yield base, mailbox
    stop_server(process)


async def reset_mail_to(mailbox, address: str, seconds: float = 60):
    """The reset link mailed to ``address`` (the demo's digests and reminders go there too)."""
    for _ in range(int(seconds * 10)):
        for rcpt, message in mailbox.messages:
            if rcpt == [address]:
                found = LINK.search(message.get_body(("plain",)).get_content())
                if found:
                    return message, found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no reset link mailed to {address} within {seconds} s")


async def confirmation_mail_to(mailbox, address: str, seconds: float = 60) -> str:
    """The confirmation link of a sign-up, from the mail the SMTP server received."""
    for _ in range(int(seconds * 10)):
        for rcpt, message in mailbox.messages:
            found = re.search(r"(/confirm/\S+)", message.get_body(("plain",)).get_content())
            if rcpt == [address] and found:
                return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no confirmation link mailed to {address} within {seconds} s")


async def top_bar(page) -> None:
    """Open the top bar's menu where it is collapsed (a phone)."""
    toggle = page.locator("details.navmenu > summary")
    if await toggle.is_visible() and await page.locator("details.navmenu[open]").count() == 0:
        await toggle.click()


async def no_sideways_scroll(page) -> None:
    """The page's content fits the window, and the page does not scroll sideways."""
    wide = await page.evaluate(
        "[...document.querySelectorAll('main *')].filter("
        "e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName)"
    )
    assert not wide, wide
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways"
    )


async def reset_through_the_mail(page, base, mailbox, email, new_password, name, texts):
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name=texts["forgot"]).click()
    await page.fill("#email", email)
    await shot(page, f"{name}-1-forgot")
    await no_sideways_scroll(page)
    await page.get_by_role("button", name=texts["send"]).click()
    await page.wait_for_selector("[role=status]")
    await shot(page, f"{name}-2-sent")
    message, path = await reset_mail_to(mailbox, email)
    await page.goto(f"{base}{path}")
    await page.fill("#new", "short")
    await page.fill("#confirm", "short")
    await page.get_by_role("button", name=texts["set"]).click()
    await page.wait_for_selector(".field-error")
    await shot(page, f"{name}-3-reset-error")
    await no_sideways_scroll(page)
    await page.fill("#new", new_password)
    await page.fill("#confirm", new_password)
    await page.get_by_role("button", name=texts["set"]).click()
    await page.wait_for_url(f"{base}/login")
    assert texts["changed"] in await page.inner_text(".flash")
    await shot(page, f"{name}-4-changed")
    await page.fill("#email", email)
    await page.fill("#password", new_password)
    await page.locator("form[action='/login'] button[type=submit]").click()
    await page.wait_for_url(re.compile(r".*/o/.*"))
    again = await page.context.new_page()
    await again.goto(f"{base}{path}")
    assert texts["invalid"] in await again.inner_text("main")  # the link worked once
    await again.close()
    return message


async def test_password_reset_in_english_on_a_laptop(mail_server, browser):
    base, mailbox = mail_server
    # the demo person, signed in elsewhere (the old session)
    elsewhere = await browser.new_context(viewport=DESKTOP)
    old = await elsewhere.new_page()
    await old.goto(f"{base}/login")
    await old.fill("#email", "demo@example.com")
    await old.fill("#password", "demo-password-2026")
    await old.locator("form[action='/login'] button[type=submit]").click()
    await old.wait_for_url(re.compile(r".*/o/.*"))

    context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    texts = {
        "forgot": "Forgot your password?",
        "send": "Send me a link",
        "set": "Set the new password",
        "changed": "Every session of your account has ended",
        "invalid": "This link is not valid any more",
    }
    message = await reset_through_the_mail(
        page, base, mailbox, "demo@example.com", "a brand new demo secret", "reset-en-1280", texts
    )
    assert message["Subject"] == "Set a new password for the improvement tracker"
    await old.reload()
    assert "/login" in old.url  # the old session is gone
    await page.goto(f"{base}/account")
    await shot(page, "settings-en-1280")
    await no_sideways_scroll(page)
    assert not errors, errors
    await elsewhere.close()
    await context.close()


async def test_password_reset_in_chinese_on_a_phone(mail_server, browser):
    base, mailbox = mail_server
    context = await browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{base}/signup")
    await page.fill("#name", "王芳")
    await page.fill("#email", "wang.fang@phone.example.com")
    await page.fill("#password", "correct horse battery")
    await page.fill("#org_name", "Phone Co")
    await page.locator("form[action='/signup'] button[type=submit]").click()
    # sign-up asks to confirm the address (issue 17, finding 7): the mail arrives in Chinese
    await page.get_by_role("heading", name="请查收电子邮件").wait_for()
    path = await confirmation_mail_to(mailbox, "wang.fang@phone.example.com")
    await page.goto(f"{base}{path}")
    await page.get_by_role("button", name="确认我的地址").click()
    await page.wait_for_url(re.compile(r".*/o/phone-co/$"))
    await page.goto(f"{base}/account")
    await shot(page, "settings-zh-390")
    await no_sideways_scroll(page)
    await page.goto(f"{base}/o/phone-co/leave")
    await shot(page, "leave-last-admin-zh-390")
    assert "至少需要一名管理员" in await page.inner_text("main")
    await top_bar(page)
    await page.locator("details.person summary").click()  # the person's menu
    await page.locator("form[action='/logout'] button").click()
    await page.wait_for_url(f"{base}/login")
    texts = {
        "forgot": "忘记密码？",
        "send": "发送链接",
        "set": "设置新密码",
        "changed": "会话都已结束",
        "invalid": "此链接已失效",
    }
    message = await reset_through_the_mail(
        page,
        base,
        mailbox,
        "wang.fang@phone.example.com",
        "一个全新的密码 2026",
        "reset-zh-390",
        texts,
    )
    assert message["Subject"] == "设置改进项目跟踪系统的新密码"  # she reads the app in Chinese
    await context.close()


async def test_settings_and_leaving_screens_in_both_languages(mail_server, browser):
    base, _mailbox = mail_server
    for locale, lang in (("en-GB", "en"), ("zh-CN", "zh")):
        for viewport, width in ((DESKTOP, 1280), (PHONE, 390)):
            context = await browser.new_context(viewport=viewport, locale=locale)
            page = await context.new_page()
            await page.goto(f"{base}/login")
            await page.fill("#email", "demo@example.com")
            await page.fill("#password", "demo-password-2026")
            await page.locator("form[action='/login'] button[type=submit]").click()
            await page.wait_for_url(re.compile(r".*/o/.*"))
            slug = page.url.split("/o/", 1)[1].split("/", 1)[0]
            code = "zh_Hans" if lang == "zh" else "en"  # the person's own choice wins
            await top_bar(page)
            await page.locator(f"form.lang button[value={code}]").click()
            await page.wait_for_load_state("load")
            await page.goto(f"{base}/account")
            await shot(page, f"settings-{lang}-{width}")
            await no_sideways_scroll(page)
            await page.goto(f"{base}/o/{slug}/settings/members")
            await shot(page, f"members-{lang}-{width}")
            await page.locator("a.button.danger").first.click()
            await page.wait_for_url(re.compile(r".*/remove$"))
            await shot(page, f"remove-{lang}-{width}")
            await no_sideways_scroll(page)
            if lang == "zh":
                assert "移除" in await page.inner_text("main")
            await page.goto(f"{base}/o/{slug}/leave")
            await shot(page, f"leave-{lang}-{width}")
            await no_sideways_scroll(page)
            await page.goto(f"{base}/password/forgot")
            await shot(page, f"forgot-{lang}-{width}")
            await no_sideways_scroll(page)
            await context.close()
