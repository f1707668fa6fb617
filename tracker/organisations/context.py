"""Resolve the organisation of a request once: the URL's slug and the person's membership."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException

from tracker.accounts.rules import must_use_two_factor
from tracker.accounts.service import memberships_of
from tracker.tenancy import NEEDS, OrgContext
from tracker.web import require_person


class TwoFactorRequired(PermissionDeniedException):
    """The organisation requires two-factor log-in of this person's role: enrol first."""


async def provide_org_context(request: Request, org_slug: str) -> OrgContext:
    """All the person's memberships (the switcher needs them anyway): one query, or none
    behind the tenant wall, where they came with the person.

    An unknown slug and an organisation the person does not belong to answer the same 404.
    """
    person = require_person(request)
    state = request.scope["state"]
    # Behind the tenant wall the memberships came with the person (auth.identify_walled).
    memberships = state.get("memberships")
    if memberships is None:
        memberships = await memberships_of(person.id)
    for membership in memberships:
        if membership.slug == org_slug:
            if not person.two_factor and must_use_two_factor(
                membership.role, membership.require_2fa
            ):
                raise TwoFactorRequired()
            ctx = OrgContext(
                person_id=person.id,
                person_name=person.name,
                person_email=person.email,
                membership=membership,
                memberships=tuple(memberships),
                board_revision=state.get("board_revision"),
                board_parts=state.get("board_parts"),
            )
            state["org"] = ctx
            action = request.route_handler.opt.get(NEEDS)
            if action is not None:
                ctx.require(action)
            return ctx
    raise NotFoundException()
