"""The minutes (会议纪要) of a gate review: what the print page and the PDF show, and the PDF
itself, made with WeasyPrint in a worker thread.

The minutes read the review page's data (``review_data.review_view``: the same independence
rule, so a reviewer who has not voted sees no other scores on an open review's draft) and one
more query: the organisation, the reader's time zone, the chair's and the lead's names and the
planned end of the phase the decision moved to (the next gate's date when the decision set
none).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
import anyio.to_thread

from tracker.gates import minutes_rules
from tracker.gates.queries import MINUTES_NAMES
from tracker.gates.review_data import ReviewView, review_view
from tracker.tenancy import OrgContext

STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC / "minutes.css"


@dataclass
class Minutes:
    view: ReviewView
    attendance: minutes_rules.Attendance
    decided: bool
    org_name: str
    chair: str | None
    lead: str | None
    next_gate: date | None
    meeting_date: date  # the decision's date (the request's for an open review), reader's zone
    decided_at: datetime | None  # in the reader's time zone
    zone: str
    generated_at: datetime


def _zone(*names: str | None) -> ZoneInfo:
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _attendance(view: ReviewView) -> minutes_rules.Attendance:
    if view.show_tally:
        return minutes_rules.attendance(view.reviewers, view.votes)
    # a reviewer who has not voted yet on an open review: who voted, never how
    return minutes_rules.Attendance(
        [r["reviewer.name"] for r in view.reviewers if r["voted"]],
        [],
        [r["reviewer.name"] for r in view.reviewers if not r["voted"]],
    )


async def minutes(ctx: OrgContext, review_id: int) -> Minutes:
    view = await review_view(ctx, review_id)
    review, decision = view.review, view.decision
    chair = minutes_rules.chair_id(
        decision["method"] if decision else None,
        decision["decided_by"] if decision else None,
        view.rule.get("chair"),
    )
    rows = await ctx.scope.fetch(
        MINUTES_NAMES,
        me=ctx.person_id,
        chair=chair if isinstance(chair, int) else None,
        lead=review["initiative.owner"],
        initiative=review["initiative"],
        phase=decision["to_phase"] if decision else 0,
    )
    extra = dict(rows[0])
    zone = _zone(extra["my_zone"], extra["org_zone"])
    decided_at = decision["decided_at"].astimezone(zone) if decision else None
    for v in view.votes:
        v["local_at"] = v["submitted_at"].astimezone(zone)
    requested_at = review["requested_at"]
    meeting = decided_at.date() if decided_at else requested_at.astimezone(zone).date()
    return Minutes(
        view=view,
        attendance=_attendance(view),
        decided=decision is not None,
        org_name=extra["org_name"],
        chair=extra["chair_name"],
        lead=extra["lead_name"],
        next_gate=minutes_rules.next_gate_date(
            decision["outcome"] if decision else None,
            decision["next_gate_date"] if decision else None,
            extra["next_end"],
        ),
        meeting_date=meeting,
        decided_at=decided_at,
        zone=zone.key,
        generated_at=datetime.now(zone),
    )


# --- the PDF ------------------------------------------------------------------------------

# One PDF at a time per process: WeasyPrint holds the document's layout and the fonts it
# subsets (the CJK faces are large) in memory while it works; a second request waits its turn.
_limiter: anyio.CapacityLimiter | None = None
# Decided minutes change rarely (a condition closed, a correction): the PDF of the same HTML is
# kept, a few of them, so printing the same minutes again costs no second layout (the PDF says
# the day it was printed, not the minute, so the same minutes read again on the day match).
_KEPT = 8
_kept: OrderedDict[str, bytes] = OrderedDict()


def _write_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # The minutes load nothing by address (no image, stylesheet or font; never a server-side
    # request to an address an evidence link names): every protocol is refused.
    document = HTML(string=html, base_url=str(STATIC), url_fetcher=URLFetcher(allowed_protocols=()))
    pdf = document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
    assert pdf is not None
    return bytes(pdf)


async def pdf_bytes(html: str) -> bytes:
    """The PDF of the minutes' HTML, laid out in a worker thread (the event loop goes on)."""
    global _limiter
    key = hashlib.sha256(html.encode()).hexdigest()
    if key in _kept:
        _kept.move_to_end(key)
        return _kept[key]
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    pdf = await anyio.to_thread.run_sync(_write_pdf, html, limiter=_limiter)
    _kept[key] = pdf
    while len(_kept) > _KEPT:
        _kept.popitem(last=False)
    return pdf


def pdf_filename(minutes: Minutes) -> str:
    review = minutes.view.review
    code = "".join(
        ch for ch in str(review["initiative.process_code"]) if ch.isalnum() or ch in "-_"
    )
    return f"minutes-{code or 'review'}-gate{review['gate']}-{minutes.meeting_date.isoformat()}.pdf"
