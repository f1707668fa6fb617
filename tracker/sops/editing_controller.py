"""Editing a draft SOP version in place with htmx: its steps (added, edited, reordered,
removed) and its RACI grid (cells and roles). htmx gets the steps and RACI sections back;
without htmx, a success redirects to the version page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.accounts.rules import Action
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.registers.pages import can_write
from tracker.sops import editing, versions
from tracker.sops.controller import step_people, version_page_response
from tracker.tenancy import OrgContext, needs
from tracker.web import Form, is_fragment_request, read_form, redirect, render


def _step_form(step: dict[str, Any]) -> Form:
    """A step's edit form, showing its values as they are kept."""
    form = Form({}, prefix=f"s{step['id']}-")
    form.values.update(editing.step_values(step))
    form.values["id"] = str(step["id"])
    return form


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
            people=await step_people(ctx, view),
            role_form=Form({}),
            can_write=can_write(ctx),
            adding=adding,
            step_added=adding,  # said in place: a fragment has no flash message
        )
    if status_code != 200 or "editing" in forms:
        return await version_page_response(request, ctx, version_id, forms, status_code)
    if adding:
        return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}?add=1#add-step", message)
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}#steps", message)


@post("/sop-versions/{version_id:int}/steps", opt=needs(Action.WRITE_REGISTER))
async def add_step(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    form = await read_form(request)
    form.prefix = "new-"
    try:
        await editing.add_step(ctx.scope, version_id, form.submitted)
    except Invalid as error:
        shown = {"step": form.absorb(error)}
        return await _steps_response(request, ctx, version_id, "", shown, 422)
    return await _steps_response(request, ctx, version_id, _("Step added."), adding=True)


@get("/sop-steps/{step_id:int}/edit", name="sop_step_edit", opt=needs(Action.WRITE_REGISTER))
async def edit_step(request: Request, ctx: OrgContext, step_id: int) -> Template:
    step = await editing.step_row(ctx.scope, step_id)
    form = _step_form(step)
    return await _steps_response(request, ctx, step["version"], "", {"editing": form}, 200)  # type: ignore[return-value]


@post("/sop-steps/{step_id:int}", opt=needs(Action.WRITE_REGISTER))
async def update_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    step = await editing.step_row(ctx.scope, step_id)
    form = await read_form(request)
    form.prefix = f"s{step_id}-"
    form.values["id"] = str(step_id)
    try:
        saved = await editing.update_step(ctx.scope, step_id, form.submitted)
    except Invalid as error:
        form.absorb(error)
        return await _steps_response(request, ctx, step["version"], "", {"editing": form}, 422)
    if not saved:  # someone saved it in between
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


@post("/sop-steps/{step_id:int}/move", opt=needs(Action.WRITE_REGISTER))
async def move_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    form = await read_form(request)
    version_id = await editing.move_step(ctx.scope, step_id, form.get("direction"))
    return await _steps_response(request, ctx, version_id, _("Step moved."))


@post("/sop-steps/{step_id:int}/delete", opt=needs(Action.WRITE_REGISTER))
async def delete_step(request: Request, ctx: OrgContext, step_id: int) -> Template | Redirect:
    version_id = await editing.delete_step(ctx.scope, step_id)
    return await _steps_response(request, ctx, version_id, _("Step removed."))


@post("/sop-steps/{step_id:int}/raci/{role_id:int}", opt=needs(Action.WRITE_REGISTER))
async def set_cell(
    request: Request, ctx: OrgContext, step_id: int, role_id: int
) -> Template | Redirect:
    form = await read_form(request)
    version_id = await editing.set_cell(ctx.scope, step_id, role_id, form.get("letter"))
    return await _steps_response(request, ctx, version_id, _("RACI saved."))


@post("/sop-versions/{version_id:int}/roles", opt=needs(Action.WRITE_REGISTER))
async def add_role(request: Request, ctx: OrgContext, version_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await editing.add_role(ctx.scope, version_id, form.submitted)
    except Invalid as error:
        return await version_page_response(
            request, ctx, version_id, {"role": form.absorb(error)}, 422
        )
    return redirect(f"/o/{ctx.slug}/sop-versions/{version_id}#raci", _("Role added."))


@post("/raci-roles/{role_id:int}/delete", opt=needs(Action.WRITE_REGISTER))
async def delete_role(request: Request, ctx: OrgContext, role_id: int) -> Template | Redirect:
    version_id = await editing.delete_role(ctx.scope, role_id)
    return await _steps_response(request, ctx, version_id, _("Role removed."))


ROUTES = [
    add_step,
    edit_step,
    update_step,
    move_step,
    delete_step,
    set_cell,
    add_role,
    delete_role,
]
