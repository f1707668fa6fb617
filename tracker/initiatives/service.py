"""Initiatives: the portfolio board, creating and editing, phase records. Always scoped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from tracker.accounts.rules import Role
from tracker.db import is_unique_violation, write_transaction
from tracker.errors import Conflict
from tracker.i18n import gettext as _
from tracker.initiatives import queries as q
from tracker.initiatives import rules
from tracker.initiatives.rules import Direction, PhaseNo, ProcessClass, Status
from tracker.initiatives.tables import Initiative, Phase
from tracker.registers import fields
from tracker.tenancy import MAX_ID, OrgContext, TenantScope
from tracker.values import Checks, Submitted

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
    scope: TenantScope, org_id: int, checks: Checks, current: dict[str, Any] | None
) -> dict[Any, Any]:
    """Validate the initiative form; the values to store (errors stay on the checks)."""
    values: dict[Any, Any] = {
        Initiative.name: checks.require("name", _("Name the initiative."), 200),
        Initiative.process_class: checks.get("process_class"),
        Initiative.departments: ", ".join(
            rules.split_departments(checks.limit("departments", 300))
        ),
        Initiative.sponsor: checks.limit("sponsor", 120),
        Initiative.goal_metric: checks.require("goal_metric", _("Name the goal's metric."), 200),
        Initiative.goal_unit: checks.limit("goal_unit", 30),
        Initiative.goal_direction: checks.get("goal_direction"),
        Initiative.scope_in: checks.limit("scope_in", 5000),
        Initiative.scope_out: checks.limit("scope_out", 5000),
        Initiative.start_point: checks.limit("start_point", 300),
        Initiative.end_point: checks.limit("end_point", 300),
    }
    if checks.get("process_class") not in set(ProcessClass):
        checks.error("process_class", _("Choose a process class."))
    if checks.get("goal_direction") not in set(Direction):
        checks.error("goal_direction", _("Choose whether lower or higher is better."))
    baseline, target = fields.number(checks, "goal_baseline"), fields.number(checks, "goal_target")
    if baseline is None and "goal_baseline" not in checks.errors:
        checks.error("goal_baseline", _("A SMART goal needs a baseline."))
    if target is None and "goal_target" not in checks.errors:
        checks.error("goal_target", _("A SMART goal needs a target."))
    for problem in rules.goal_problems(baseline, target, checks.get("goal_direction")):
        checks.error("goal_target", _(problem))
    values[Initiative.goal_baseline] = baseline
    values[Initiative.goal_target] = target
    due = fields.day(checks, "goal_due")
    kept_due = current["goal_due"] if current else None
    for problem in rules.goal_due_problems(due, date.today(), _day(kept_due)):
        checks.error("goal_due", _(problem))
    values[Initiative.goal_due] = due
    owner = checks.get("owner")
    owners = {row["person.id"] for row in await owner_choices(org_id)}
    if not owner.isdigit() or int(owner) not in owners:
        checks.error("owner", _("Choose the program lead who owns this initiative."))
    else:
        values[Initiative.owner] = int(owner)
    current_status = current["status"] if current else None
    status = checks.get("status") or current_status or Status.ON_TRACK
    if status not in set(Status):
        checks.error("status", _("Choose a status."))
    elif status != current_status and (
        status not in EDITABLE_STATUSES or current_status not in (None, *EDITABLE_STATUSES)
    ):
        checks.error("status", _("This status is set by gate decisions."))
    values[Initiative.status] = status

    code = checks.get("process_code").upper()
    if not code:
        start = fields.day(checks, "start_date") or date.today()
        code = await suggest_code(
            scope, checks.get("code_dept"), checks.get("code_business"), start.year
        )
    checks.keep("process_code", code)
    if not rules.is_valid_process_code(code):
        checks.error(
            "process_code",
            _("Use the pattern DEPT-BUSINESS-YEAR-SEQ, for example SOP-CS-2024-001."),
        )
    values[Initiative.process_code] = code
    return values


async def create_initiative(ctx: OrgContext, submitted: Submitted) -> int:
    """A new initiative in Scoping with its six phases planned (``Invalid`` when refused)."""
    scope = ctx.scope
    checks = Checks(submitted)
    values = await parse_initiative(scope, ctx.org_id, checks, current=None)
    start = fields.day(checks, "start_date", required=True)
    checks.done()
    assert start is not None  # required: an error otherwise
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
        checks.error("process_code", _("Another initiative already uses this code."))
        checks.done()
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


def form_values(row: dict[str, Any]) -> dict[str, str]:
    """The initiative as the edit form shows it."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    return {key.replace("owner.name", "owner_name"): text(value) for key, value in row.items()}


class Outdated(Conflict):
    """Someone saved the initiative in between (409); ``current`` is the newer version."""

    def __init__(self, current: dict[str, Any], values: dict[str, str]) -> None:
        message = _(
            "Someone else saved this initiative while you were editing it. "
            "Your changes are not saved."
        )
        super().__init__(message, values=values)
        self.current = current


async def update_initiative(ctx: OrgContext, initiative_id: int, submitted: Submitted) -> None:
    """Save an edit unless someone saved in between (``Outdated``); ``Invalid`` when refused."""
    scope = ctx.scope
    checks = Checks(submitted)
    current = await get_initiative(scope, initiative_id)
    values = await parse_initiative(scope, ctx.org_id, checks, current)
    version = checks.get("version")
    if not version.isdigit():
        checks.error("version", _("The form is incomplete; reload the page."))
    checks.done()
    values[Initiative.version] = int(version) + 1
    values[Initiative.updated_at] = datetime.now(UTC)
    try:
        saved = await scope.update(
            Initiative, values, Initiative.id == initiative_id, Initiative.version == int(version)
        ).returning(Initiative.id)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        checks.error("process_code", _("Another initiative already uses this code."))
        checks.done()
    if not saved:
        raise Outdated(await get_initiative(scope, initiative_id), checks.read)
