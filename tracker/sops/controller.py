"""SOP pages: the SOPs of an initiative and of the organisation, a version with its steps,
RACI grid and approvals, its header, its life (submitted, decided, published, revised), the
version log, the diff between two versions, the print page and the RACI export. Editing the
steps and the grid in place is ``editing_controller``'s."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Invalid, NotFound
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.registers.pages import can_write, initiative_header
from tracker.sops import documents, lifecycle, versions
from tracker.spreadsheets import download
from tracker.tenancy import OrgContext, by_record, needs
from tracker.web import Form, read_form, redirect, render


async def _initiative_page(
    request: Request,
    ctx: OrgContext,
    initiative_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    initiative = await initiative_header(ctx, initiative_id)
    return render(
        request,
        "sops/list.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        documents=await documents.documents(ctx.scope, initiative_id),
        form=form
        or Form({"number": await documents.suggest_number(ctx.scope, initiative["process_code"])}),
        can_write=can_write(ctx),
        tab="sops",
    )


@get("/initiatives/{initiative_id:int}/sops", name="initiative_sops")
async def initiative_sops(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _initiative_page(request, ctx, initiative_id)


@post("/initiatives/{initiative_id:int}/sops", opt=needs(Action.WRITE_REGISTER))
async def create_sop(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        version_id = await documents.create_document(
            ctx.scope, initiative_id, form.submitted, ctx.person_id
        )
    except Invalid as error:
        return await _initiative_page(request, ctx, initiative_id, form.absorb(error), 422)
    return redirect(
        f"/o/{ctx.slug}/sop-versions/{version_id}", _("SOP created: add its steps to V1.0.")
    )


@get("/sops", name="sops")
async def all_sops(request: Request, ctx: OrgContext) -> Template:
    return render(request, "sops/all.html", ctx=ctx, documents=await documents.documents(ctx.scope))


async def _document_page(
    request: Request,
    ctx: OrgContext,
    document_id: int,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    view = await documents.document_view(ctx.scope, document_id)
    doc = view["doc"]
    return render(
        request,
        "sops/document.html",
        status_code=status_code,
        ctx=ctx,
        **view,
        initiative={
            "id": doc["initiative"],
            "process_code": doc["initiative.process_code"],
            "name": doc["initiative.name"],
        },
        form=form or Form({"kind": "minor"}),
        can_write=can_write(ctx),
        tab="sops",
    )


@get("/sop-documents/{document_id:int}", name="sop_document")
async def document_page(request: Request, ctx: OrgContext, document_id: int) -> Template:
    return await _document_page(request, ctx, document_id)


@post("/sop-documents/{document_id:int}/revisions", opt=needs(Action.WRITE_REGISTER))
async def revise(request: Request, ctx: OrgContext, document_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        version_id = await lifecycle.revise(ctx, document_id, form.submitted)
    except Invalid as error:
        return await _document_page(request, ctx, document_id, form.absorb(error), 422)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", _("Revision started as a draft."))


@get("/sop-documents/{document_id:int}/diff", name="sop_diff")
async def diff_page(
    request: Request, ctx: OrgContext, document_id: int, old: int = 0, new: int = 0
) -> Template:
    view = await documents.document_view(ctx.scope, document_id)
    versions = view["versions"]
    if not old or not new:
        if len(versions) < 2:
            raise NotFound()
        new, old = versions[0]["id"], versions[1]["id"]
    before, after, changes = await lifecycle.diff(ctx.scope, document_id, old, new)
    doc = view["doc"]
    return render(
        request,
        "sops/diff.html",
        ctx=ctx,
        **view,
        old=before,
        new=after,
        changes=changes,
        initiative={
            "id": doc["initiative"],
            "process_code": doc["initiative.process_code"],
            "name": doc["initiative.name"],
        },
        tab="sops",
    )


async def step_people(ctx: OrgContext, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The members a step's responsible and assisting person are chosen from (editors only)."""
    if not (view["editable"] and can_write(ctx)):
        return []
    return await fields.people(ctx.org_id)


async def version_page_response(
    request: Request,
    ctx: OrgContext,
    version_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
    template: str = "sops/version.html",
    conflict: str | None = None,
) -> Template:
    view = await versions.version_view(ctx, version_id)
    version = view["version"]
    forms = forms or {}
    return render(
        request,
        template,
        status_code=status_code,
        ctx=ctx,
        **view,
        initiative={
            "id": version["document.initiative"],
            "process_code": version["document.initiative.process_code"],
            "name": version["document.initiative.name"],
        },
        header_form=forms.get(
            "header",
            Form(
                {
                    k: str(version[k])
                    for k in (
                        "scope",
                        "exception_handling",
                        "contingency_plan",
                        "change_summary",
                        "remarks",
                        "revision",
                    )
                }
            ),
        ),
        step_form=forms.get("step", Form({"time_unit": "hours"}, prefix="new-")),
        people=await step_people(ctx, view),
        role_form=forms.get("role", Form({})),
        publish_form=forms.get("publish", Form({"effective_date": date.today().isoformat()})),
        editing=forms.get("editing"),
        adding=request.query_params.get("add") == "1",
        conflict=conflict,
        can_write=can_write(ctx),
        can_publish=ctx.can(Action.EDIT_INITIATIVE),
        tab="sops",
    )


@get("/sop-versions/{version_id:int}", name="sop_version")
async def version_page(request: Request, ctx: OrgContext, version_id: int) -> Template:
    return await version_page_response(request, ctx, version_id)


@get("/sop-versions/{version_id:int}/print", name="sop_print")
async def print_page(request: Request, ctx: OrgContext, version_id: int) -> Template:
    return await version_page_response(request, ctx, version_id, template="sops/print.html")


@post("/sop-versions/{version_id:int}/header", opt=needs(Action.WRITE_REGISTER))
async def save_header(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        saved = await versions.save_header(ctx.scope, version_id, form.submitted)
    except Invalid as error:
        return await version_page_response(
            request, ctx, version_id, {"header": form.absorb(error)}, 422
        )
    if not saved:  # someone saved it in between
        return await version_page_response(
            request,
            ctx,
            version_id,
            {"header": form},
            409,
            conflict=_(
                "Someone else saved this SOP while you were editing. Your text is below; "
                "the saved text is in the print view. Save again to keep yours."
            ),
        )
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}#header", _("SOP saved."))


async def _raci_download(ctx: OrgContext, version_id: int, format: str) -> Response:
    view = await versions.version_view(ctx, version_id)
    version = view["version"]
    name = f"RACI-{version['document.number']}-{version['label']}"
    return download(versions.raci_table(view), format, name)


@get("/sop-versions/{version_id:int}/raci.xlsx", name="raci_export")
async def raci_export(ctx: OrgContext, version_id: int) -> Response:
    return await _raci_download(ctx, version_id, "xlsx")


@get("/sop-versions/{version_id:int}/raci.csv", name="raci_export_csv")
async def raci_export_csv(ctx: OrgContext, version_id: int) -> Response:
    """The same grid as CSV (UTF-8 with a byte-order mark, as every CSV export)."""
    return await _raci_download(ctx, version_id, "csv")


@post("/sop-versions/{version_id:int}/submit", opt=needs(Action.WRITE_REGISTER))
async def submit(request: Request, ctx: OrgContext, version_id: int) -> Redirect:
    await lifecycle.submit(ctx, version_id)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", _("SOP sent for review."))


@post(
    "/sop-versions/{version_id:int}/decision",
    opt=by_record("the approver at the version's waiting level"),
)
async def decide(request: Request, ctx: OrgContext, version_id: int) -> Redirect:
    form = await read_form(request)
    approve = form.get("decision") == "approve"
    status = await lifecycle.decide(ctx, version_id, approve, form.get("comment"))
    message = {
        "draft": _("SOP returned to its author as a draft."),
        "approved": _("SOP approved: it can now be published."),
        "in_review": _("Approved at your level; the next level is asked."),
    }[status]
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", message)


@post("/sop-versions/{version_id:int}/publish", opt=needs(Action.EDIT_INITIATIVE))
async def publish(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await lifecycle.publish(ctx, version_id, form.submitted)
    except Invalid as error:
        return await version_page_response(
            request, ctx, version_id, {"publish": form.absorb(error)}, 422
        )
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", _("SOP published."))


ROUTES = [
    initiative_sops,
    create_sop,
    all_sops,
    document_page,
    revise,
    diff_page,
    version_page,
    print_page,
    save_header,
    raci_export,
    raci_export_csv,
    submit,
    decide,
    publish,
]
