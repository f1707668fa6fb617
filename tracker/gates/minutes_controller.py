"""The minutes of a gate review: a print page (every role of the organisation may read it, as
the review page) and, once the review is decided, a PDF of the same page."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import HTTPException
from litestar.response import Template

from tracker.gates import minutes as service
from tracker.gates import rules
from tracker.i18n import get_language
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext
from tracker.web import render, render_part


def _context(ctx: OrgContext, m: service.Minutes, pdf: bool) -> dict[str, Any]:
    return {
        "ctx": ctx,
        "m": m,
        "view": m.view,
        "pdf": pdf,
        "condition_plans": rules.decode_conditions,
    }


@get("/reviews/{review_id:int}/minutes", name="review_minutes")
async def minutes_page(request: Request, ctx: OrgContext, review_id: int) -> Template:
    m = await service.minutes(ctx, review_id)
    return render(request, "gates/minutes.html", **_context(ctx, m, pdf=False))


@get("/reviews/{review_id:int}/minutes.pdf", name="review_minutes_pdf")
async def minutes_pdf(request: Request, ctx: OrgContext, review_id: int) -> Response[bytes]:
    m = await service.minutes(ctx, review_id)
    if not m.decided:
        raise HTTPException(
            status_code=409,
            detail=_("Minutes are issued once the review is decided; print the draft instead."),
        )
    html = render_part(
        request,
        "gates/minutes.html",
        language=get_language(),
        **_context(ctx, m, pdf=True),
    )
    try:
        pdf = await service.pdf_bytes(html)
    except OSError:  # WeasyPrint's libraries (pango) are missing on this server
        raise HTTPException(
            status_code=503,
            detail=_("The PDF cannot be made on this server; print the page instead."),
        ) from None
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{service.pdf_filename(m)}"',
            "Cache-Control": "private, no-store",
            "Vary": "Cookie, Accept-Language",
        },
    )


ROUTES = [minutes_page, minutes_pdf]
