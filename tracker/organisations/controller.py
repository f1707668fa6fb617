"""Organisation settings: members and their roles, invitations, the defaults' language."""

from __future__ import annotations

import secrets

from litestar import Request, get, post
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.response import Redirect, Template

from tracker.accounts import service
from tracker.accounts.rules import TWO_FACTOR_RULES, Action, Role
from tracker.accounts.tables import Invitation, Organisation, Person
from tracker.auth import token_hash
from tracker.digests.reminders import queue_invitation
from tracker.errors import Invalid
from tracker.i18n import LANGUAGES, get_language, language, language_names
from tracker.i18n import gettext as _
from tracker.onboarding import service as onboarding
from tracker.organisations import shipped
from tracker.settings import get_settings
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, read_form, redirect, render


async def _members_page(
    request: Request,
    ctx: OrgContext,
    form: Form | None = None,
    status_code: int = 200,
    invitation_link: str | None = None,
    error: str | None = None,
    mail_delayed: bool = False,
) -> Template:
    return render(
        request,
        "organisations/members.html",
        status_code=status_code,
        ctx=ctx,
        members=await service.members(ctx.org_id),
        invitations=await service.pending_invitations(ctx.org_id),
        roles=list(Role),
        form=form or Form({"role": Role.MEMBER}),
        invitation_link=invitation_link,
        error=error,
        mail_delayed=mail_delayed,
        require_2fa=await two_factor_rule(ctx.org_id),
        two_factor_rules=TWO_FACTOR_RULES,
    )


@get("/settings/members", name="members", opt=needs(Action.MANAGE_ORG))
async def members(request: Request, ctx: OrgContext) -> Template:
    return await _members_page(request, ctx)


@post("/settings/invitations", opt=needs(Action.MANAGE_ORG))
async def invite(request: Request, ctx: OrgContext) -> Template:
    form = await read_form(request)
    try:
        invited = await service.invite(ctx.org_id, ctx.person_id, form.submitted)
    except Invalid as error:
        return await _members_page(request, ctx, form.absorb(error), status_code=422)
    link = f"{get_settings().base_url}/invite/{invited.token}"
    invitation = (
        await Invitation.select(Invitation.id)
        .where(Invitation.token_hash == token_hash(invited.token))
        .first()
    )
    assert invitation is not None
    onboarding.forget(ctx.org_id)
    # someone who already has an account reads it in their language; others in the inviter's
    known = await Person.select(Person.language).where(Person.email == invited.email).first()
    with language((known or {}).get("language") or get_language()):
        await queue_invitation(
            ctx.org_id,
            invitation["id"],
            invited.email,
            ctx.membership.name,
            ctx.person_name,
        )
    dispatcher = getattr(request.app.state, "dispatcher", None)
    delayed = dispatcher is not None and bool(dispatcher.redis_url) and not await dispatcher.kick()
    return await _members_page(request, ctx, invitation_link=link, mail_delayed=delayed)


@post("/settings/invitations/{invitation_id:int}/resend", opt=needs(Action.MANAGE_ORG))
async def resend(request: Request, ctx: OrgContext, invitation_id: int) -> Template:
    """Send an open invitation again, with a new link (the old link stops working)."""
    invitation = await service.renew_invitation_link(ctx.org_id, invitation_id)
    if invitation is None:
        raise NotFoundException()
    again = f":{secrets.token_hex(4)}"
    await queue_invitation(
        ctx.org_id, invitation_id, invitation["email"], ctx.membership.name, ctx.person_name, again
    )
    link = await service.invitation_link(invitation_id)
    return await _members_page(request, ctx, invitation_link=link)


@post("/settings/invitations/{invitation_id:int}/revoke", opt=needs(Action.MANAGE_ORG))
async def revoke(ctx: OrgContext, invitation_id: int) -> Redirect:
    if not await service.revoke_invitation(ctx.org_id, invitation_id):
        raise NotFoundException()
    return redirect(f"/o/{ctx.slug}/settings/members", _("Invitation revoked."))


@post("/settings/members/{membership_id:int}/role", opt=needs(Action.MANAGE_ORG))
async def change_role(request: Request, ctx: OrgContext, membership_id: int) -> Template | Redirect:
    form = await read_form(request)
    error = await service.change_role(ctx.org_id, membership_id, form.get("role"))
    if error == "missing":
        raise NotFoundException()
    if error:
        return await _members_page(request, ctx, status_code=409, error=error)
    return redirect(f"/o/{ctx.slug}/settings/members", _("Role changed."))


async def two_factor_rule(org_id: int) -> str:
    row = (
        await Organisation.select(Organisation.require_2fa).where(Organisation.id == org_id).first()
    )
    return row["require_2fa"] if row else "none"


@post("/settings/two-factor", opt=needs(Action.MANAGE_ORG))
async def set_two_factor(request: Request, ctx: OrgContext) -> Redirect:
    """Who must log in with a second factor: nobody (by choice), the admins, or everyone."""
    form = await read_form(request)
    rule = form.get("require_2fa")
    if rule not in TWO_FACTOR_RULES:
        raise ValidationException(_("Choose who must use two-factor log-in."))
    await Organisation.update({Organisation.require_2fa: rule}).where(Organisation.id == ctx.org_id)
    return redirect(f"/o/{ctx.slug}/settings/members", _("Two-factor log-in rule saved."))


@post("/settings/defaults-language", opt=needs(Action.MANAGE_ORG))
async def defaults_language(request: Request, ctx: OrgContext) -> Redirect:
    """Switch the language of the shipped defaults (Settings › Gates)."""
    form = await read_form(request)
    language = form.get("language")
    if language not in LANGUAGES:
        raise ClientException(_("Choose English or Chinese."))
    changed = await shipped.switch_language(ctx.scope, language)
    return redirect(
        f"/o/{ctx.slug}/settings/gates",
        _(
            "The shipped defaults are now in %(language)s (%(n)s texts changed).",
            language=language_names()[language],
            n=changed,
        ),
    )


ROUTES = [members, invite, resend, revoke, change_role, set_two_factor, defaults_language]
