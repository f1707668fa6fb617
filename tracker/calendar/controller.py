"""Calendar pages: the Calendar section of an organisation (make, reset or stop one's feed; an
admin's organisation feed) and the feed itself, read by calendar apps without a session."""

from __future__ import annotations

import hashlib

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.calendar import rules, service
from tracker.i18n import gettext as _
from tracker.i18n import language, pick_language
from tracker.settings import get_settings
from tracker.tenancy import OrgContext, by_record, needs
from tracker.web import redirect, render


def _feed_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/calendar/{token}{rules.SUFFIX}"


async def _page(
    request: Request, ctx: OrgContext, new_kind: str | None = None, new_url: str | None = None
) -> Template:
    return render(
        request,
        "calendar/feeds.html",
        ctx=ctx,
        feeds=await service.feeds_of(ctx),
        may_org=ctx.can(Action.MANAGE_ORG),
        new_kind=new_kind,
        new_url=new_url,
    )


@get("/calendar", name="calendar")
async def calendar_page(request: Request, ctx: OrgContext) -> Template:
    return await _page(request, ctx)


async def _reset(request: Request, ctx: OrgContext, kind: str) -> Template:
    token = await service.reset(ctx, kind)
    # shown once, on this page: only its hash is kept
    return await _page(request, ctx, kind, _feed_url(token))


async def _stop(ctx: OrgContext, kind: str) -> Redirect:
    await service.stop(ctx, kind)
    return redirect(f"/o/{ctx.slug}/calendar", _("The calendar feed is stopped."))


@post("/calendar/reset", opt=by_record("the person's own calendar feed"))
async def reset_my_feed(request: Request, ctx: OrgContext) -> Template:
    """Every member has a feed of what concerns them (a viewer too)."""
    return await _reset(request, ctx, "person")


@post("/calendar/stop", opt=by_record("the person's own calendar feed"))
async def stop_my_feed(ctx: OrgContext) -> Redirect:
    return await _stop(ctx, "person")


@post("/calendar/org/reset", opt=needs(Action.MANAGE_ORG))
async def reset_org_feed(request: Request, ctx: OrgContext) -> Template:
    return await _reset(request, ctx, "org")


@post("/calendar/org/stop", opt=needs(Action.MANAGE_ORG))
async def stop_org_feed(ctx: OrgContext) -> Redirect:
    return await _stop(ctx, "org")


@get("/calendar/{segment:str}", name="calendar_feed")
async def calendar_feed(request: Request, segment: str) -> Response[bytes]:
    """The feed: its token is the credential (no session). A token that is unknown, reset or
    stopped, or whose person left the organisation, answers 404 like any unknown address."""
    token = rules.token_from_path(segment)
    feed = await service.feed_for_token(token) if token else None
    if feed is None:
        raise NotFoundException()
    settings = get_settings()
    with language(pick_language(feed.language, None)):
        specs = await service.events(feed, settings.base_url.rstrip("/"))
        name = (
            _("%(org)s: gate calendar", org=feed.org_name)
            if feed.kind == "org"
            else _("%(org)s: my gate calendar", org=feed.org_name)
        )
        body = rules.to_ics(specs, name, feed.zone, _host(settings.base_url))
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(content=b"", status_code=304, headers=headers)
    return Response(
        content=body,
        media_type="text/calendar; charset=utf-8",
        headers={**headers, "Content-Disposition": 'inline; filename="gates.ics"'},
    )


def _host(base_url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(base_url).hostname or "tracker.localhost"


ORG_ROUTES = [calendar_page, reset_my_feed, stop_my_feed, reset_org_feed, stop_org_feed]
PUBLIC_ROUTES = [calendar_feed]
