"""The live part of a review page: who has responded and (for those who may see it) the
tally, fetched again whenever the review's live event arrives (``tracker.live``)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from tracker.gates import common, review_data, rules
from tracker.tenancy import OrgContext
from tracker.web import render

SHOWN_STATES = ("open", "awaiting_chair", "approving", "decided")


@get("/reviews/{review_id:int}/live", name="review_live")
async def review_live(
    request: Request, ctx: OrgContext, review_id: int, shown: str = "open"
) -> Template:
    """The same independence rule as the page: a reviewer who has not voted sees who has
    responded, never the others' scores."""
    view = await review_data.review_view(ctx, review_id)
    members = await common.member_choices(ctx.org_id)
    return render(
        request,
        "gates/_review_live_response.html",
        ctx=ctx,
        view=view,
        shown_status=shown if shown in SHOWN_STATES else "open",
        member_names={m["id"]: m["name"] for m in members},
        condition_plans=rules.decode_conditions,
    )


ROUTES = [review_live]
