"""Discussion threads. Each subject's thread is at its page's address + ``/comments``: htmx
loads it into the page's "Discussion" section and posts to it in place (the fragment); without
script the same address is a page of its own. Edits and deletions go by the comment's id."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from tracker.comments import files as _files  # noqa: F401  (a comment holds files: registered on import)
from tracker.comments import rules, service
from tracker.comments.subjects import Subject
from tracker.comments.subjects import load as load_subject
from tracker.errors import Invalid
from tracker.i18n import gettext as _
from tracker.tenancy import OrgContext, by_record
from tracker.web import Form, is_fragment_request, read_form, redirect, render


async def _show(
    request: Request, ctx: OrgContext, subject: Subject, form: Form | None = None, status: int = 200
) -> Template:
    thread = await service.thread(ctx, subject)
    template = "comments/_thread.html" if is_fragment_request(request) else "comments/page.html"
    composer = form or Form({})  # the new comment's form, with its errors when it came back
    return render(request, template, status_code=status, ctx=ctx, thread=thread, composer=composer)


async def _whole(
    request: Request, ctx: OrgContext, subject: Subject, status: int = 200
) -> Template:
    """The thread, for a request whose htmx target was one comment: it replaces the thread."""
    response = await _show(request, ctx, subject, status=status)
    if is_fragment_request(request):
        response.headers.update({"HX-Retarget": "#thread", "HX-Reswap": "outerHTML"})
    return response


async def _thread(request: Request, ctx: OrgContext, kind: str, subject_id: int) -> Template:
    return await _show(request, ctx, await load_subject(ctx, kind, subject_id))


async def _post(
    request: Request, ctx: OrgContext, kind: str, subject_id: int
) -> Template | Redirect:
    subject = await load_subject(ctx, kind, subject_id)
    form = await read_form(request)
    try:
        comment_id = await service.post(ctx, subject, form.submitted)
    except service.Closed as closed:
        return await _closed(request, ctx, subject, closed)
    except Invalid as error:
        return await _show(request, ctx, subject, form.absorb(error), 422)
    if is_fragment_request(request):
        return await _show(request, ctx, subject)
    return redirect(f"{subject.thread_url}#comment-{comment_id}", _("Comment posted."))


async def _closed(
    request: Request, ctx: OrgContext, subject: Subject, closed: service.Closed
) -> Template:
    """A change to a thread that closed meanwhile: htmx gets the thread as it is now (it says
    why), a plain form a 409 page."""
    if not is_fragment_request(request):
        raise closed
    return await _whole(request, ctx, subject, 409)


@get("/initiatives/{initiative_id:int}/comments", name="initiative_comments")
async def initiative_thread(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    return await _thread(request, ctx, "initiative", initiative_id)


@post(
    "/initiatives/{initiative_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def initiative_post(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    return await _post(request, ctx, "initiative", initiative_id)


@get("/reviews/{review_id:int}/comments", name="review_comments")
async def review_thread(request: Request, ctx: OrgContext, review_id: int) -> Template:
    return await _thread(request, ctx, "review", review_id)


@post(
    "/reviews/{review_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def review_post(request: Request, ctx: OrgContext, review_id: int) -> Template | Redirect:
    return await _post(request, ctx, "review", review_id)


@get("/problems/{problem_id:int}/comments", name="problem_comments")
async def problem_thread(request: Request, ctx: OrgContext, problem_id: int) -> Template:
    return await _thread(request, ctx, "problem", problem_id)


@post(
    "/problems/{problem_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def problem_post(request: Request, ctx: OrgContext, problem_id: int) -> Template | Redirect:
    return await _post(request, ctx, "problem", problem_id)


@get("/risks/{risk_id:int}/comments", name="risk_comments")
async def risk_thread(request: Request, ctx: OrgContext, risk_id: int) -> Template:
    return await _thread(request, ctx, "risk", risk_id)


@post(
    "/risks/{risk_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def risk_post(request: Request, ctx: OrgContext, risk_id: int) -> Template | Redirect:
    return await _post(request, ctx, "risk", risk_id)


@get("/pilots/{pilot_id:int}/comments", name="pilot_comments")
async def pilot_thread(request: Request, ctx: OrgContext, pilot_id: int) -> Template:
    return await _thread(request, ctx, "pilot", pilot_id)


@post(
    "/pilots/{pilot_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def pilot_post(request: Request, ctx: OrgContext, pilot_id: int) -> Template | Redirect:
    return await _post(request, ctx, "pilot", pilot_id)


@get("/sop-versions/{version_id:int}/comments", name="sop_version_comments")
async def sop_version_thread(request: Request, ctx: OrgContext, version_id: int) -> Template:
    return await _thread(request, ctx, "sop_version", version_id)


@post(
    "/sop-versions/{version_id:int}/comments",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def sop_version_post(
    request: Request, ctx: OrgContext, version_id: int
) -> Template | Redirect:
    return await _post(request, ctx, "sop_version", version_id)


@get("/comments/{comment_id:int}/edit", name="edit_comment")
async def edit_form(request: Request, ctx: OrgContext, comment_id: int) -> Template | Redirect:
    row, subject = await service.comment_and_subject(ctx, comment_id)
    if not service.editable(ctx, row, subject):  # not yours, or too late: the thread instead
        return await _whole(request, ctx, subject)
    form = Form({"body": row["body"]}, prefix=f"c{comment_id}-")
    return _edit_page(request, ctx, subject, row, form)


def _edit_page(
    request: Request, ctx: OrgContext, subject: Subject, row: dict, form: Form, status: int = 200
) -> Template:
    template = "comments/_edit.html" if is_fragment_request(request) else "comments/edit.html"
    context = dict(ctx=ctx, subject=subject, comment=row, form=form)
    return render(request, template, status_code=status, **context)


@post(
    "/comments/{comment_id:int}",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def save_edit(request: Request, ctx: OrgContext, comment_id: int) -> Template | Redirect:
    row, subject = await service.comment_and_subject(ctx, comment_id)
    form = await read_form(request)
    form.prefix = f"c{comment_id}-"
    try:
        await service.edit(ctx, row, subject, form.submitted)
    except service.Closed as closed:
        return await _closed(request, ctx, subject, closed)
    except Invalid as error:
        return _edit_page(request, ctx, subject, row, form.absorb(error), 422)
    if is_fragment_request(request):  # the form sat in the comment; the answer is the thread
        return await _whole(request, ctx, subject)
    return redirect(f"{subject.thread_url}#comment-{comment_id}", _("Comment saved."))


@post(
    "/comments/{comment_id:int}/delete",
    opt=by_record("viewers read; the author edits or deletes their own"),
)
async def delete(request: Request, ctx: OrgContext, comment_id: int) -> Template | Redirect:
    row, subject = await service.comment_and_subject(ctx, comment_id)
    try:
        await service.delete(ctx, row, subject)
    except service.Closed as closed:
        return await _closed(request, ctx, subject, closed)
    if is_fragment_request(request):
        return await _show(request, ctx, subject)
    return redirect(f"{subject.thread_url}#comment-{comment_id}", _("Comment deleted."))


@get("/mentions", name="mentions")
async def mentions(request: Request, ctx: OrgContext, q: str = "") -> Template:
    """Members whose name matches what is typed after "@" (the autocomplete's list)."""
    matches = rules.member_matches(await service.members(ctx.org_id), q[:40])
    return render(request, "comments/_mentions.html", ctx=ctx, matches=matches, q=q)


ROUTES = [
    initiative_thread,
    initiative_post,
    review_thread,
    review_post,
    problem_thread,
    problem_post,
    risk_thread,
    risk_post,
    pilot_thread,
    pilot_post,
    sop_version_thread,
    sop_version_post,
    edit_form,
    save_edit,
    delete,
    mentions,
]
