"""The rows of each seed table, read through the areas' own services: a fixed number of
queries per table whatever its length. Each builder returns the table's rows in its layout's
column order; columns the seed does not have may follow its own."""

from __future__ import annotations

from typing import Any

from tracker import labels, program_labels
from tracker.i18n import pgettext
from tracker.kpis import optimisation
from tracker.kpis import service as kpis
from tracker.pilots import service as pilots
from tracker.problems import rules as problem_rules
from tracker.problems import service as problems
from tracker.problems.tables import AsIsStep
from tracker.risks import service as risks
from tracker.tenancy import TenantScope

Row = list[Any]


def _time(step: dict[str, Any]) -> str:
    if step["time_value"] is None:
        return ""
    return program_labels.time_limit_label(step["time_value"], step["time_unit"])


def _pct(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


async def as_is_survey(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    steps = (
        await scope.select(
            AsIsStep,
            *AsIsStep.all_columns(),
            AsIsStep.problem.title,
            AsIsStep.problem.description,
        )
        .where(AsIsStep.problem.initiative == initiative["id"])
        .order_by(AsIsStep.problem)
        .order_by(AsIsStep.position)
    )
    return [
        [
            initiative["name"],
            initiative["departments"],
            f"{n}. {s['step']}",
            s["role"],
            s["minutes"],
            labels.as_is_kinds_label(problem_rules.kinds_of(s["kinds"])),
            ": ".join(t for t in (s["problem.title"], s["problem.description"]) if t),
        ]
        for n, s in enumerate(steps, start=1)
    ]


async def matrix(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    return [
        [
            p["title"],
            p["impact"],
            p["urgency"],
            labels.quadrant_label(p["quadrant"]),
            labels.problem_category_label(p["category"]),
            labels.problem_status_label(p["status"]),
            p["owner.name"],
        ]
        for p in await problems.problems(scope, initiative["id"])
    ]


async def design(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    return [
        [
            m["goal"],
            m["problem.title"],
            m["measure"],
            m["department"],
            m["completion_date"],
            m["expected_effect"],
        ]
        for m in await problems.measures(scope, initiative["id"])
    ]


async def pilot_evaluation(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    def metric(r: dict[str, Any]) -> str:
        return f"{r['name']} ({r['unit']})" if r["unit"] else str(r["name"])

    return [
        [
            r["pilot.process"],
            r["pilot.scope"],
            metric(r),
            r["baseline"],
            r["result"],
            _pct(r["change"]),
            r["satisfaction"],
            r["unmet"],
            r["target"],
        ]
        for r in await pilots.evaluation_rows(scope, initiative["id"])
    ]


async def risk_rows(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    return [
        [
            r["description"],
            r.get("manifestation", ""),
            r["mitigation"],
            labels.risk_category_label(r["category"]),
            r["likelihood"],
            r["impact"],
            r["score"],
            r["owner.name"],
            labels.risk_status_label(r["status"]),
        ]
        for r in await risks.risks(scope, initiative["id"])
    ]


async def kpi_monitoring(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    return [
        [
            k["name"],
            k["formula"],
            k["data_source"],
            program_labels.frequency_label(k["frequency"]),
            k["target"],
            k["latest"]["value"] if k["latest"] else None,
            k["department"],
            k["unit"],
            k["latest"]["measured_on"] if k["latest"] else None,
        ]
        for k in await kpis.kpis(scope, initiative["id"])
    ]


async def optimisation_log(scope: TenantScope, initiative: dict[str, Any]) -> list[Row]:
    return [
        [
            e["logged_on"],
            e["process"],
            e["background"],
            e["measures"],
            e["effect"],
            e["owner"],
            e["notes"],
        ]
        for e in await optimisation.optimisation_log(scope, initiative["id"])
    ]


INITIATIVE = {
    "as-is-survey": as_is_survey,
    "matrix": matrix,
    "design": design,
    "pilot-evaluation": pilot_evaluation,
    "risks": risk_rows,
    "kpi-monitoring": kpi_monitoring,
    "optimisation-log": optimisation_log,
}


# SOP versions: from the version's page view (tracker.sops.versions.version_view)


def sop_steps(view: dict[str, Any]) -> list[Row]:
    return [
        [
            s["name"],
            s["responsible"],
            s["instructions"],
            s["inputs"],
            s["outputs"],
            _time(s),
            s["control_point"],
            s["forms_tools"],
        ]
        for s in view["steps"]
    ]


def sop_basic(view: dict[str, Any]) -> list[Row]:
    return [
        [n, s["name"], s["responsible"], s["instructions"], _time(s), s["control_point"]]
        for n, s in enumerate(view["steps"], start=1)
    ]


def sop_basic_block(view: dict[str, Any]) -> list[Any]:
    version, signers = view["version"], view["signers"]
    return [
        version["document.process_name"],
        version["document.number"],
        version["label"],
        version["effective_date"],
        version["author.name"],
        signers["reviewer"],
        signers["approver"],
        version["scope"],
    ]


def standardisation(view: dict[str, Any]) -> list[Row]:
    name = view["version"]["document.process_name"]
    return [
        [
            name,
            s["responsible"],
            s["name"],
            s["instructions"],
            s["inputs"],
            s["outputs"],
            _time(s),
            s["forms_tools"],
        ]
        for s in view["steps"]
    ]


def task_assignment(view: dict[str, Any]) -> list[Row]:
    """Who does each step: the RACI grid's accountable roles are the responsible person, its
    responsible and consulted roles the assisting ones (the step's own people where given)."""
    raci = view["raci"]

    def roles(step_id: int, letters: str) -> str:
        return pgettext("list separator", ", ").join(
            r["name"]
            for r in raci["roles"]
            if raci["cells"].get((step_id, r["id"])) in tuple(letters)  # a step without a cell too
        )

    return [
        [
            s["name"],
            s["responsible"],
            s.get("owner_name") or roles(s["id"], "A"),
            s.get("assistant_name") or roles(s["id"], "RC"),
            _time(s),
            s["outputs"],
            s.get("acceptance", ""),
        ]
        for s in view["steps"]
    ]


def version_log(document: dict[str, Any]) -> list[Row]:
    doc = document["doc"]
    return [
        [
            doc["number"],
            doc["process_name"],
            v["label"],
            v["effective_date"],
            v["change_summary"],
            v["author.name"],
            v["reviewer"],
            v.get("remarks") or "",
        ]
        for v in reversed(document["versions"])  # oldest first, as a log is kept
    ]
