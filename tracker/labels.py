"""Translated labels for the domain's enumerations, looked up in the current language."""

from __future__ import annotations

from tracker.i18n import gettext as _


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
        _("Use at least 10 characters."),
        _("Use at most 200 characters."),
        _("Use more different characters."),
        _("Do not use your e-mail address as your password."),
        _("The target must be below the baseline when lower is better."),
        _("The target must be above the baseline when higher is better."),
    ]
