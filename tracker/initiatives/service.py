"""Initiatives: the portfolio board, creating and editing, phase records. Always scoped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.accounts.rules import Role
from tracker.db import is_unique_violation, write_transaction
from tracker.i18n import gettext as _
from tracker.initiatives import queries as q
from tracker.initiatives import rules
from tracker.initiatives.rules import Direction, PhaseNo, ProcessClass, Status
from tracker.initiatives.tables import Initiative, Phase
from tracker.registers import fields
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.web import Form

EDITABLE_STATUSES = (Status.ON_TRACK, Status.AT_RISK, Status.BLOCKED)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def owner_choices(org_id: int) -> list[dict[str, Any]]:
    """People who may own an initiative: the organisation's program leads and admins."""
    return await TenantScope(org_id).fetch(
        q.OWNER_CHOICES, roles=(Role.LEAD.value, Role.ADMIN.value)
    )


async def suggest_code(scope: TenantScope, dept: str, business: str, year: int) -> str:
    prefix = rules.suggest_process_code(dept, business, year, [])[:-3]
    rows = await scope.select(Initiative, Initiative.process_code).where(
        Initiative.process_code.like(prefix + "%")
    )
    return rules.suggest_process_code(dept, business, year, (r["process_code"] for r in rows))


async def parse_initiative(
    scope: TenantScope, org_id: int, form: Form, current: dict[str, Any] | None
) -> dict[Any, Any]:
    """Validate the initiative form; the values to store (errors stay on the form)."""
    values: dict[Any, Any] = {
        Initiative.name: form.require("name", _("Name the initiative."), 200),
        Initiative.process_class: form.get("process_class"),
        Initiative.departments: ", ".join(rules.split_departments(form.limit("departments", 300))),
        Initiative.sponsor: form.limit("sponsor", 120),
        Initiative.goal_metric: form.require("goal_metric", _("Name the goal's metric."), 200),
        Initiative.goal_unit: form.limit("goal_unit", 30),
        Initiative.goal_direction: form.get("goal_direction"),
        Initiative.scope_in: form.limit("scope_in", 5000),
        Initiative.scope_out: form.limit("scope_out", 5000),
        Initiative.start_point: form.limit("start_point", 300),
        Initiative.end_point: form.limit("end_point", 300),
    }
    if form.get("process_class") not in set(ProcessClass):
        form.error("process_class", _("Choose a process class."))
    if form.get("goal_direction") not in set(Direction):
        form.error("goal_direction", _("Choose whether lower or higher is better."))
    baseline, target = fields.number(form, "goal_baseline"), fields.number(form, "goal_target")
    if baseline is None and "goal_baseline" not in form.errors:
        form.error("goal_baseline", _("A SMART goal needs a baseline."))
    if target is None and "goal_target" not in form.errors:
        form.error("goal_target", _("A SMART goal needs a target."))
    for problem in rules.goal_problems(baseline, target, form.get("goal_direction")):
        form.error("goal_target", _(problem))
    values[Initiative.goal_baseline] = baseline
    values[Initiative.goal_target] = target
    due = fields.day(form, "goal_due")
    kept_due = current["goal_due"] if current else None
    for problem in rules.goal_due_problems(due, date.today(), _day(kept_due)):
        form.error("goal_due", _(problem))
    values[Initiative.goal_due] = due
    owner = form.get("owner")
    owners = {row["person.id"] for row in await owner_choices(org_id)}
    if not owner.isdigit() or int(owner) not in owners:
        form.error("owner", _("Choose the program lead who owns this initiative."))
    else:
        values[Initiative.owner] = int(owner)
    current_status = current["status"] if current else None
    status = form.get("status") or current_status or Status.ON_TRACK
    if status not in set(Status):
        form.error("status", _("Choose a status."))
    elif status != current_status and (
        status not in EDITABLE_STATUSES or current_status not in (None, *EDITABLE_STATUSES)
    ):
        form.error("status", _("This status is set by gate decisions."))
    values[Initiative.status] = status

    code = form.get("process_code").upper()
    if not code:
        start = fields.day(form, "start_date") or date.today()
        code = await suggest_code(
            scope, form.get("code_dept"), form.get("code_business"), start.year
        )
    form.values["process_code"] = code
    if not rules.is_valid_process_code(code):
        form.error(
            "process_code",
            _("Use the pattern DEPT-BUSINESS-YEAR-SEQ, for example SOP-CS-2024-001."),
        )
    values[Initiative.process_code] = code
    return values


async def create_initiative(ctx: OrgContext, form: Form) -> int | None:
    scope = ctx.scope
    values = await parse_initiative(scope, ctx.org_id, form, current=None)
    start = fields.day(form, "start_date", required=True)
    if not form.ok or start is None:
        return None
    values[Initiative.status] = Status.ON_TRACK
    try:
        async with write_transaction():
            row = {column._meta.name: value for column, value in values.items()}
            initiative_id = (await scope.insert(Initiative, {**row, "start_date": start}))[0]["id"]
            phases = await scope.insert(
                Phase,
                *(
                    {
                        "initiative": initiative_id,
                        "number": int(p.number),
                        "planned_start": p.planned_start,
                        "planned_end": p.planned_end,
                        "actual_start": start if p.number == PhaseNo.SCOPING else None,
                    }
                    for p in rules.plan_phases(start)
                ),
            )
            await scope.update(
                Initiative,
                {Initiative.current_phase: phases[0]["id"]},
                Initiative.id == initiative_id,
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise
        form.error("process_code", _("Another initiative already uses this code."))
        return None
    return int(initiative_id)


async def get_initiative(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    """The initiative, or 404 (one of another organisation is a missing one)."""
    if not 0 < initiative_id <= MAX_ID:
        raise NotFoundException()
    rows = await scope.fetch(q.INITIATIVE, initiative=initiative_id)
    if not rows:
        raise NotFoundException()
    return dict(rows[0])


async def phases(scope: TenantScope, initiative_id: int) -> list[dict[str, Any]]:
    return await scope.fetch_dicts(q.PHASES, initiative=initiative_id)


def form_from_initiative(row: dict[str, Any]) -> Form:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    form = Form({})
    for key, value in row.items():
        form.values[key.replace("owner.name", "owner_name")] = text(value)
    return form


async def update_initiative(
    ctx: OrgContext, initiative_id: int, form: Form
) -> tuple[str, dict[str, Any] | None]:
    """Save an edit unless someone saved in between: ("saved"|"invalid"|"conflict", current)."""
    scope = ctx.scope
    current = await get_initiative(scope, initiative_id)
    values = await parse_initiative(scope, ctx.org_id, form, current)
    version = form.get("version")
    if not version.isdigit():
        form.error("version", _("The form is incomplete; reload the page."))
    if not form.ok:
        return "invalid", current
    values[Initiative.version] = int(version) + 1
    values[Initiative.updated_at] = datetime.now(UTC)
    try:
        saved = await scope.update(
            Initiative, values, Initiative.id == initiative_id, Initiative.version == int(version)
        ).returning(Initiative.id)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        form.error("process_code", _("Another initiative already uses this code."))
        return "invalid", current
    if not saved:
        return "conflict", await get_initiative(scope, initiative_id)
    return "saved", None
