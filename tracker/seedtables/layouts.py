"""The seeds' tables: their names and their columns, in the seeds' order.

Each text is translated with the context "seed table", whose Chinese is exactly the seed's own
word (see ../shared/seeds); English readers get English headers. Pure: no database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracker.i18n import pgettext


@dataclass(frozen=True)
class Layout:
    key: str  # in URLs and file names
    seed: str  # where the seeds have it, e.g. "004 表2"
    title: str
    columns: tuple[str, ...]
    extra: tuple[str, ...] = ()  # the app's own columns after the seed's (named, so they import)

    @property
    def headers(self) -> tuple[str, ...]:
        return (*self.columns, *self.extra)


def sop_steps() -> Layout:
    return Layout(
        "sop-steps",
        "000",
        pgettext("seed table", "SOP steps"),
        (
            pgettext("seed table", "Process step"),
            pgettext("seed table", "Responsible department/person"),
            pgettext("seed table", "Operating instructions"),
            pgettext("seed table", "Input documents/information"),
            pgettext("seed table", "Output documents/information"),
            pgettext("seed table", "Time requirement"),
            pgettext("seed table", "Key control point"),
        ),
        (pgettext("seed table", "Forms/tools"),),
    )


def sop_basic() -> Layout:
    return Layout(
        "sop-basic",
        "001",
        pgettext("seed table", "Process basic information"),
        (
            pgettext("seed table", "Step number"),
            pgettext("seed table", "Step name"),
            pgettext("seed table", "Responsible department/person"),
            pgettext("seed table", "Operating instructions"),
            pgettext("seed table", "Time requirement"),
            pgettext("seed table", "Key control point"),
        ),
    )


def sop_basic_block() -> tuple[str, ...]:
    """The labelled block above the steps of seed 001."""
    return (
        pgettext("seed table", "Process name"),
        pgettext("seed table", "Process number"),
        pgettext("seed table", "Version number"),
        pgettext("seed table", "Effective date"),
        pgettext("seed table", "Prepared by"),
        pgettext("seed table", "Reviewed by"),
        pgettext("seed table", "Approved by"),
        pgettext("seed table", "Scope of application"),
    )


def standardisation() -> Layout:
    return Layout(
        "standardisation",
        "002",
        pgettext("seed table", "Business process standardisation table"),
        (
            pgettext("seed table", "Process name"),
            pgettext("seed table", "Responsible post"),
            pgettext("seed table", "Process step"),
            pgettext("seed table", "Operating standard"),
            pgettext("seed table", "Input requirements"),
            pgettext("seed table", "Output requirements"),
            pgettext("seed table", "Time node"),
            pgettext("seed table", "Related forms/tools"),
        ),
    )


def process_inventory() -> Layout:
    return Layout(
        "process-inventory",
        "003 模板一",
        pgettext("seed table", "Business process inventory"),
        (
            pgettext("seed table", "Process name"),
            pgettext("seed table", "Department"),
            pgettext("seed table", "Current version"),
            pgettext("seed table", "Process owner"),
            pgettext("seed table", "Key nodes (in order)"),
            pgettext("seed table", "Problem description"),
            pgettext("seed table", "Optimisation suggestions"),
        ),
    )


def task_assignment() -> Layout:
    return Layout(
        "task-assignment",
        "003 模板二",
        pgettext("seed table", "Process execution task assignment"),
        (
            pgettext("seed table", "Process step"),
            pgettext("seed table", "Executing department/post"),
            pgettext("seed table", "Responsible person"),
            pgettext("seed table", "Assisting person"),
            pgettext("seed table", "Time limit"),
            pgettext("seed table", "Output"),
            pgettext("seed table", "Acceptance criterion"),
        ),
    )


def kpi_monitoring() -> Layout:
    return Layout(
        "kpi-monitoring",
        "003 模板三",
        pgettext("seed table", "Process monitoring indicators"),
        (
            pgettext("seed table", "Indicator name"),
            pgettext("seed table", "Formula"),
            pgettext("seed table", "Data source"),
            pgettext("seed table", "Monitoring frequency"),
            pgettext("seed table", "Target value"),
            pgettext("seed table", "Actual value"),
            pgettext("seed table", "Responsible department"),
        ),
        (
            pgettext("seed table", "Unit"),
            pgettext("seed table", "Measured on"),
        ),
    )


def optimisation_log() -> Layout:
    return Layout(
        "optimisation-log",
        "003 模板四",
        pgettext("seed table", "Process optimisation log"),
        (
            pgettext("seed table", "Optimisation date"),
            pgettext("seed table", "Process name"),
            pgettext("seed table", "Optimisation background"),
            pgettext("seed table", "Specific measures"),
            pgettext("seed table", "Effect evaluation"),
            pgettext("seed table", "Person in charge"),
            pgettext("seed table", "Remarks"),
        ),
    )


def as_is_survey() -> Layout:
    return Layout(
        "as-is-survey",
        "004 表1",
        pgettext("seed table", "Operating process as-is survey"),
        (
            pgettext("seed table", "Process name"),
            pgettext("seed table", "Departments involved"),
            pgettext("seed table", "Current steps (in order)"),
            pgettext("seed table", "Responsible post"),
            pgettext("seed table", "Time per step (minutes)"),
            pgettext("seed table", "Problems found"),
            pgettext("seed table", "Problem details"),
        ),
    )


def design() -> Layout:
    return Layout(
        "design",
        "004 表2",
        pgettext("seed table", "Process optimisation design"),
        (
            pgettext("seed table", "Optimisation goal"),
            pgettext("seed table", "Problem point"),
            pgettext("seed table", "Specific optimisation measure"),
            pgettext("seed table", "Responsible department"),
            pgettext("seed table", "Completion date"),
            pgettext("seed table", "Expected effect (quantified)"),
        ),
    )


def pilot_evaluation() -> Layout:
    return Layout(
        "pilot-evaluation",
        "004 表3",
        pgettext("seed table", "Pilot effect evaluation"),
        (
            pgettext("seed table", "Pilot process"),
            pgettext("seed table", "Pilot scope"),
            pgettext("seed table", "Key indicator"),
            pgettext("seed table", "Data before"),
            pgettext("seed table", "Data after"),
            pgettext("seed table", "Difference rate"),
            pgettext("seed table", "Satisfaction (1-5)"),
            pgettext("seed table", "Unmet problems and causes"),
        ),
        (pgettext("seed table", "Target"),),
    )


def version_log() -> Layout:
    return Layout(
        "version-log",
        "004 表4",
        pgettext("seed table", "Process optimisation log (version management)"),
        (
            pgettext("seed table", "Process ID"),
            pgettext("seed table", "Process name"),
            pgettext("seed table", "Version number"),
            pgettext("seed table", "Effective date"),
            pgettext("seed table", "Summary of changes"),
            pgettext("seed table", "Changed by"),
            pgettext("seed table", "Reviewed by"),
            pgettext("seed table", "Remarks"),
        ),
    )


def risks() -> Layout:
    return Layout(
        "risks",
        "004 §4",
        pgettext("seed table", "Risks and responses"),
        (
            pgettext("seed table", "Risk"),
            pgettext("seed table", "Risk manifestation"),
            pgettext("seed table", "Response strategy"),
        ),
        (
            pgettext("seed table", "Category"),
            pgettext("seed table", "Likelihood"),
            pgettext("seed table", "Impact"),
            pgettext("seed table", "Score"),
            pgettext("seed table", "Owner"),
            pgettext("seed table", "Status"),
        ),
    )


def matrix() -> Layout:
    return Layout(
        "matrix",
        "004",
        pgettext("seed table", "Impact-urgency matrix"),
        (
            pgettext("seed table", "Problem"),
            pgettext("seed table", "Scope of impact"),
            pgettext("seed table", "Urgency"),
            pgettext("seed table", "Quadrant"),
        ),
        (
            pgettext("seed table", "Category"),
            pgettext("seed table", "Status"),
            pgettext("seed table", "Owner"),
        ),
    )


# the tables of one initiative, and of one SOP version, in the seeds' order
INITIATIVE: dict[str, Callable[[], Layout]] = {
    "as-is-survey": as_is_survey,
    "matrix": matrix,
    "design": design,
    "pilot-evaluation": pilot_evaluation,
    "risks": risks,
    "kpi-monitoring": kpi_monitoring,
    "optimisation-log": optimisation_log,
}
SOP_VERSION: dict[str, Callable[[], Layout]] = {
    "sop-steps": sop_steps,
    "sop-basic": sop_basic,
    "standardisation": standardisation,
    "task-assignment": task_assignment,
    "version-log": version_log,
}
