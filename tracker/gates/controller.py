"""Gate pages: my reviews, requesting a review, the review page (scorecard, tally, vote,
decision), approvals, conditions, corrections, and the gate settings of the organisation."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tracker.accounts.language import org_language
from tracker.accounts.rules import Action
from tracker.accounts.tables import Membership
from tracker.errors import Invalid
from tracker.gates import (
    common,
    deciding,
    evidence,
    follow_up,
    forms,
    lists,
    minutes_controller,
    parts,
    requesting,
    review_data,
    rules,
    voting,
)
from tracker.gates import settings_service as gate_settings
from tracker.gates.common import GateError
from tracker.i18n import gettext as _
from tracker.i18n import language_names
from tracker.onboarding import service as onboarding
from tracker.tenancy import MAX_ID, OrgContext, by_record, needs
from tracker.web import Form, is_fragment_request, read_form, redirect, render


@get("/reviews", name="my_reviews")
async def my_reviews(
    request: Request,
    ctx: OrgContext,
    waiting: str | None = None,
    after: int | None = None,
    shown: int = 0,
) -> Template:
    """What waits for me, each list's first page; ``?waiting=vote&after=ID``: the next page of
    one list (its rows alone for htmx's "Show more"; ``shown``: how many came before)."""
    if waiting is None:
        first = await lists.my_reviews(ctx)
        return render(request, "gates/my_reviews.html", ctx=ctx, lists=first, paged=False)
    if waiting not in lists.KINDS or (after is not None and not 0 < after <= MAX_ID):
        raise NotFoundException()
    page = await lists.waiting_page(ctx, waiting, after)
    shown = shown if after and 0 <= shown <= MAX_ID else 0
    if is_fragment_request(request):
        return render(request, "gates/partials/waiting_rows.html", ctx=ctx, w=page, shown=shown)
    return render(request, "gates/my_reviews.html", ctx=ctx, lists=[page], paged=True, shown=shown)


async def _request_page(
    request: Request,
    ctx: OrgContext,
    initiative: dict,
    form: Form,
    status_code: int = 200,
    error: str | None = None,
) -> Template:
    gate = initiative["current_phase.number"]
    criteria = await gate_settings.criteria(ctx.scope, gate)
    return render(
        request,
        "gates/request.html",
        status_code=status_code,
        ctx=ctx,
        initiative=initiative,
        form=form,
        error=error,
        gate=gate,
        criteria=criteria,
        evidence=await evidence.gather(
            ctx.scope, initiative["id"], {c["evidence"] for c in criteria}
        ),
        committee=await common.committee_members(ctx.org_id),
        blockers=await requesting.request_blockers(ctx.scope, initiative),
        decisions=rules.DECISIONS,
    )


@get("/initiatives/{initiative_id:int}/gate/request", name="request_review")
async def request_page(request: Request, ctx: OrgContext, initiative_id: int) -> Template:
    initiative = await requesting.initiative_for_request(ctx, initiative_id)
    form = Form(
        {"due_date": (date.today() + timedelta(days=7)).isoformat(), "proposed_decision": "go"}
    )
    return await _request_page(request, ctx, initiative, form)


@post(
    "/initiatives/{initiative_id:int}/gate/request",
    opt=by_record("the initiative's program lead requests its review"),
)
async def request_review(
    request: Request, ctx: OrgContext, initiative_id: int
) -> Template | Redirect:
    initiative = await requesting.initiative_for_request(ctx, initiative_id)
    form = await read_form(request)
    blockers = await requesting.request_blockers(ctx.scope, initiative)
    if blockers:
        return await _request_page(request, ctx, initiative, form, 409, " ".join(blockers))
    try:
        review_id = await requesting.request_review(ctx, initiative, form.submitted)
    except Invalid as error:
        return await _request_page(request, ctx, initiative, form.absorb(error), 422)
    except GateError as error:
        return await _request_page(request, ctx, initiative, form, error.status_code, error.message)
    return redirect(f"/o/{ctx.slug}/reviews/{review_id}", _("Gate review requested."))


async def _review_page(
    request: Request,
    ctx: OrgContext,
    review_id: int,
    form: Form | None = None,
    status_code: int = 200,
    error: str | None = None,
    decide_form: Form | None = None,
) -> Template:
    view = await review_data.review_view(ctx, review_id)
    members = await common.member_choices(ctx.org_id)  # who may own a condition
    today = date.today()
    return render(
        request,
        "gates/review.html",
        evidence=await evidence.gather(
            ctx.scope, view.review["initiative"], {c["evidence"] for c in view.criteria}
        ),
        status_code=status_code,
        ctx=ctx,
        view=view,
        form=form or Form({}),
        decide_form=decide_form or Form({}),
        error=error,
        decisions=rules.DECISIONS,
        vote_kinds=list(rules.VoteKind),
        today=today,
        members=members,
        member_names={m["id"]: m["name"] for m in members},
        condition_rows=parts.ConditionRows(request, members, today),
        condition_plans=rules.decode_conditions,
        live_review=review_id,  # the tab's live stream follows this review too
    )


@get("/reviews/{review_id:int}", name="review")
async def review_page(request: Request, ctx: OrgContext, review_id: int) -> Template:
    return await _review_page(request, ctx, review_id)


@post("/reviews/{review_id:int}/vote", opt=by_record("the review's assigned reviewers vote"))
async def vote(request: Request, ctx: OrgContext, review_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await voting.submit_vote(ctx, review_id, forms.VoteInput.from_form(form.submitted))
    except (GateError, Invalid) as error:
        for field, message in error.fields.items():
            form.error(field, message)
        return await _review_page(request, ctx, review_id, form, error.status_code, error.message)
    return redirect(f"/o/{ctx.slug}/reviews/{review_id}", _("Your vote is recorded."))


@post("/reviews/{review_id:int}/decide", opt=by_record("the committee's chair decides"))
async def decide(request: Request, ctx: OrgContext, review_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await deciding.chair_decide(ctx, review_id, forms.DecisionInput.from_form(form.submitted))
    except (GateError, Invalid) as error:
        for field, message in error.fields.items():
            form.error(field, message)
        return await _review_page(
            request,
            ctx,
            review_id,
            status_code=error.status_code,
            error=error.message,
            decide_form=form,
        )
    return redirect(f"/o/{ctx.slug}/reviews/{review_id}", _("Decision recorded."))


@post(
    "/reviews/{review_id:int}/approval", opt=by_record("the approver at the waiting level approves")
)
async def approval(request: Request, ctx: OrgContext, review_id: int) -> Template | Redirect:
    form = await read_form(request)
    try:
        await deciding.act_on_approval(
            ctx, review_id, form.get("action") == "approve", form.limit("note", 5000)
        )
    except GateError as error:
        return await _review_page(
            request, ctx, review_id, status_code=error.status_code, error=error.message
        )
    return redirect(f"/o/{ctx.slug}/reviews/{review_id}", _("Your approval step is recorded."))


@post(
    "/decisions/{decision_id:int}/corrections",
    opt=by_record("the chair or an admin corrects a decision"),
)
async def correction(request: Request, ctx: OrgContext, decision_id: int) -> Redirect:
    form = await read_form(request)
    review_id = await follow_up.add_correction(ctx, decision_id, form.get("text"))
    return redirect(f"/o/{ctx.slug}/reviews/{review_id}", _("Correction recorded."))


@post(
    "/conditions/{condition_id:int}/close",
    opt=by_record("the condition's owner, the lead or an admin closes it"),
)
async def close_condition(request: Request, ctx: OrgContext, condition_id: int) -> Redirect:
    form = await read_form(request)
    initiative_id = await follow_up.close_condition(ctx, condition_id, form.limit("note", 5000))
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}", _("Condition closed."))


@post(
    "/conditions/{condition_id:int}/plan",
    opt=by_record("the condition's owner, the lead or an admin re-plans it"),
)
async def replan_condition(request: Request, ctx: OrgContext, condition_id: int) -> Redirect:
    form = await read_form(request)
    initiative_id = await follow_up.replan_condition(
        ctx, condition_id, form.get("owner"), form.get("due_date")
    )
    return redirect(
        f"/o/{ctx.slug}/initiatives/{initiative_id}#conditions-h", _("Condition updated.")
    )


@post(
    "/initiatives/{initiative_id:int}/resume",
    opt=by_record("the initiative's lead or an admin resumes it"),
)
async def resume(ctx: OrgContext, initiative_id: int) -> Redirect:
    await follow_up.resume(ctx, initiative_id)
    return redirect(f"/o/{ctx.slug}/initiatives/{initiative_id}", _("The initiative is resumed."))


# --- gate settings (admins) ---------------------------------------------------------------


async def _settings_page(
    request: Request,
    ctx: OrgContext,
    status_code: int = 200,
    form: Form | None = None,
    form_gate: int | None = None,
    rule_form: Form | None = None,
    edit_id: int | None = None,
) -> Template:
    rule = await gate_settings.rule_row(ctx.scope)
    if rule_form is None:
        values = {
            "quorum_kind": rule["quorum_kind"],
            "quorum_value": str(rule["quorum_value"]),
            "go_threshold": rule["go_threshold"],
            "chair": str(rule["chair"] or ""),
            "stop_needs_chair": "on" if rule["stop_needs_chair"] else "",
        }
        for i, level in enumerate(rule["chain"], start=1):
            values[f"level_{i}_label"] = level["label"]
            values[f"level_{i}_person"] = str(level["person"])
        rule_form = Form(values)
    items = await gate_settings.criteria(ctx.scope, active_only=False)
    by_gate: dict[int, list[dict]] = {g: [] for g in range(1, 7)}
    for item in items:
        by_gate[item["gate"]].append(item)
    people = (
        await Membership.select(Membership.person.id, Membership.person.name, Membership.role)
        .where(Membership.org == ctx.org_id)
        .order_by(Membership.person.name)
    )
    return render(
        request,
        "gates/settings.html",
        status_code=status_code,
        ctx=ctx,
        by_gate=by_gate,
        form=form or Form({"kind": "should", "weight": "1"}),
        form_gate=form_gate,
        rule_form=rule_form,
        people=people,
        chain_levels=range(1, gate_settings.MAX_CHAIN + 1),
        edit_id=edit_id,
        defaults_language=await org_language(ctx.org_id),
        default_languages=language_names(),
    )


@get("/settings/gates", name="gate_settings", opt=needs(Action.MANAGE_ORG))
async def gate_settings_page(request: Request, ctx: OrgContext) -> Template:
    return await _settings_page(request, ctx)


@post("/settings/gates/{gate:int}/criteria", opt=needs(Action.MANAGE_ORG))
async def add_criterion(request: Request, ctx: OrgContext, gate: int) -> Template | Redirect:
    if not 1 <= gate <= 6:
        raise NotFoundException()
    form = await read_form(request)
    try:
        await gate_settings.add_criterion(ctx.scope, gate, form.submitted)
    except Invalid as error:
        return await _settings_page(request, ctx, 422, form=form.absorb(error), form_gate=gate)
    return redirect(f"/o/{ctx.slug}/settings/gates#gate-{gate}", _("Criterion added."))


@post("/settings/gates/criteria/{criterion_id:int}", opt=needs(Action.MANAGE_ORG))
async def edit_criterion(
    request: Request, ctx: OrgContext, criterion_id: int
) -> Template | Redirect:
    form = await read_form(request)
    try:
        await gate_settings.update_criterion(ctx.scope, criterion_id, form.submitted)
    except Invalid as error:
        return await _settings_page(
            request, ctx, 422, form=form.absorb(error), edit_id=criterion_id
        )
    return redirect(f"/o/{ctx.slug}/settings/gates", _("Criterion saved."))


@post("/settings/gates/criteria/{criterion_id:int}/move", opt=needs(Action.MANAGE_ORG))
async def move_criterion(request: Request, ctx: OrgContext, criterion_id: int) -> Redirect:
    form = await read_form(request)
    await gate_settings.move_criterion(
        ctx.scope, criterion_id, -1 if form.get("step") == "up" else 1
    )
    return redirect(f"/o/{ctx.slug}/settings/gates")


@post("/settings/gates/criteria/{criterion_id:int}/retire", opt=needs(Action.MANAGE_ORG))
async def retire_criterion(request: Request, ctx: OrgContext, criterion_id: int) -> Redirect:
    form = await read_form(request)
    retired = form.get("retired") == "1"
    await gate_settings.set_retired(ctx.scope, criterion_id, retired)
    return redirect(
        f"/o/{ctx.slug}/settings/gates",
        _("Criterion retired.") if retired else _("Criterion restored."),
    )


@post("/settings/gates/rule", opt=needs(Action.MANAGE_ORG))
async def save_rule(request: Request, ctx: OrgContext) -> Template | Redirect:
    form = await read_form(request)
    try:
        await gate_settings.save_rule(ctx.scope, form.submitted)
    except Invalid as error:
        return await _settings_page(request, ctx, 422, rule_form=form.absorb(error))
    onboarding.forget(ctx.org_id)
    return redirect(f"/o/{ctx.slug}/settings/gates", _("Decision rule saved."))


ROUTES = [
    my_reviews,
    request_page,
    request_review,
    review_page,
    vote,
    decide,
    approval,
    correction,
    close_condition,
    replan_condition,
    resume,
    gate_settings_page,
    add_criterion,
    edit_criterion,
    move_criterion,
    retire_criterion,
    save_rule,
    *minutes_controller.ROUTES,
]
