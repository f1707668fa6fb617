"""Account security pages: confirming an address, the unlock link, the second step of log-in,
and `Account › Security` (two-factor log-in, recovery codes, the person's active sessions)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts import login as login_service
from tracker.accounts import sessions, twofactor
from tracker.accounts.controller import client_address, private_cookie, signed_in
from tracker.accounts.rules import Refusal, login_refusal
from tracker.auth import SESSION_COOKIE, verify_password
from tracker.i18n import gettext as _
from tracker.web import Form, read_form, redirect, render, require_person, safe_next


@get("/confirm/{token:str}", name="confirm")
async def confirm_page(request: Request, token: str) -> Template:
    # A page with a button, not a change on GET: mail scanners follow links.
    return render(request, "accounts/confirm.html", token=token)


@post("/confirm/{token:str}")
async def confirm(request: Request, token: str) -> Redirect:
    person_id = await login_service.confirm_address(token)
    if person_id is None:
        raise NotFoundException(_("This link is not valid any more."))
    return await signed_in(request, person_id, "/", _("Your e-mail address is confirmed. Welcome!"))


@get("/unlock/{token:str}", name="unlock")
async def unlock_page(request: Request, token: str) -> Template:
    return render(request, "accounts/unlock.html", token=token)


@post("/unlock/{token:str}")
async def unlock(request: Request, token: str) -> Redirect:
    """The owner's way in during an attack: this browser becomes a known one for the account."""
    person = await login_service.unlocked_person(token)
    if person is None:
        raise NotFoundException(_("This link is not valid any more."))
    response = redirect("/login", _("This browser may log in to your account now."))
    response.cookies.append(
        private_cookie(
            login_service.DEVICE_COOKIE,
            login_service.device_token(person["id"], person["email"]),
            login_service.DEVICE_SECONDS,
        )
    )
    return response


@get("/login/code", name="login_code")
async def code_page(request: Request, next: str | None = None) -> Template | Redirect:
    pending = request.cookies.get(login_service.PENDING_COOKIE)
    if await login_service.pending_person(pending) is None:
        return redirect("/login")
    return render(request, "accounts/login_code.html", form=Form({"next": next or ""}))


@post("/login/code")
async def code(request: Request) -> Template | Redirect:
    person = await login_service.pending_person(request.cookies.get(login_service.PENDING_COOKIE))
    if person is None:
        return redirect("/login", _("Your log-in took too long; enter your password again."))
    form = await read_form(request)
    address = client_address(request)
    by_address, pair, _account = await login_service.recent_failures(person["email"], address)
    refusal, wait = login_refusal(by_address, pair, _account, known_browser=True)
    if refusal != Refusal.NONE:
        form.error(
            "code", _("Too many failed attempts. Try again in %(n)s minutes.", n=wait // 60 + 1)
        )
        return render(request, "accounts/login_code.html", status_code=429, form=form)
    entered = form.get("code")
    if not (
        await twofactor.check_code(person["id"], entered)
        or await twofactor.use_recovery_code(person["id"], entered)
    ):
        await login_service.record_failure(person["email"], address)
        form.error("code", _("This code is not right. Enter the current code from your app."))
        form.values.pop("code", None)
        return render(request, "accounts/login_code.html", status_code=422, form=form)
    return await signed_in(request, person["id"], safe_next(form.get("next")))


async def _security_page(
    request: Request,
    form: Form | None = None,
    status_code: int = 200,
    secret: str | None = None,
    codes: list[str] | None = None,
) -> Template:
    person = require_person(request)
    return render(
        request,
        "accounts/security.html",
        status_code=status_code,
        form=form or Form({}),
        enabled=await twofactor.is_enabled(person.id),
        required=await twofactor.must_enrol(person.id),
        secret=secret,
        secret_grouped=twofactor.grouped(secret) if secret else "",
        qr=twofactor.qr_svg(secret, person.email) if secret else "",
        codes=codes,
        codes_left=await twofactor.recovery_codes_left(person.id),
        sessions=await sessions.of_person(person.id, request.cookies.get(SESSION_COOKIE, "")),
    )


@get("/account/security", name="account_security")
async def security_page(request: Request) -> Template:
    return await _security_page(request)


@post("/account/security/two-factor")
async def start_two_factor(request: Request) -> Template:
    person = require_person(request)
    secret = await twofactor.start_enrolment(person.id)
    return await _security_page(request, secret=secret)


@post("/account/security/two-factor/confirm")
async def confirm_two_factor(request: Request) -> Template:
    person = require_person(request)
    form = await read_form(request)
    codes = await twofactor.enable(person.id, form.get("code"))
    if codes is None:
        form.error("code", _("This code is not right. Enter the current code from your app."))
        form.values.pop("code", None)
        secret = await twofactor.pending_secret(person.id)
        return await _security_page(request, form, 422, secret=secret)
    return await _security_page(request, codes=codes)


async def _password_checked(request: Request, form: Form) -> bool:
    from tracker.accounts.tables import Person

    person = require_person(request)
    row = await Person.select(Person.password_hash).where(Person.id == person.id).first()
    if await verify_password(row["password_hash"] if row else None, form.get("password")):
        return True
    form.error("password", _("This is not your current password."))
    form.values.pop("password", None)
    return False


@post("/account/security/two-factor/disable")
async def disable_two_factor(request: Request) -> Template | Redirect:
    person = require_person(request)
    form = await read_form(request)
    if not await _password_checked(request, form):
        return await _security_page(request, form, 422)
    await twofactor.disable(person.id)
    return redirect("/account/security", _("Two-factor log-in is off."))


@post("/account/security/recovery-codes")
async def renew_recovery_codes(request: Request) -> Template:
    person = require_person(request)
    form = await read_form(request)
    if not await _password_checked(request, form) or not await twofactor.is_enabled(person.id):
        return await _security_page(request, form, 422)
    return await _security_page(request, codes=await twofactor.renew_recovery_codes(person.id))


@post("/account/sessions/{session_id:int}/end")
async def end_session(request: Request, session_id: int) -> Redirect:
    person = require_person(request)
    if not await sessions.end(person.id, session_id):
        raise NotFoundException()
    return redirect("/account/security", _("That device is logged out."))


@post("/account/sessions/end-others")
async def end_other_sessions(request: Request) -> Redirect:
    person = require_person(request)
    await sessions.end_others(person.id, request.cookies.get(SESSION_COOKIE, ""))
    return redirect("/account/security", _("Every other device is logged out."))


ROUTES = [
    confirm_page,
    confirm,
    unlock_page,
    unlock,
    code_page,
    code,
    security_page,
    start_two_factor,
    confirm_two_factor,
    disable_two_factor,
    renew_recovery_codes,
    end_session,
    end_other_sessions,
]
