"""The audit trail's pages: a record's History (every member who can read the record) and the
organisation's audit page with its export (admins)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template

from tracker.accounts.rules import Action
from tracker.audit import labels as audit_labels
from tracker.audit import rules, service
from tracker.i18n import gettext as _
from tracker.spreadsheets import Table, download
from tracker.tenancy import OrgContext, needs
from tracker.web import render


@get("/history/{kind:str}/{record_id:int}", name="audit_history")
async def history_page(
    request: Request, ctx: OrgContext, kind: str, record_id: int, after: str = ""
) -> Template:
    subject = rules.HISTORY_SUBJECTS.get(kind)
    if subject is None:
        raise NotFoundException()
    title = await service.record_title(ctx.org_id, subject, record_id)
    entries, last = await service.history(
        ctx.org_id, subject, record_id, rules.decode_cursor(after)
    )
    return render(
        request,
        "audit/history.html",
        ctx=ctx,
        kind=kind,
        record_id=record_id,
        title=title,
        back=f"/o/{ctx.slug}/{BACK[kind]}/{record_id}",
        entries=entries,
        next_page=f"?after={rules.encode_cursor(last)}" if last else None,
    )


BACK = {
    "initiative": "initiatives",
    "problem": "problems",
    "risk": "risks",
    "pilot": "pilots",
    "sop-document": "sop-documents",
    "sop-version": "sop-versions",
    "training-session": "training-sessions",
    "kpi": "kpis",
}


def _filters(
    person: str, kind: str, since: str, until: str
) -> tuple[rules.Filters, list[str], dict[str, str]]:
    filters, problems = rules.parse_filters(person, kind, since, until)
    query = {"person": person, "kind": kind, "since": since, "until": until}
    return filters, problems, {k: v for k, v in query.items() if v}


@get("/settings/audit", name="audit_page", opt=needs(Action.MANAGE_ORG))
async def audit_page(
    request: Request,
    ctx: OrgContext,
    person: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
    after: str = "",
) -> Template:
    filters, problems, query = _filters(person, kind, since, until)
    entries, last = await service.org_page(ctx.org_id, filters, rules.decode_cursor(after))
    return render(
        request,
        "audit/page.html",
        status_code=422 if problems else 200,
        ctx=ctx,
        entries=entries,
        people=await service.people(ctx.org_id),
        kinds=[(k, audit_labels.kind_label(k)) for k in rules.KINDS],
        query={"person": person, "kind": kind, "since": since, "until": until},
        problems=problems,
        export_query=urlencode(query),
        next_page=(
            "?" + urlencode({**query, "after": rules.encode_cursor(last)}) if last else None
        ),
    )


@get("/settings/audit/export/{fmt:str}", name="audit_export", opt=needs(Action.MANAGE_ORG))
async def audit_export(
    ctx: OrgContext, fmt: str, person: str = "", kind: str = "", since: str = "", until: str = ""
) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise NotFoundException()
    filters, _problems, _query = _filters(person, kind, since, until)
    entries = await service.export(ctx.org_id, filters)
    table = Table(
        title=_("Audit trail"),
        headers=[
            _("When (UTC)"),
            _("Who"),
            _("Record"),
            _("Record id"),
            _("Change"),
            _("Field"),
            _("Before"),
            _("After"),
        ],
        rows=[
            [
                e.at,
                e.who,
                e.what,
                e.row_id,
                e.operation,
                line.field,
                _("(secret, changed)") if line.secret else line.old,
                "" if line.secret else line.new,
            ]
            for e in entries
            for line in (e.lines or [service.Line("", "", "", False)])
        ],
    )
    return download(table, fmt, f"audit-{ctx.slug}")


ROUTES = [history_page, audit_page, audit_export]
