"""An audit entry in the reader's language: the kind of record, the field (the label its form
uses) and the values of choices (their labels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker import labels, program_labels
from tracker.audit.rules import plain
from tracker.i18n import gettext as _
from tracker.i18n import pgettext

# Columns that hold a person's id: shown as the person's name.
PERSON_COLUMNS = frozenset(
    (
        "owner",
        "author",
        "approver",
        "decided_by",
        "created_by",
        "closed_by",
        "chair",
        "person",
        "recorded_by",
        "rated_by",
        "invited_by",
    )
)


def kind_label(kind: str) -> str:
    return {
        "initiatives": _("Initiatives and phases"),
        "problems": _("Problems and measures"),
        "risks": _("Risks"),
        "resistance": _("Change resistance"),
        "pilots": _("Pilots"),
        "sops": _("SOPs and RACI"),
        "rollout": _("Rollout and training"),
        "kpis": _("KPIs and measurements"),
        "members": _("Members and roles"),
        "gates": _("Gate criteria and decision rule"),
        "digests": _("Digest settings"),
        "api_tokens": _("API tokens"),
        "settings": _("Organisation settings"),
    }.get(kind, kind)


def table_label(table: str) -> str:
    return {
        "initiative": _("Initiative"),
        "phase": _("Phase"),
        "gate_condition": _("Condition"),
        "problem": _("Problem"),
        "as_is_step": _("As-is step"),
        "measure": _("Measure"),
        "risk": _("Risk"),
        "resistance_entry": _("Change resistance"),
        "pilot": _("Pilot"),
        "pilot_metric": _("Pilot metric"),
        "satisfaction_rating": _("Satisfaction rating"),
        "pilot_unmet_problem": _("Problem that missed the target"),
        "pilot_feedback": _("Feedback"),
        "sop_document": _("SOP"),
        "sop_version": _("SOP version"),
        "sop_step": _("SOP step"),
        "sop_approval": _("SOP approval"),
        "raci_role": _("RACI role"),
        "raci_cell": _("RACI cell"),
        "rollout_wave": _("Rollout wave"),
        "training_session": _("Training session"),
        "training_result": _("Training result"),
        "kpi": _("KPI"),
        "kpi_measurement": _("Measurement"),
        "kpi_stage": _("Control chart stage"),
        "optimisation_log": _("Optimisation log"),
        "membership": _("Membership"),
        "invitation": _("Invitation"),
        "gate_criterion": _("Gate criterion"),
        "gate_rule": _("Decision rule"),
        "digest_setting": _("Digest settings"),
        "digest_preference": _("Digest frequency"),
        "api_token": _("API token"),
        "organisation": _("Organisation"),
        "control_chart_setting": _("Control charts"),
    }.get(table, table)


def operation_label(operation: str) -> str:
    return {"insert": _("added"), "update": _("changed"), "delete": _("removed")}.get(
        operation, operation
    )


def _fields() -> dict[str, str]:
    return {
        "name": _("Name"),
        "process_code": _("Process code"),
        "process_class": _("Process class"),
        "departments": _("Departments involved"),
        "owner": _("Owner"),
        "sponsor": _("Executive sponsor"),
        "goal_metric": _("Metric"),
        "goal_unit": _("Unit"),
        "goal_baseline": _("Baseline"),
        "goal_target": _("Target"),
        "goal_direction": _("Direction"),
        "goal_due": _("Due date"),
        "scope_in": _("In scope"),
        "scope_out": _("Out of scope"),
        "start_point": _("Process start point"),
        "end_point": _("Process end point"),
        "status": _("Status"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "planned_start": _("Planned start"),
        "planned_end": _("Planned end"),
        "actual_start": _("Actual start"),
        "actual_end": _("Actual end"),
        "number": _("Number"),
        "title": _("Problem"),
        "description": _("Description"),
        "category": _("Category"),
        "impact": _("Impact (1–5)"),
        "urgency": _("Urgency (1–5)"),
        "likelihood": _("Likelihood (1–5)"),
        "residual_likelihood": _("Residual likelihood"),
        "residual_impact": _("Residual impact"),
        "mitigation": _("Mitigation"),
        "review_date": _("Review date"),
        "fishbone": _("Root cause category"),
        "whys": _("5 whys"),
        "step": _("Step"),
        "role": _("Role"),
        "minutes": _("Minutes"),
        "kinds": pgettext("seed table", "Problems found"),
        "goal": _("Optimisation goal"),
        "problem": _("Problem addressed"),
        "measure": _("Measure"),
        "department": _("Responsible department"),
        "completion_date": _("Completion date"),
        "expected_effect": _("Expected effect (quantified)"),
        "stakeholder_group": _("Stakeholder group"),
        "level": _("Resistance level"),
        "barrier": _("ADKAR barrier"),
        "concern": _("Concern"),
        "root_cause": _("Root cause"),
        "action": _("Engagement action"),
        "due_date": _("Due date"),
        "outcome": _("Outcome"),
        "process": _("Pilot process"),
        "scope": _("Scope"),
        "summary": _("Summary"),
        "unit": _("Unit"),
        "direction": _("Direction"),
        "baseline": _("Baseline"),
        "result": _("Result"),
        "target": _("Target"),
        "score": _("Score"),
        "text": _("Text"),
        "cause": _("Cause"),
        "process_name": _("Process name"),
        "major": _("Major version"),
        "minor": _("Minor version"),
        "effective_date": _("Effective date"),
        "author": _("Author"),
        "change_summary": _("Change summary"),
        "exception_handling": _("Exception handling"),
        "contingency_plan": _("Contingency plan"),
        "position": _("Position"),
        "responsible": _("Responsible department / role"),
        "instructions": _("Operating instructions"),
        "inputs": _("Input documents"),
        "outputs": _("Output documents"),
        "time_value": _("Time limit"),
        "time_unit": _("Time unit"),
        "control_point": _("Key control point"),
        "forms_tools": _("Forms / tools"),
        "decision": _("Decision"),
        "comment": _("Comment"),
        "approver": _("Approver"),
        "letter": _("RACI"),
        "formula": _("Formula"),
        "data_source": _("Data source"),
        "frequency": _("Frequency"),
        "threshold": _("Alert threshold"),
        "chart_kind": _("Control chart"),
        "measured_on": _("Date"),
        "value": _("Value"),
        "denominator": _("Out of"),
        "source": _("Source"),
        "email": _("E-mail address"),
        "timezone": _("Time zone"),
        "training_pass_mark": _("Pass mark (1–100)"),
        "language": _("Language"),
        "require_2fa": _("Two-factor log-in"),
        "weekday": _("Day (weekly)"),
        "hour": _("Hour"),
        "kind": _("Kind"),
        "weight": _("Weight"),
        "evidence": _("Evidence"),
        "retired": _("Retired"),
        "gate": _("Gate"),
        "quorum_kind": _("Quorum"),
        "quorum_value": _("Quorum"),
        "go_threshold": _("Go needs"),
        "stop_needs_chair": _("Stop needs the chair"),
        "chair": _("Chair"),
        "approval_chain": _("Approval chain"),
        "token_hash": _("Token"),
        "password_hash": _("Password"),
        "totp_secret": _("Two-factor log-in"),
        "held_on": _("Date"),
        "trainer": _("Trainer"),
        "topic": _("Topic"),
        "attendee": _("Attendee"),
        "wave": _("Rollout wave"),
        "logged_on": _("Date"),
        "background": _("Background"),
        "measures": _("Measures"),
        "effect": _("Effect"),
        "notes": _("Notes"),
        "starts_on": _("Starts on"),
        "label": _("Label"),
        "limit_points": _("Points for the limits"),
        "rules": _("Special-cause rules"),
        "sustainment_days": _("Sustainment checks, days after the rollout gate"),
        "closed_at": _("Closed"),
        "closing_note": _("Closing note"),
        "accepted_at": _("Accepted"),
        "expires_at": _("Expires"),
        "initiative": _("Initiative"),
        "kpi": _("KPI"),
        "pilot": _("Pilot"),
        "session": _("Training session"),
        "document": _("SOP"),
        "version": _("SOP version"),
        "centre": _("Centre line"),
        "mr_bar": _("Average moving range"),
        "based_on": _("Based on"),
        "prefix": _("Token starts with"),
        "created_by": _("Created by"),
        "recorded_by": _("Recorded by"),
        "rated_by": _("Rated by"),
        "rated_at": _("Rated at"),
        "recorded_at": _("Recorded at"),
        "submitted_at": _("Submitted at"),
        "published_at": _("Published at"),
        "decided_at": _("Decided at"),
        "decided_by": _("Decided by"),
        "round": _("Round"),
        "key": _("Step key"),
        "acted_at": _("Acted at"),
        "note": _("Note"),
        "evidence_note": _("Evidence note"),
        "invited_by": _("Invited by"),
        "revoked_at": _("Revoked"),
    }


def field_label(table: str, column: str) -> str:
    if table == "risk" and column == "description":
        return _("Risk")
    if table == "kpi" and column == "name":
        return _("KPI")
    if table == "sop_step" and column == "name":
        return _("Step")
    if table == "gate_criterion" and column == "text":
        return _("Criterion")
    if table == "pilot" and column == "scope":
        return _("Pilot scope")
    return _fields().get(column, column)


def _choices(table: str, column: str) -> Callable[[str], str] | None:
    if column == "status":
        return {
            "initiative": labels.status_label,
            "problem": labels.problem_status_label,
            "risk": labels.risk_status_label,
            "sop_version": program_labels.sop_status_label,
            "rollout_wave": program_labels.wave_status_label,
            "resistance_entry": labels.action_status_label,
        }.get(table)
    if column == "category":
        return {
            "problem": labels.problem_category_label,
            "risk": labels.risk_category_label,
            "pilot_feedback": labels.feedback_label,
        }.get(table)
    return {
        "role": labels.role_label if table in ("membership", "invitation") else None,
        "process_class": labels.process_class_label,
        "goal_direction": labels.direction_label,
        "direction": labels.direction_label,
        "fishbone": labels.fishbone_label,
        "kinds": _kinds_label if table == "as_is_step" else None,
        "frequency": program_labels.frequency_label,
        "time_unit": program_labels.time_unit_label,
        "letter": program_labels.raci_label,
        "level": labels.resistance_level_label if table == "resistance_entry" else None,
        "barrier": labels.barrier_label,
        "kind": labels.criterion_kind_label if table == "gate_criterion" else None,
        "decision": labels.decision_label if table != "sop_approval" else None,
    }.get(column)


def _kinds_label(value: str) -> str:
    """An as-is step's kinds as stored ("efficiency,risk") → 「效率低、风险高」."""
    return labels.as_is_kinds_label(k for k in value.split(",") if k)


def value_label(table: str, column: str, value: Any, names: dict[int, str]) -> str:
    """A stored value as the reader sees it: a choice's label, a person's name, the text."""
    if value is None or value == "":
        return plain(value)
    if column in PERSON_COLUMNS and isinstance(value, int):
        return names.get(value, f"#{value}")
    if column == "current_phase" or (table == "phase" and column == "number"):
        return labels.phase_label(value) if isinstance(value, int) else plain(value)
    choose = _choices(table, column)
    if choose is not None and isinstance(value, str):
        return choose(value)
    return plain(value)
