"""A person's own settings in one place: name, language, time zone, e-mail address (with a
confirmation link to the new address), password, digests per organisation, organisations."""

from __future__ import annotations

from zoneinfo import available_timezones

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from tracker.accounts import profile
from tracker.accounts.hooks import DIGEST_ROWS
from tracker.auth import LANGUAGE_COOKIE, CurrentPerson
from tracker.errors import Invalid
from tracker.i18n import get_language, language
from tracker.i18n import gettext as _
from tracker.web import Form, read_form, redirect, render, require_person


async def settings_page(
    request: Request,
    person: CurrentPerson,
    status_code: int = 200,
    profile_form: Form | None = None,
    email_form: Form | None = None,
    form: Form | None = None,
) -> Template:
    me = await profile.person_row(person.id)
    return render(
        request,
        "accounts/account.html",
        status_code=status_code,
        me=me,
        profile_form=profile_form
        or Form(
            {
                "name": me["name"],
                "language": me["language"] or get_language(),
                "timezone": me["timezone"] or "",
            }
        ),
        email_form=email_form or Form({}),
        form=form or Form({}),
        pending_email=await profile.pending_email_change(person.id),
        digest_rows=await DIGEST_ROWS.call(person.id),
        zones=sorted(available_timezones()),
    )


@get("/account", name="account")
async def account_page(request: Request) -> Template:
    return await settings_page(request, require_person(request))


@post("/account/profile")
async def save_profile(request: Request) -> Template | Response:
    person = require_person(request)
    form = await read_form(request)
    try:
        await profile.save_profile(person.id, form.submitted)
    except Invalid as error:
        return await settings_page(request, person, 422, profile_form=form.absorb(error))
    lang = form.get("language")
    with language(lang):
        response = redirect("/account", _("Your settings are saved."))
    response.cookies.append(
        Cookie(key=LANGUAGE_COOKIE, value=lang, max_age=365 * 86400, path="/", samesite="lax")
    )
    return response


@post("/account/email")
async def change_email(request: Request) -> Template | Redirect:
    person = require_person(request)
    form = await read_form(request)
    try:
        new_email = await profile.request_email_change(person, form.submitted)
    except Invalid as error:
        form.absorb(error).values.pop("password", None)
        return await settings_page(request, person, 422, email_form=form)
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is not None:
        await dispatcher.kick()
    return redirect(
        "/account",
        _(
            "We sent a confirmation link to %(email)s. Until you open it, you keep logging in "
            "with your current address.",
            email=new_email,
        ),
    )


@get("/account/email/{token:str}", name="confirm_email")
async def confirm_email_page(request: Request, token: str) -> Template:
    change = await profile.email_change_for_token(token)
    status = 200 if change else 404
    return render(
        request, "accounts/email_confirm.html", status_code=status, change=change, token=token
    )


@post("/account/email/{token:str}")
async def confirm_email(request: Request, token: str) -> Template | Redirect:
    change = await profile.email_change_for_token(token)
    error = await profile.confirm_email_change(change) if change else None
    if change is None or error:
        return render(
            request,
            "accounts/email_confirm.html",
            status_code=409 if change else 404,
            change=None,
            error=error,
            token=token,
        )
    return redirect(
        "/account" if request.scope.get("state", {}).get("person") else "/login",
        _(
            "Your e-mail address is now %(email)s. Log in with it from now on.",
            email=change["new_email"],
        ),
    )


ROUTES = [account_page, save_profile, change_email, confirm_email_page, confirm_email]
