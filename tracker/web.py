"""Helpers shared by every controller: rendering pages and fragments, flash messages,
redirects, reading forms, and the signed-in person / organisation from the request."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote, unquote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

from tracker.auth import CurrentPerson
from tracker.errors import TrackerError
from tracker.fragments import CSRF_MARK, NEXT_MARK, FragmentCache, Shown, with_marks
from tracker.i18n import LANGUAGES, get_language
from tracker.tenancy import OrgContext
from tracker.values import Submitted

FLASH_COOKIE = "tracker_flash"
MAX_FIELD = 10_000
TOPBAR_TEMPLATE = "_topbar.html"
# The top bars of pages inside an organisation: one per person, organisation, area and
# language (about 5 KB each).
TOPBARS = FragmentCache(max_entries=1000)


def current_person(request: Request) -> CurrentPerson | None:
    return request.scope.get("state", {}).get("person")  # type: ignore[no-any-return]


def require_person(request: Request) -> CurrentPerson:
    person = current_person(request)
    if person is None:
        raise NotAuthorizedException("Please log in.")
    return person


def is_fragment_request(request: Request) -> bool:
    """An htmx request that wants a fragment (not a boosted navigation, not a history restore)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    flash = request.cookies.get(FLASH_COOKIE)
    cookies = []
    if flash:
        cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/"))
    base_context: dict[str, Any] = {
        "person": current_person(request),
        "language": get_language(),
        "languages": LANGUAGES,
        "flash": unquote(flash) if flash else None,
        "request_path": request.url.path,
        "request_query": request.url.query,
    }
    base_context.update(context)
    ctx = context.get("ctx")
    if isinstance(ctx, OrgContext) and base_context["person"] is not None:
        base_context["topbar"] = Topbar(request, ctx)
    return Template(
        template_name=template,
        context=base_context,
        status_code=status_code,
        cookies=cookies,
        headers={"Vary": "HX-Request, Cookie, Accept-Language"},
    )


class Topbar:
    """A page's top bar inside an organisation, kept rendered by what it shows (the same for
    every page of an area), made when the page prints it (``{{ topbar }}`` in base.html)."""

    __slots__ = ("ctx", "request")

    def __init__(self, request: Request, ctx: OrgContext) -> None:
        self.request = request
        self.ctx = ctx

    def __html__(self) -> str:
        request, ctx = self.request, self.ctx
        path, home = request.url.path, f"/o/{ctx.slug}/"
        shown = Shown.of(
            TOPBAR_TEMPLATE,
            ctx,
            membership=ctx.membership,
            memberships=ctx.memberships,
            person_name=ctx.person_name,
            section=path[len(home) :].partition("/")[0] if path.startswith(home) else "",
            at_home=path == home,
            at_notifications=path == f"{home}notifications",
        )
        part = TOPBARS.render(
            shown,
            lambda: render_part(
                request,
                TOPBAR_TEMPLATE,
                **shown.context(),
                languages=LANGUAGES,  # a constant
                csrf_input=CSRF_MARK,
                next_url=NEXT_MARK,
            ),
        )
        query = request.url.query
        next_url = escape(f"{path}?{query}" if query else path)
        return with_marks(part, csrf_input(request), next_url)


def render_part(request: Request, template: str, **context: Any) -> str:
    """A template rendered to text (a part of a page, to be kept; see tracker.fragments)."""
    engine = request.app.template_engine
    assert engine is not None
    return engine.get_template(template).render(**context)  # type: ignore[no-any-return]


def csrf_input(request: Request) -> str:
    """The hidden CSRF input of the request's forms, as Litestar gives templates."""
    token = ScopeState.from_scope(request.scope).csrf_token
    if not isinstance(token, str):  # none yet (Litestar's EMPTY)
        token = ""
    return f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />'


def redirect(path: str, flash: str | None = None) -> Redirect:
    cookies = []
    if flash:
        cookies.append(
            Cookie(key=FLASH_COOKIE, value=quote(flash), path="/", httponly=True, samesite="lax")
        )
    return Redirect(path=path, status_code=303, cookies=cookies)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site relative paths are followed after log-in (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


class Form:
    """A submitted form: trimmed values and the errors found, for re-rendering."""

    def __init__(self, data: Any, prefix: str = "") -> None:
        self.prefix = prefix  # keeps element ids unique when a page shows several forms
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        for key in data:
            value = data.get(key)
            self.values[key] = value.strip() if isinstance(value, str) else ""
            if hasattr(data, "getall"):
                self.lists[key] = [v.strip() for v in data.getall(key) if isinstance(v, str)]
        self.errors: dict[str, str] = {}

    def all(self, key: str) -> list[str]:
        """Every value of a repeated field (checkboxes, multi-selects)."""
        return self.lists.get(key) or ([self.values[key]] if self.values.get(key) else [])

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def require(self, field: str, message: str, max_length: int = 200) -> str:
        value = self.get(field)
        if not value:
            self.error(field, message)
        return self.limit(field, max_length)

    def limit(self, field: str, max_length: int) -> str:
        from tracker.i18n import gettext as _

        value = self.get(field)
        if len(value) > max_length:
            self.error(field, _("Use at most %(n)s characters.", n=max_length))
        return value

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def submitted(self) -> Submitted:
        """The plain values for a service (``tracker.values``)."""
        return Submitted(self.values, {k: tuple(v) for k, v in self.lists.items()})

    def absorb(self, error: TrackerError) -> Form:
        """Put a service's field errors beside their fields, and the values as it read them
        in their place (the form is shown again)."""
        for name, message in error.fields.items():
            self.error(name, message)
        self.values.update(error.values)
        return self


async def read_form(request: Request) -> Form:
    return Form(await request.form())
