"""A forgotten password: ask for a link, open it, set a new password."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from tracker.accounts import recovery
from tracker.auth import SESSION_COOKIE
from tracker.errors import Invalid, NotFound
from tracker.i18n import get_language
from tracker.i18n import gettext as _
from tracker.web import Form, read_form, redirect, render


@get("/password/forgot", name="forgot_password")
async def forgot_page(request: Request, email: str | None = None) -> Template:
    return render(request, "accounts/forgot.html", form=Form({"email": email or ""}), sent=False)


@post("/password/forgot")
async def forgot(request: Request) -> Template:
    form = await read_form(request)
    client = request.client.host if request.client else "unknown"
    try:
        email = await recovery.request_reset(form.submitted, client, get_language())
    except (Invalid, recovery.TooManyRequests) as error:
        status = error.status_code
        return render(
            request, "accounts/forgot.html", status_code=status, form=form.absorb(error), sent=False
        )
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is not None:
        await dispatcher.kick()
    return render(request, "accounts/forgot.html", form=Form({"email": email}), sent=True)


@get("/password/reset/{token:str}", name="reset_password")
async def reset_page(request: Request, token: str) -> Template:
    reset = await recovery.reset_for_token(token)
    if reset is None:
        return render(request, "accounts/reset.html", status_code=404, form=Form({}), valid=False)
    return render(request, "accounts/reset.html", form=Form({}), valid=True, token=token)


@post("/password/reset/{token:str}")
async def reset(request: Request, token: str) -> Template | Redirect:
    form = await read_form(request)
    try:
        person_id = await recovery.set_new_password(token, form.submitted)
    except NotFound:  # the link does not work (any more)
        return render(request, "accounts/reset.html", status_code=404, form=Form({}), valid=False)
    except Invalid as error:
        form.absorb(error).values.clear()
        return render(
            request, "accounts/reset.html", status_code=422, form=form, valid=True, token=token
        )
    await recovery.notify_changed(person_id)
    response = redirect(
        "/login",
        _(
            "Your password is changed. Every session of your account has ended, on every "
            "device: log in with the new password."
        ),
    )
    response.cookies.append(Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/"))
    return response


ROUTES = [forgot_page, forgot, reset_page, reset]
