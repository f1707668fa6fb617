"""Translated labels for the domain's enumerations, looked up in the current language."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.i18n import gettext as _
from tracker.i18n import pgettext


def phase_label(number: int) -> str:
    return {
        1: _("Scoping"),
        2: _("Research"),
        3: _("Design"),
        4: _("Pilot"),
        5: _("Rollout"),
        6: _("Monitoring"),
    }.get(number, str(number))


def phase_full_label(number: int) -> str:
    return {
        1: _("Define goal and scope"),
        2: _("Research the current state and diagnose problems"),
        3: _("Design the solution and standardise"),
        4: _("Pilot and verify the effect"),
        5: _("Roll out and train"),
        6: _("Monitor continuously and iterate"),
    }.get(number, str(number))


def status_label(status: str) -> str:
    return {
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "blocked": _("Blocked"),
        "on_hold": _("On hold"),
        "stopped": _("Stopped"),
        "completed": _("Completed"),
    }.get(status, status)


def role_label(role: str) -> str:
    return {
        "admin": _("Admin"),
        "lead": _("Program lead"),
        "committee": _("Steering committee"),
        "member": _("Team member"),
        "viewer": _("Viewer"),
    }.get(role, role)


def process_class_label(value: str) -> str:
    return {
        "core": _("Core process"),
        "support": _("Support process"),
        "management": _("Management process"),
    }.get(value, value)


def direction_label(value: str) -> str:
    return {"lower": _("Lower is better"), "higher": _("Higher is better")}.get(value, value)


def translate(message: str) -> str:
    """Translate a message id produced by a pure rule (rules return English source strings)."""
    return _(message)


def _rule_messages() -> list[str]:
    """Never called: lists the pure rules' message ids so that extraction finds them."""
    return [
        _("Use at least 12 characters."),
        _("Use at most 200 characters."),
        _("Use more different characters."),
        _("Do not use your e-mail address as your password."),
        _("This is a common password, or too close to one."),
        _("Do not use your e-mail address or name in your password."),
        _("Common words and names on their own are easy to guess."),
        _("Keyboard patterns such as qwerty are easy to guess."),
        _("Repeated characters or words such as abcabc are easy to guess."),
        _("Sequences such as abc or 6543 are easy to guess."),
        _("Years and dates are easy to guess."),
        _("This password is too easy to guess."),
        _("Add another word or two: a few unrelated words make a strong password."),
        _("Too many failed log-ins from your network. Try again in %(n)s minutes."),
        _(
            "Someone has tried many wrong passwords on this account, so it only opens from a "
            "browser that logged in to it before. If it is yours, we have e-mailed you a link "
            "that lets this browser in at once; or try again in %(n)s minutes."
        ),
        _("The target must be below the baseline when lower is better."),
        _("The target must be above the baseline when higher is better."),
        _("The goal's due date cannot be in the past."),
        _("Choose a member of this organisation."),
        _("A condition cannot be due in the past."),
        _("Write the condition."),
    ]


def decision_label(value: str) -> str:
    return {
        "go": _("Go"),
        "go_conditions": _("Go with conditions"),
        "recycle": _("Recycle"),
        "hold": _("Hold"),
        "stop": _("Stop"),
        "abstain": _("Abstain"),
    }.get(value, value)


def review_status_label(value: str) -> str:
    return {
        "open": _("Open for votes"),
        "awaiting_chair": _("Waiting for the chair"),
        "approving": _("In the approval chain"),
        "decided": _("Decided"),
        "withdrawn": _("Withdrawn"),
    }.get(value, value)


def criterion_kind_label(value: str) -> str:
    return {"must": _("Must-meet"), "should": _("Should-meet")}.get(value, value)


def method_label(value: str) -> str:
    return {
        "rule": _("by the decision rule"),
        "chair": _("by the chair"),
        "approval": _("in the approval chain"),
    }.get(value, value)


def event_label(kind: str) -> str:
    return {
        "review_requested": _("Gate review requested"),
        "voted": _("Voted"),
        "awaiting_chair": _("Handed to the chair"),
        "approval_started": _("Sent to the approval chain"),
        "approval_approved": _("Approved"),
        "approval_declined": _("Declined"),
        "decided": _("Gate decided"),
        "condition_closed": _("Condition closed"),
        "condition_replanned": _("Condition reassigned or re-dated"),
        "resumed": _("Resumed"),
        "correction_added": _("Correction recorded"),
        "reviewer_left": _("Reviewer left the organisation"),
        "review_withdrawn": _("Review withdrawn"),
        "handed_over": _("Handed over"),
        "sustainment_accepted": _("Recycle to Design accepted after a sustainment check"),
        "sustainment_dismissed": _("Recycle to Design dismissed after a sustainment check"),
        "benefits_rebaselined": _("Benefit plan re-baselined"),
    }.get(kind, kind)


def _gate_rule_messages() -> list[str]:
    """Never called: the gate rules' message ids, for extraction."""
    return [
        _("Waiting for the quorum."),
        _("Every reviewer abstained."),
        _("Waiting for a vote that is not an abstention."),
        _("A Stop vote needs the chair's confirmation."),
        _("A must-meet criterion failed: the chair decides."),
        _("Majority for Go."),
        _("Majority vote."),
        _("No majority: the chair decides."),
        _("No majority yet."),
        _("Answer yes or no."),
        _("Score from 1 to 5."),
    ]


def problem_category_label(value: str) -> str:
    return {
        "efficiency": _("Efficiency"),
        "quality": _("Quality"),
        "coordination": _("Coordination"),
        "risk": _("Risk"),
    }.get(value, value)


def as_is_kind_label(value: str) -> str:
    """A problem kind of an as-is step in seed 004 表1's words: 效率低, 质量差, 协同难, 风险高."""
    return {
        "efficiency": pgettext("problem kind", "Low efficiency"),
        "quality": pgettext("problem kind", "Poor quality"),
        "coordination": pgettext("problem kind", "Poor coordination"),
        "risk": pgettext("problem kind", "High risk"),
    }.get(value, value)


def as_is_kinds_label(kinds: Iterable[str]) -> str:
    """Several kinds as the seed writes them: 「效率低、协同难」, "Low efficiency, High risk"."""
    return pgettext("list separator", ", ").join(as_is_kind_label(k) for k in kinds)


def quadrant_label(value: str) -> str:
    return {
        "do_first": _("Do first"),
        "plan": _("Plan"),
        "quick_fix": _("Quick fix"),
        "defer": _("Defer"),
    }.get(value, value)


def fishbone_label(value: str) -> str:
    return {
        "people": _("People"),
        "machine": _("Machine"),
        "material": _("Material"),
        "method": _("Method"),
        "environment": _("Environment"),
    }.get(value, value or "")


def problem_status_label(value: str) -> str:
    return {
        "open": _("Open"),
        "analysing": _("Analysing"),
        "solved": _("Solved"),
        "deferred": _("Deferred"),
    }.get(value, value)


def risk_category_label(value: str) -> str:
    return {
        "organisation": _("Organisation"),
        "communication": _("Communication"),
        "people": _("People"),
        "process": _("Process"),
        "data": _("Data"),
        "other": _("Other"),
    }.get(value, value)


def risk_status_label(value: str) -> str:
    return {"open": _("Open"), "mitigating": _("Mitigating"), "closed": _("Closed")}.get(
        value, value
    )


def band_label(value: str) -> str:
    return {
        "low": _("Low"),
        "medium": _("Medium"),
        "high": _("High"),
        "critical": _("Critical"),
    }.get(value, value)


def resistance_level_label(value: str) -> str:
    return {"none": _("None"), "low": _("Low"), "medium": _("Medium"), "high": _("High")}.get(
        value, value
    )


def barrier_label(value: str) -> str:
    return {
        "awareness": _("Awareness"),
        "desire": _("Desire"),
        "knowledge": _("Knowledge"),
        "ability": _("Ability"),
        "reinforcement": _("Reinforcement"),
    }.get(value, value)


def action_status_label(value: str) -> str:
    return {"open": _("Open"), "in_progress": _("In progress"), "done": _("Done")}.get(value, value)


def feedback_label(value: str) -> str:
    return {
        "process": _("Process"),
        "form": _("Form"),
        "tool": _("Tool"),
        "training": _("Training"),
        "other": _("Other"),
    }.get(value, value)


def _import_messages() -> list[str]:
    """Never called: the import reader's message ids, for extraction."""
    return [
        _("Upload a .csv or .xlsx file."),
        _("The file is larger than 2 MB."),
        _("The file is not a readable XLSX workbook."),
        _("The file is neither UTF-8 nor GBK text."),
        _("The file is not a readable CSV file."),
        _("The file is empty."),
        _("The file has more than 2000 rows."),
        _("Unknown column."),
        _("This column is missing."),
        _("Formulas are not accepted; enter the value."),
        _("The file has more than 50 columns."),
        _("This is not a text file; save the sheet as CSV and upload that."),
        _("The workbook expands to more than 20 MB; split it."),
        _("The workbook holds more than 200,000 cells; split it."),
    ]
