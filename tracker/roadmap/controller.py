"""The roadmap: a timeline across initiatives, filtered as the board is."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get
from litestar.response import Template

from tracker.initiatives import board
from tracker.initiatives import service as initiatives
from tracker.initiatives.rules import ProcessClass, Status
from tracker.roadmap import rules, service
from tracker.tenancy import OrgContext
from tracker.web import is_fragment_request, render


async def _timeline(
    ctx: OrgContext, flt: board.BoardFilter, zoom: str, start: str, rows: int
) -> dict[str, Any]:
    """What the timeline shows: the window, its ticks, a page of rows and how many in all."""
    today = date.today()
    win = rules.window(zoom, today, start)
    limit = min(max(rows, rules.PAGE), rules.MAX_ROWS)
    shown, total = await service.rows(ctx.scope, flt, win, today, limit)
    return {
        "ctx": ctx,
        "filter": flt,
        "win": win,
        "ticks": rules.ticks(win),
        "rows": shown,
        "total": total,
        "limit": limit,
        "page": rules.PAGE,
        "row_height": rules.ROW_HEIGHT,
        "today_x": win.x(today) if win.shows(today) else None,
        "start": start,
    }


@get("/roadmap", name="roadmap")
async def roadmap_page(
    request: Request, ctx: OrgContext, zoom: str = "month", start: str = "", rows: int = 0
) -> Template:
    flt = board.BoardFilter.from_query(request.query_params)
    context = await _timeline(ctx, flt, zoom, start, rows)
    if is_fragment_request(request):
        return render(request, "roadmap/_timeline.html", **context)
    return render(
        request,
        "roadmap/page.html",
        **context,
        owners=await initiatives.owner_choices(ctx.org_id),
        departments=await board.departments(ctx.scope),
        statuses=list(Status),
        process_classes=list(ProcessClass),
    )


ROUTES = [roadmap_page]
