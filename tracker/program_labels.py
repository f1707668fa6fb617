"""Translated labels of the programme's later phases (SOPs, rollout, KPIs and their
monitoring, mail, analytics, benefits), looked up in the current language; the earlier
phases' are in ``tracker.labels``."""

from __future__ import annotations

from tracker.i18n import gettext as _


def frequency_label(value: str) -> str:
    return {"daily": _("Daily"), "weekly": _("Weekly"), "monthly": _("Monthly")}.get(value, value)


def sop_status_label(value: str) -> str:
    return {
        "draft": _("Draft"),
        "in_review": _("In review"),
        "approved": _("Approved"),
        "published": _("Published"),
    }.get(value, value)


def time_unit_label(value: str) -> str:
    return {
        "minutes": _("minutes"),
        "hours": _("hours"),
        "days": _("days"),
        "workdays": _("working days"),
    }.get(value, value)


def wave_status_label(value: str) -> str:
    return {"planned": _("Planned"), "in_progress": _("In progress"), "done": _("Done")}.get(
        value, value
    )


def raci_label(letter: str) -> str:
    return {
        "R": _("Responsible"),
        "A": _("Accountable"),
        "C": _("Consulted"),
        "I": _("Informed"),
    }.get(letter, letter)


def step_field_label(name: str) -> str:
    return {
        "name": _("Step"),
        "responsible": _("Responsible department / role"),
        "instructions": _("Operating instructions"),
        "inputs": _("Input documents"),
        "outputs": _("Output documents"),
        "time_value": _("Time limit"),
        "time_unit": _("Time unit"),
        "control_point": _("Key control point"),
        "forms_tools": _("Forms / tools"),
        "owner_name": _("Responsible person"),
        "assistant_name": _("Assisting person"),
        "acceptance": _("Acceptance criterion"),
        "exception_handling": _("Exception handling"),
        "contingency_plan": _("Contingency plan"),
        "effective_date": _("Effective date"),
    }.get(name, name)


def _program_rule_messages() -> list[str]:
    """Never called: message ids of the SOP, RACI, rollout and KPI rules, for extraction."""
    return [
        _("A vague limit such as “ASAP” is not a time limit: give a number and a unit."),
        _("Give the time limit as a whole number greater than zero."),
        _("Choose the unit of the time limit."),
        _("No one is accountable (A)."),
        _("More than one role is accountable (A); keep exactly one."),
        _("No one is responsible (R)."),
        _("When lower is better, the alert threshold cannot be below the target."),
        _("When higher is better, the alert threshold cannot be above the target."),
        _("Use a whole number from 1 to 100."),
    ]


def time_limit_label(n: int, unit: str) -> str:
    """A step's time limit in words, e.g. "within 2 hours"."""
    from tracker.i18n import ngettext

    if unit == "minutes":
        return ngettext("within %(num)s minute", "within %(num)s minutes", n)
    if unit == "hours":
        return ngettext("within %(num)s hour", "within %(num)s hours", n)
    if unit == "days":
        return ngettext("within %(num)s day", "within %(num)s days", n)
    return ngettext("within %(num)s working day", "within %(num)s working days", n)


def mail_kind_label(value: str) -> str:
    return {
        "digest": _("Digest"),
        "review_reminder": _("Review reminder"),
        "condition_reminder": _("Condition reminder"),
        "invitation": _("Invitation"),
        "kpi_alert": _("KPI alert"),
        "password_reset": _("Password link"),
        "email_confirm": _("E-mail address confirmation"),
        "email_notice": _("E-mail address change notice"),
        "password_changed": _("Password change notice"),
        "notification": _("Notification"),
    }.get(value, value)


def mail_status_label(value: str) -> str:
    return {
        "pending": _("Pending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "held": _("Held"),
        "cancelled": _("Cancelled"),
    }.get(value, value)


def stage_label(value: str) -> str:
    return {
        "baseline": _("Baseline"),
        "pilot": _("After pilot start"),
        "rollout": _("After rollout"),
        "monitoring": _("Monitoring"),
        "other": _("Other stage"),
        "before": _("Before the first stage"),
    }.get(value, value)


def spc_rule_label(value: str) -> str:
    return {
        "beyond": _("A point beyond a natural process limit"),
        "run8": _("8 in a row on one side of the centre line"),
        "trend6": _("6 in a row rising or falling"),
        "two_of_three": _("2 of 3 beyond 2 sigma on one side"),
        "four_of_five": _("4 of 5 beyond 1 sigma on one side"),
    }.get(value, value)


def sustainment_label(value: str) -> str:
    return {"held": _("Gain held"), "drifting": _("Drifting"), "lost": _("Gain lost")}.get(
        value, value
    )


def not_set_label() -> str:
    return _("(not set)")


def pareto_dimension_label(value: str) -> str:
    return {
        "category": _("Category"),
        "fishbone": _("Fishbone cause"),
        "department": _("Department"),
        "process_class": _("Process class"),
        "barrier": _("ADKAR barrier"),
        "stakeholder_group": _("Stakeholder group"),
        "problems": _("Problems"),
        "risks": _("Risks"),
        "resistance": _("Resistance barriers"),
    }.get(value, value)


def analytics_kind_label(value: str) -> str:
    """The figure a drill-down of the analytics page lists, or a condition's state."""
    return {
        "now": _("Initiatives per phase now"),
        "overdue": _("Overdue phases now"),
        "completed": _("Completed initiatives"),
        "stopped": _("Stopped initiatives"),
        "entered": _("Entered a phase"),
        "left": _("Left a phase"),
        "decisions": _("Gate decisions"),
        "first": _("First reviews of a gate"),
        "phase_time": _("Finished phases against the plan"),
        "conditions": _("Conditions due"),
        "reviewer": _("Reviewer calibration"),
    }.get(value, value)


def condition_state_label(value: str) -> str:
    return {
        "on_time": _("Closed on time"),
        "late": _("Closed late"),
        "overdue": _("Open past due"),
    }.get(value, value)


def benefit_method_label(value: str) -> str:
    return {
        "entered": _("Entered"),
        "imported": _("Imported"),
        "derived": _("Derived from the KPI"),
    }.get(value, value)


def value_kind_label(value: str) -> str:
    return {"savings": _("Annual savings"), "revenue": _("Annual revenue")}.get(value, value)


def benefit_field_label(value: str) -> str:
    return {
        "metric_change": _("Expected change of the goal's metric"),
        "value_kind": _("Kind of benefit"),
        "annual_value": _("Annual value"),
        "one_off_cost": _("One-off cost"),
        "currency": _("Currency"),
        "start_month": _("Benefits start"),
    }.get(value, value)
