"""SOP pages: the SOPs of an initiative and of the organisation, a version with its steps
(edited and reordered in place with htmx), RACI grid and approvals, the version log, the
diff between two versions, the print page and the RACI export."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.i18n import gettext as _
from tracker.registers import fields
from tracker.registers.pages import can_write, initiative_header
from tracker.sops import documents, editing, lifecycle, versions
from tracker.sops.common import SopConflict
from tracker.spreadsheets import download
from tracker.tenancy import OrgContext
from tracker.web import Form, is_fragment_request, read_form, redirect, render


def _conflict(error: SopConflict) -> ClientException:
    exc = ClientException(str(error))
    exc.status_code = 409
    return exc


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


@post("/initiatives/{initiative_id:int}/sops")
async def create_sop(request: Request, ctx: OrgContext, initiative_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    version_id = await documents.create_document(ctx.scope, initiative_id, form, ctx.person_id)
    if version_id is None:
        return await _initiative_page(request, ctx, initiative_id, form, 422)
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


@post("/sop-documents/{document_id:int}/revisions")
async def revise(request: Request, ctx: OrgContext, document_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    version_id = await lifecycle.revise(ctx, document_id, form)
    if version_id is None:
        return await _document_page(request, ctx, document_id, form, 422)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", _("Revision started as a draft."))


@get("/sop-documents/{document_id:int}/diff", name="sop_diff")
async def diff_page(
    request: Request, ctx: OrgContext, document_id: int, old: int = 0, new: int = 0
) -> Template:
    view = await documents.document_view(ctx.scope, document_id)
    versions = view["versions"]
    if not old or not new:
        if len(versions) < 2:
            raise NotFoundException()
        new, old = versions[0]["id"], versions[1]["id"]
    try:
        before, after, changes = await lifecycle.diff(ctx.scope, document_id, old, new)
    except SopConflict as error:
        raise NotFoundException(str(error)) from None
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


async def _people(ctx: OrgContext, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The members a step's responsible and assisting person are chosen from (editors only)."""
    if not (view["editable"] and can_write(ctx)):
        return []
    return await fields.people(ctx.org_id)


async def _version_page(
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
        people=await _people(ctx, view),
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
    return await _version_page(request, ctx, version_id)


@get("/sop-versions/{version_id:int}/print", name="sop_print")
async def print_page(request: Request, ctx: OrgContext, version_id: int) -> Template:
    return await _version_page(request, ctx, version_id, template="sops/print.html")


@post("/sop-versions/{version_id:int}/header")
async def save_header(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    try:
        outcome = await versions.save_header(ctx.scope, version_id, form)
    except SopConflict as error:
        raise _conflict(error) from None
    if outcome == "invalid":
        return await _version_page(request, ctx, version_id, {"header": form}, 422)
    if outcome == "conflict":
        return await _version_page(
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


async def _steps_response(
    request: Request,
    ctx: OrgContext,
    version_id: int,
    message: str,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
    adding: bool = False,
) -> Template | Redirect:
    """htmx gets the steps and RACI sections back in place; without htmx, a form with errors
    (or a step being edited) comes back on the whole page, and a success redirects. After a
    step is added ("adding"), the add form stays open for the next one."""
    forms = forms or {}
    if is_fragment_request(request):
        view = await versions.version_view(ctx, version_id)
        return render(
            request,
            "sops/partials/steps_and_raci.html",
            status_code=status_code,
            ctx=ctx,
            **view,
            editing=forms.get("editing"),
            step_form=forms.get("step", Form({"time_unit": "hours"}, prefix="new-")),
            people=await _people(ctx, view),
            role_form=Form({}),
            can_write=can_write(ctx),
            adding=adding,
            step_added=adding,  # said in place: a fragment has no flash message
        )
    if status_code != 200 or "editing" in forms:
        return await _version_page(request, ctx, version_id, forms, status_code)
    if adding:
        return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}?add=1#add-step", message)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}#steps", message)


@post("/sop-versions/{version_id:int}/steps")
async def add_step(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    form.prefix = "new-"
    try:
        ok = await editing.add_step(ctx.scope, version_id, form)
    except SopConflict as error:
        raise _conflict(error) from None
    if not ok:
        return await _steps_response(request, ctx, version_id, "", {"step": form}, 422)
    return await _steps_response(request, ctx, version_id, _("Step added."), adding=True)


@get("/sop-steps/{step_id:int}/edit", name="sop_step_edit")
async def edit_step(request: Request, ctx: OrgContext, step_id: int) -> Template:
    ctx.require(Action.WRITE_REGISTER)
    step = await editing.step_row(ctx.scope, step_id)
    form = editing.step_form(step)
    form.values["id"] = str(step_id)
    return await _steps_response(request, ctx, step["version"], "", {"editing": form}, 200)  # type: ignore[return-value]


@post("/sop-steps/{step_id:int}")
async def update_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    step = await editing.step_row(ctx.scope, step_id)
    form = await read_form(request)
    form.prefix = f"s{step_id}-"
    form.values["id"] = str(step_id)
    try:
        outcome = await editing.update_step(ctx.scope, step_id, form)
    except SopConflict as error:
        raise _conflict(error) from None
    if outcome == "invalid":
        return await _steps_response(request, ctx, step["version"], "", {"editing": form}, 422)
    if outcome == "conflict":
        fresh = await editing.step_row(ctx.scope, step_id)
        form.values["revision"] = str(fresh["revision"])
        form.error(
            "name",
            _(
                "Someone else changed this step while you were editing; it is saved as "
                "“%(name)s”. Save again to keep your version.",
                name=fresh["name"],
            ),
        )
        return await _steps_response(request, ctx, step["version"], "", {"editing": form}, 409)
    return await _steps_response(request, ctx, step["version"], _("Step saved."))


@post("/sop-steps/{step_id:int}/move")
async def move_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    try:
        version_id = await editing.move_step(ctx.scope, step_id, form.get("direction"))
    except SopConflict as error:
        raise _conflict(error) from None
    return await _steps_response(request, ctx, version_id, _("Step moved."))


@post("/sop-steps/{step_id:int}/delete")
async def delete_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    try:
        version_id = await editing.delete_step(ctx.scope, step_id)
    except SopConflict as error:
        raise _conflict(error) from None
    return await _steps_response(request, ctx, version_id, _("Step removed."))


@post("/sop-steps/{step_id:int}/raci/{role_id:int}")
async def set_cell(
    request: Request, ctx: OrgContext, step_id: int, role_id: int
) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    try:
        version_id = await editing.set_cell(ctx.scope, step_id, role_id, form.get("letter"))
    except SopConflict as error:
        raise _conflict(error) from None
    return await _steps_response(request, ctx, version_id, _("RACI saved."))


@post("/sop-versions/{version_id:int}/roles")
async def add_role(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    form = await read_form(request)
    try:
        ok = await editing.add_role(ctx.scope, version_id, form)
    except SopConflict as error:
        raise _conflict(error) from None
    if not ok:
        return await _version_page(request, ctx, version_id, {"role": form}, 422)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}#raci", _("Role added."))


@post("/raci-roles/{role_id:int}/delete")
async def delete_role(request: Request, ctx: OrgContext, role_id: int) -> Template | Redirect:
    ctx.require(Action.WRITE_REGISTER)
    try:
        version_id = await editing.delete_role(ctx.scope, role_id)
    except SopConflict as error:
        raise _conflict(error) from None
    return await _steps_response(request, ctx, version_id, _("Role removed."))


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


@post("/sop-versions/{version_id:int}/submit")
async def submit(request: Request, ctx: OrgContext, version_id: int) -> Redirect:
    ctx.require(Action.WRITE_REGISTER)
    try:
        await lifecycle.submit(ctx, version_id)
    except SopConflict as error:
        raise _conflict(error) from None
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", _("SOP sent for review."))


@post("/sop-versions/{version_id:int}/decision")
async def decide(request: Request, ctx: OrgContext, version_id: int) -> Redirect:
    form = await read_form(request)
    approve = form.get("decision") == "approve"
    try:
        status = await lifecycle.decide(ctx, version_id, approve, form.get("comment"))
    except PermissionError:
        raise PermissionDeniedException() from None
    except SopConflict as error:
        raise _conflict(error) from None
    message = {
        "draft": _("SOP returned to its author as a draft."),
        "approved": _("SOP approved: it can now be published."),
        "in_review": _("Approved at your level; the next level is asked."),
    }[status]
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}", message)


@post("/sop-versions/{version_id:int}/publish")
async def publish(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    ctx.require(Action.EDIT_INITIATIVE)
    form = await read_form(request)
    try:
        ok = await lifecycle.publish(ctx, version_id, form)
    except SopConflict as error:
        raise _conflict(error) from None
    if not ok:
        return await _version_page(request, ctx, version_id, {"publish": form}, 422)
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
    add_step,
    edit_step,
    update_step,
    move_step,
    delete_step,
    set_cell,
    add_role,
    delete_role,
    raci_export,
    raci_export_csv,
    submit,
    decide,
    publish,
]
