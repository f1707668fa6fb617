"""Settings › API tokens: admins create (shown once), list and revoke their organisation's
tokens."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.api import tokens
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, read_form, redirect, render


async def _page(
    request: Request,
    ctx: OrgContext,
    form: Form | None = None,
    secret: str | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "api/tokens.html",
        status_code=status_code,
        ctx=ctx,
        tokens=await tokens.tokens(ctx.scope),
        form=form or Form({"scope": "read"}),
        secret=secret,
        base_url=str(request.base_url).rstrip("/"),
    )


@get("/settings/api-tokens", name="api_tokens", opt=needs(Action.MANAGE_ORG))
async def token_page(request: Request, ctx: OrgContext) -> Template:
    return await _page(request, ctx)


@post("/settings/api-tokens", opt=needs(Action.MANAGE_ORG))
async def create_token(request: Request, ctx: OrgContext) -> Template:
    form = await read_form(request)
    try:
        secret = await tokens.create(ctx.scope, form.submitted, ctx.person_id)
    except Invalid as error:
        return await _page(request, ctx, form.absorb(error), status_code=422)
    return await _page(request, ctx, secret=secret, status_code=201)


@post("/settings/api-tokens/{token_id:int}/revoke", opt=needs(Action.MANAGE_ORG))
async def revoke_token(request: Request, ctx: OrgContext, token_id: int) -> Redirect:
    await tokens.revoke(ctx.scope, token_id)
    return redirect(f"/o/{ctx.slug}/settings/api-tokens", _("Token revoked."))


ROUTES = [token_page, create_token, revoke_token]
