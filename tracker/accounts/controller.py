"""Sign-up, log-in, log-out, password, language, organisations list, invitation acceptance."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Redirect, Template

from tracker.accounts import login as login_service
from tracker.accounts import service
from tracker.accounts.rules import Refusal
from tracker.accounts.settings_controller import settings_page
from tracker.auth import LANGUAGE_COOKIE, SESSION_COOKIE, end_session, start_session
from tracker.errors import Invalid
from tracker.i18n import LANGUAGES, get_language, language
from tracker.i18n import gettext as _
from tracker.settings import get_settings
from tracker.web import (
    Form,
    current_person,
    read_form,
    redirect,
    render,
    require_person,
    safe_next,
)


def private_cookie(key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


def session_cookie(token: str) -> Cookie:
    return private_cookie(SESSION_COOKIE, token, get_settings().session_lifetime_hours * 3600)


def csrf_cookie() -> Cookie:
    """A new CSRF token: it changes whenever who is signed in changes (log-in, log-out)."""
    return Cookie(
        key="csrftoken",
        value=generate_csrf_token(get_settings().secret_key),
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


def client_address(request: Request) -> str:
    """The client's address (behind a trusted proxy, its X-Forwarded-For: see TRUSTED_PROXIES)."""
    return request.client.host if request.client else ""


async def signed_in(
    request: Request, person_id: int, path: str, flash: str | None = None
) -> Redirect:
    """Start a session (a new id, a new CSRF token) and remember this browser for the account."""
    await end_session(request.cookies.get(SESSION_COOKIE))  # the session id always changes
    token = await start_session(
        person_id, request.headers.get("user-agent", ""), client_address(request)
    )
    person = await service.person_email(person_id)
    response = redirect(path, flash)
    response.cookies.append(session_cookie(token))
    response.cookies.append(csrf_cookie())
    response.cookies.append(
        private_cookie(
            login_service.DEVICE_COOKIE,
            login_service.device_token(person_id, person),
            login_service.DEVICE_SECONDS,
        )
    )
    response.cookies.append(private_cookie(login_service.PENDING_COOKIE, "", 0))
    return response


@get("/", name="home")
async def home(request: Request) -> Template | Redirect:
    person = current_person(request)
    if person is None:
        return render(request, "accounts/welcome.html")
    memberships = await service.memberships_of(person.id)
    if len(memberships) == 1:
        return redirect(f"/o/{memberships[0].slug}/")
    return redirect("/orgs")


@get("/signup", name="signup")
async def signup_page(request: Request) -> Template:
    return render(request, "accounts/signup.html", form=Form({}))


@post("/signup")
async def signup(request: Request) -> Template:
    form = await read_form(request)
    try:
        email = await service.signup(form.submitted)
    except Invalid as error:
        form.absorb(error).values.pop("password", None)
        return render(request, "accounts/signup.html", status_code=422, form=form)
    return render(request, "accounts/check_email.html", email=email)


@get("/login", name="login")
async def login_page(request: Request, next: str | None = None) -> Template:
    return render(request, "accounts/login.html", form=Form({"next": next or ""}))


REFUSALS = {
    Refusal.ADDRESS: "Too many failed log-ins from your network. Try again in %(n)s minutes.",
    Refusal.ACCOUNT: "Too many failed attempts. Try again in %(n)s minutes.",
    Refusal.UNLOCK: (
        "Someone has tried many wrong passwords on this account, so it only opens from a "
        "browser that logged in to it before. If it is yours, we have e-mailed you a link that "
        "lets this browser in at once; or try again in %(n)s minutes."
    ),
}


@post("/login")
async def login(request: Request) -> Template | Redirect:
    form = await read_form(request)
    result = await login_service.authenticate(
        form.get("email"),
        form.get("password"),
        client_address(request),
        request.cookies.get(login_service.DEVICE_COOKIE),
    )
    form.values.pop("password", None)
    if result.refusal:
        minutes = max(1, round(result.wait_seconds / 60))
        form.error("email", _(REFUSALS[result.refusal], n=minutes))
        return render(request, "accounts/login.html", status_code=429, form=form)
    if result.unconfirmed:
        form.error(
            "email",
            _("Your e-mail address is not confirmed yet: we have sent you a new link."),
        )
        return render(request, "accounts/login.html", status_code=403, form=form)
    if result.person_id is None:
        form.error("password", _("The e-mail address or the password is wrong."))
        return render(request, "accounts/login.html", status_code=422, form=form)
    if request.headers.get("accept-language") or request.cookies.get(LANGUAGE_COOKIE):
        # what the browser (or the switch) says they read: mail to them follows it
        await service.remember_language(result.person_id, get_language())
    if result.needs_code:
        pending = login_service.pending_token(result.person_id, result.password_hash)
        response = redirect(f"/login/code?next={quote(safe_next(form.get('next')))}")
        response.cookies.append(
            private_cookie(login_service.PENDING_COOKIE, pending, login_service.PENDING_SECONDS)
        )
        return response
    return await signed_in(request, result.person_id, await after_login(result.person_id, form))


async def after_login(person_id: int, form: Form) -> str:
    """Where a person goes after log-in: enrolment first when an organisation requires it."""
    from tracker.accounts.twofactor import must_enrol

    if await must_enrol(person_id):
        return "/account/security?required=1"
    return safe_next(form.get("next"))


@post("/logout", name="logout")
async def logout(request: Request) -> Redirect:
    await end_session(request.cookies.get(SESSION_COOKIE))
    response = redirect("/login", _("You are logged out."))
    response.cookies.append(Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/"))
    response.cookies.append(csrf_cookie())
    return response


@post("/account/password")
async def change_password(request: Request) -> Template | Redirect:
    person = require_person(request)
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        await service.change_password(person.id, person.email, form.submitted, token)
    except Invalid as error:
        form.absorb(error)
        for field in ("current", "new", "confirm"):
            form.values.pop(field, None)
        return await settings_page(request, person, 422, form=form)
    return redirect("/account", _("Your password is changed; other devices are logged out."))


@post("/language", name="set_language")
async def set_language(request: Request) -> Response:
    form = await read_form(request)
    lang = form.get("language")
    if lang not in LANGUAGES:
        return Response(_("Unknown language."), status_code=400, media_type="text/plain")
    person = current_person(request)
    if person is not None:
        await service.set_language(person.id, lang)
    with language(lang):
        response = redirect(_back_to(request, form.get("next")))
    response.cookies.append(
        Cookie(key=LANGUAGE_COOKIE, value=lang, max_age=365 * 86400, path="/", samesite="lax")
    )
    return response


def _back_to(request: Request, fallback: str) -> str:
    """The page the person is on: the Referer (it follows htmx's pushed URLs), else ``next``."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.headers.get("host"):
        return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    return safe_next(fallback)


@get("/orgs", name="orgs")
async def organisations(request: Request) -> Template:
    person = require_person(request)
    memberships = await service.memberships_of(person.id)
    return render(request, "accounts/orgs.html", memberships=memberships, form=Form({}))


@post("/orgs")
async def create_organisation(request: Request) -> Template | Redirect:
    person = require_person(request)
    form = await read_form(request)
    try:
        slug = await service.create_org(person.id, form.submitted)
    except Invalid as error:
        memberships = await service.memberships_of(person.id)
        return render(
            request,
            "accounts/orgs.html",
            status_code=422,
            memberships=memberships,
            form=form.absorb(error),
        )
    return redirect(f"/o/{slug}/", _("Organisation created."))


@get("/invite/{token:str}", name="invitation")
async def invitation_page(request: Request, token: str) -> Template:
    invitation = await service.invitation_for_token(token)
    if invitation is None:
        raise NotFoundException(_("This invitation is not valid any more."))
    return render(
        request,
        "accounts/invitation.html",
        invitation=invitation,
        token=token,
        form=Form({}),
        **await _invitation_state(request, invitation),
    )


async def _invitation_state(request: Request, invitation: dict) -> dict:
    from tracker.accounts.tables import Person

    person = current_person(request)
    has_account = await Person.exists().where(Person.email == invitation["email"])
    return {
        "has_account": has_account,
        "wrong_person": person is not None and person.email != invitation["email"],
    }


@post("/invite/{token:str}")
async def accept_invitation(request: Request, token: str) -> Template | Redirect:
    invitation = await service.invitation_for_token(token)
    if invitation is None:
        raise NotFoundException(_("This invitation is not valid any more."))
    person = current_person(request)
    slug = invitation["org.slug"]
    welcome = _("You joined %(org)s.", org=invitation["org.name"])
    if person is not None:
        if person.email != invitation["email"]:
            state = await _invitation_state(request, invitation)
            return render(
                request,
                "accounts/invitation.html",
                status_code=403,
                invitation=invitation,
                token=token,
                form=Form({}),
                **state,
            )
        await service.accept_invitation(invitation, person.id)
        return redirect(f"/o/{slug}/", welcome)
    form = await read_form(request)
    try:
        person_id = await service.create_invited_person(invitation, form.submitted)
    except Invalid as error:
        form.absorb(error).values.pop("password", None)
        state = await _invitation_state(request, invitation)
        return render(
            request,
            "accounts/invitation.html",
            status_code=422,
            invitation=invitation,
            token=token,
            form=form,
            **state,
        )
    await service.accept_invitation(invitation, person_id)
    return await signed_in(request, person_id, f"/o/{slug}/", welcome)


ROUTES = [
    home,
    signup_page,
    signup,
    login_page,
    login,
    logout,
    change_password,
    set_language,
    organisations,
    create_organisation,
    invitation_page,
    accept_invitation,
]
