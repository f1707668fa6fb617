"""The notification centre (a person's own notifications in one organisation), the bell's
fragment, and the preferences under "Your settings"."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.service import memberships_of
from tracker.db import tenant_transaction
from tracker.i18n import gettext as _
from tracker.notifications import rules, service, texts
from tracker.tenancy import MAX_ID, OrgContext, by_record
from tracker.web import read_form, redirect, render, require_person, safe_next


@get("/notifications", name="notifications")
async def centre(request: Request, ctx: OrgContext, before: int | None = None) -> Template:
    """Newest first, grouped by day in the person's time zone, a page at a time."""
    if before is not None and not 0 < before <= MAX_ID:
        raise NotFoundException()
    rows = await service.page(ctx.org_id, ctx.person_id, before)
    more = len(rows) > rules.PAGE_SIZE
    rows = rows[: rules.PAGE_SIZE]
    timezone = rows[0]["person.timezone"] if rows else None
    return render(
        request,
        "notifications/centre.html",
        ctx=ctx,
        days=rules.by_day(rows, timezone),
        headline=texts.headline,
        older=rows[-1]["id"] if more else None,
        before=before,
    )


@get("/notifications/bell", name="notifications_bell")
async def bell(request: Request, ctx: OrgContext) -> Template:
    """The bell with the unread count (it came with the person: no query of its own)."""
    return render(request, "notifications/_bell.html", ctx=ctx)


@get("/notifications/{notification_id:int}/open", name="notification_open")
async def open_one(ctx: OrgContext, notification_id: int) -> Redirect:
    """Straight to the thing, the notification marked read on the way."""
    if not 0 < notification_id <= MAX_ID:
        raise NotFoundException()
    url = await service.target_of(ctx.org_id, ctx.person_id, notification_id)
    if url is None:
        raise NotFoundException()
    await service.mark_read(ctx.org_id, ctx.person_id, notification_id)
    return Redirect(safe_next(url, f"/o/{ctx.slug}/notifications"), status_code=303)


@post("/notifications/{notification_id:int}/read", opt=by_record("the person's own notifications"))
async def read_one(request: Request, ctx: OrgContext, notification_id: int) -> Template | Redirect:
    if not 0 < notification_id <= MAX_ID or not await service.target_of(
        ctx.org_id, ctx.person_id, notification_id
    ):
        raise NotFoundException()
    await service.mark_read(ctx.org_id, ctx.person_id, notification_id)
    return redirect(f"/o/{ctx.slug}/notifications", _("Marked as read."))


@post("/notifications/read-all", opt=by_record("the person's own notifications"))
async def read_all(ctx: OrgContext) -> Redirect:
    changed = await service.mark_read(ctx.org_id, ctx.person_id)
    return redirect(
        f"/o/{ctx.slug}/notifications",
        _("All notifications are marked as read.") if changed else _("Nothing was unread."),
    )


# --- preferences (a section of "Your settings") -------------------------------------------


async def _preference_rows(person_id: int) -> list[dict[str, Any]]:
    rows = []
    for m in await memberships_of(person_id):
        async with tenant_transaction(m.org_id, person_id):
            rows.append({"membership": m, "choices": await service.choices(m.org_id, person_id)})
    return rows


@get("/account/notifications", name="notification_settings")
async def preferences(request: Request) -> Template:
    person = require_person(request)
    return render(
        request,
        "notifications/preferences.html",
        rows=await _preference_rows(person.id),
        kinds=rules.KINDS,
        channels=rules.CHANNELS,
        kind_label=texts.kind_label,
        channel_label=texts.channel_label,
        errors={},
    )


@post("/account/notifications")
async def save_preferences(request: Request) -> Template | Redirect:
    """One organisation's choices (the form names it); a value that is not a channel comes
    back beside its kind, nothing saved."""
    person = require_person(request)
    form = await read_form(request)
    org = form.get("org")
    membership = next(
        (m for m in await memberships_of(person.id) if str(m.org_id) == org and org.isdigit()),
        None,
    )
    if membership is None:
        raise NotFoundException()
    chosen, bad = rules.parse_choices(form.values)
    if bad:
        rows = await _preference_rows(person.id)
        return render(
            request,
            "notifications/preferences.html",
            status_code=422,
            rows=rows,
            kinds=rules.KINDS,
            channels=rules.CHANNELS,
            kind_label=texts.kind_label,
            channel_label=texts.channel_label,
            errors={
                membership.org_id: {kind: _("Choose one of the offered ways.") for kind in bad}
            },
        )
    async with tenant_transaction(membership.org_id, person.id):
        await service.save_choices(membership.org_id, person.id, chosen)
    return redirect(
        "/account/notifications",
        _("Your notification settings for %(org)s are saved.", org=membership.name),
    )


ROUTES = [centre, bell, open_one, read_one, read_all]
ACCOUNT_ROUTES = [preferences, save_preferences]
