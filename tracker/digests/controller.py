"""My digests (archive, preview, how often) and the organisation's digest settings and
deliveries (admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.accounts.tables import Organisation
from tracker.digests import mailer, rules, service
from tracker.digests.tables import Digest, EmailMessage
from tracker.i18n import get_language
from tracker.i18n import gettext as _
from tracker.onboarding import service as onboarding
from tracker.tenancy import OrgContext, by_record, needs
from tracker.web import Form, read_form, redirect, render


async def _org(ctx: OrgContext) -> dict[str, Any]:
    row = (
        await Organisation.select(
            Organisation.id, Organisation.name, Organisation.slug, Organisation.timezone
        )
        .where(Organisation.id == ctx.org_id)
        .first()
    )
    assert row is not None  # the organisation of the request exists
    return row


@get("/digests", name="digests")
async def digests(request: Request, ctx: OrgContext) -> Template:
    config = await service.setting(ctx.scope)
    archive = (
        await ctx.scope.select(
            Digest, Digest.id, Digest.subject, Digest.period_end, Digest.item_count
        )
        .where(Digest.person == ctx.person_id, Digest.item_count > 0)
        .order_by(Digest.period_end, ascending=False)
        .limit(100)
    )
    return render(
        request,
        "digests/archive.html",
        ctx=ctx,
        archive=archive,
        config=config,
        preference=await service.preference(ctx.scope, ctx.person_id),
        choices=rules.allowed_preferences(config["frequency"]),
    )


@post("/digests/preference", opt=by_record("the person's own digest frequency"))
async def set_preference(request: Request, ctx: OrgContext) -> Redirect:
    form = await read_form(request)
    config = await service.setting(ctx.scope)
    choice = form.get("frequency")
    # the person's own settings page (/account) sends them back there
    back = "/account" if form.get("next") == "/account" else f"/o/{ctx.slug}/digests"
    if choice not in rules.allowed_preferences(config["frequency"]):
        return redirect(back, _("Choose the organisation's frequency, a lower one, or none."))
    await service.set_preference(ctx.scope, ctx.person_id, choice)
    return redirect(back, _("Your digest preference is saved."))


@get("/digests/preview", name="digest_preview")
async def preview(request: Request, ctx: OrgContext) -> Template:
    org = await _org(ctx)
    person = {"id": ctx.person_id, "name": ctx.person_name, "email": ctx.person_email}
    sections, period, initiatives = await service.preview(
        ctx.scope, org, person, ctx.role, get_language(), datetime.now(UTC)
    )
    return render(
        request,
        "digests/preview.html",
        ctx=ctx,
        sections=sections,
        period=period,
        org=org,
        initiatives=initiatives,
        empty=not rules.worth_sending(sections),
    )


@get("/digests/{digest_id:int}", name="digest")
async def digest(request: Request, ctx: OrgContext, digest_id: int) -> Template:
    row = await ctx.scope.get(Digest, digest_id, *Digest.all_columns())
    if row["person"] != ctx.person_id:
        raise NotFoundException()  # another person's digest is as good as missing
    return render(request, "digests/digest.html", ctx=ctx, digest=row)


async def _settings_page(
    request: Request, ctx: OrgContext, form: Form | None = None, status_code: int = 200
) -> Template:
    config = await service.setting(ctx.scope)
    org = await _org(ctx)
    if form is None:
        form = Form(
            {
                "frequency": config["frequency"],
                "weekday": str(config["weekday"]),
                "hour": str(config["hour"]),
                "timezone": org["timezone"],
            }
        )
    deliveries = (
        await ctx.scope.select(
            EmailMessage,
            EmailMessage.id,
            EmailMessage.kind,
            EmailMessage.to_email,
            EmailMessage.subject,
            EmailMessage.status,
            EmailMessage.attempts,
            EmailMessage.last_error,
            EmailMessage.next_attempt_at,
            EmailMessage.sent_at,
            EmailMessage.created_at,
        )
        .order_by(EmailMessage.created_at, ascending=False)
        .limit(200)
    )
    problems = [
        d
        for d in deliveries
        if d["status"] in ("failed", "held", "cancelled")
        or (d["status"] == "pending" and d["attempts"])
    ]
    return render(
        request,
        "digests/settings.html",
        status_code=status_code,
        ctx=ctx,
        form=form,
        deliveries=deliveries,
        problems=problems,
        zones=sorted(available_timezones()),
    )


@get("/settings/digests", name="digest_settings", opt=needs(Action.MANAGE_ORG))
async def settings_page(request: Request, ctx: OrgContext) -> Template:
    return await _settings_page(request, ctx)


@post("/settings/digests", opt=needs(Action.MANAGE_ORG))
async def save_settings(request: Request, ctx: OrgContext) -> Template | Redirect:
    form = await read_form(request)
    frequency = form.get("frequency")
    if frequency not in rules.FREQUENCIES:
        form.error("frequency", _("Choose daily, weekly or monthly."))
    weekday, hour = form.get("weekday"), form.get("hour")
    if not weekday.isdigit() or not 0 <= int(weekday) <= 6:
        form.error("weekday", _("Choose a day of the week."))
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        form.error("hour", _("Choose an hour from 0 to 23."))
    timezone = form.get("timezone")
    try:
        ZoneInfo(timezone)
        if timezone not in available_timezones():
            raise ValueError(timezone)
    except (ValueError, KeyError):
        form.error("timezone", _("Choose a time zone such as Asia/Shanghai."))
    if not form.ok:
        return await _settings_page(request, ctx, form, 422)
    from tracker.digests.tables import DigestSetting

    await service.setting(ctx.scope)
    await ctx.scope.update(
        DigestSetting,
        {
            DigestSetting.frequency: frequency,
            DigestSetting.weekday: int(weekday),
            DigestSetting.hour: int(hour),
            DigestSetting.saved_at: datetime.now(UTC),
        },
    )
    await Organisation.update({Organisation.timezone: timezone}).where(
        Organisation.id == ctx.org_id
    )
    onboarding.forget(ctx.org_id)
    return redirect(f"/o/{ctx.slug}/settings/digests", _("Digest settings saved."))


@post("/settings/deliveries/{message_id:int}/retry", opt=needs(Action.MANAGE_ORG))
async def retry(request: Request, ctx: OrgContext, message_id: int) -> Redirect:
    if not await mailer.retry(message_id, ctx.org_id):
        raise NotFoundException()
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is not None:
        await dispatcher.kick()
    return redirect(f"/o/{ctx.slug}/settings/digests", _("The message will be sent again."))


ROUTES = [digests, set_preference, preview, digest, settings_page, save_settings, retry]
