"""Leaving an organisation, and an admin removing someone's membership: a page that says
what will happen to their open work, then the action, then what happened."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.organisations import membership
from tracker.tenancy import OrgContext, by_record, needs
from tracker.web import redirect, render


async def _own_membership_id(ctx: OrgContext) -> int:
    from tracker.accounts.tables import Membership

    row = (
        await ctx.scope.select(Membership, Membership.id)
        .where(Membership.person == ctx.person_id)
        .first()
    )
    if row is None:
        raise NotFoundException()
    return int(row["id"])


@get("/leave", name="leave")
async def leave_page(request: Request, ctx: OrgContext) -> Template:
    plan = await membership.plan(ctx.org_id, await _own_membership_id(ctx), ctx.person_id)
    assert plan is not None
    return render(
        request,
        "organisations/leave.html",
        ctx=ctx,
        plan=plan,
        lines=membership.summary(plan, yours=True),
    )


@post("/leave", opt=by_record("the person's own membership"))
async def leave(request: Request, ctx: OrgContext) -> Template | Redirect:
    done = await membership.carry_out(ctx.org_id, await _own_membership_id(ctx), ctx.person_id)
    assert done is not None
    if done.refused:
        return render(
            request,
            "organisations/leave.html",
            status_code=409,
            ctx=ctx,
            plan=done,
            lines=[],
        )
    message = " ".join([_("You left %(org)s.", org=ctx.membership.name), *membership.summary(done)])
    return redirect("/orgs", message)


@get(
    "/settings/members/{membership_id:int}/remove",
    name="remove_member",
    opt=needs(Action.MANAGE_ORG),
)
async def remove_page(request: Request, ctx: OrgContext, membership_id: int) -> Template:
    plan = await membership.plan(ctx.org_id, membership_id, ctx.person_id)
    if plan is None:
        raise NotFoundException()
    return render(
        request, "organisations/remove.html", ctx=ctx, plan=plan, lines=membership.summary(plan)
    )


@post("/settings/members/{membership_id:int}/remove", opt=needs(Action.MANAGE_ORG))
async def remove(request: Request, ctx: OrgContext, membership_id: int) -> Template | Redirect:
    done = await membership.carry_out(ctx.org_id, membership_id, ctx.person_id)
    if done is None:
        raise NotFoundException()
    if done.refused:
        return render(
            request, "organisations/remove.html", status_code=409, ctx=ctx, plan=done, lines=[]
        )
    message = " ".join(
        [_("%(name)s is no longer a member.", name=done.person_name), *membership.summary(done)]
    )
    if done.person_id == ctx.person_id:  # an admin who removed themselves is out
        return redirect("/orgs", message)
    return redirect(f"/o/{ctx.slug}/settings/members", message)


ROUTES = [leave_page, leave, remove_page, remove]
