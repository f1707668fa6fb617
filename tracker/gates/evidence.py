"""Live evidence for the built-in gate criteria, computed from the registers. Reviewers
still score; the evidence is shown beside each criterion. ``judge`` is the pure rule that
turns gathered facts into met / not met and a sentence; ``gather`` reads the facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.i18n import gettext as _
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement
from tracker.pilots.tables import Pilot, PilotMetric
from tracker.problems import rules as problem_rules
from tracker.problems.tables import Measure, Problem
from tracker.rollout import rules as rollout_rules
from tracker.rollout import service as rollout_service
from tracker.rollout.tables import RolloutWave, TrainingResult
from tracker.sops import rules as sop_rules
from tracker.sops import versions as sop_versions
from tracker.sops.tables import SopDocument, SopVersion
from tracker.tenancy import TenantScope

CODES = (
    "smart_goal",
    "problems_registered",
    "root_causes",
    "measures_linked",
    "sop_drafted",
    "raci_valid",
    "pilot_before_after",
    "rollout_done",
    "training_pass",
    "sop_published",
    "kpis_monitored",
)


@dataclass(frozen=True)
class Evidence:
    met: bool
    message: str  # an English message id; ``text`` is translated
    params: tuple[tuple[str, Any], ...] = ()
    link: str = ""  # the register page, relative to /o/<slug>/

    @property
    def text(self) -> str:
        return _(self.message, **dict(self.params))


def judge(code: str, facts: dict[str, Any]) -> Evidence:
    """Pure: the evidence of one criterion from the facts gathered for it."""
    f = facts
    if code == "smart_goal":
        ok = f["baseline"] is not None and f["target"] is not None and f["due"] is not None
        if ok:
            return Evidence(
                True,
                "Goal: %(metric)s from %(baseline)s to %(target)s by %(due)s.",
                (
                    ("metric", f["metric"]),
                    ("baseline", f"{f['baseline']:g}"),
                    ("target", f"{f['target']:g}"),
                    ("due", f["due"].isoformat()),
                ),
                "edit",
            )
        return Evidence(False, "The goal lacks a baseline, a target or a due date.", (), "edit")
    if code == "problems_registered":
        return Evidence(
            f["problems"] > 0,
            "%(n)s problems registered, %(high)s of them do-first.",
            (("n", f["problems"]), ("high", f["high"])),
            "matrix",
        )
    if code == "root_causes":
        return Evidence(
            f["high"] > 0 and f["rooted"] == f["high"],
            "%(rooted)s of %(high)s do-first problems have a root cause (category and 5 whys).",
            (("rooted", f["rooted"]), ("high", f["high"])),
            "problems",
        )
    if code == "measures_linked":
        return Evidence(
            f["high"] > 0 and f["with_measure"] == f["high"],
            "%(n)s of %(high)s do-first problems have a measure.",
            (("n", f["with_measure"]), ("high", f["high"])),
            "measures",
        )
    if code == "sop_drafted":
        return Evidence(
            f["steps"] > 0,
            "The latest SOP version has %(n)s steps, each with a responsible role.",
            (("n", f["steps"]),),
            "sops",
        )
    if code == "raci_valid":
        if not f["steps"]:
            return Evidence(False, "No SOP steps yet, so no RACI matrix.", (), "sops")
        bad = f["raci_problems"]
        return Evidence(
            bad == 0,
            "RACI: %(bad)s of %(n)s steps break the rule (one A, at least one R).",
            (("bad", bad), ("n", f["steps"])),
            "sops",
        )
    if code == "pilot_before_after":
        return Evidence(
            f["metrics"] > 0 and f["measured"] == f["metrics"],
            "%(done)s of %(n)s pilot metrics have before and after values.",
            (("done", f["measured"]), ("n", f["metrics"])),
            "pilots",
        )
    if code == "rollout_done":
        return Evidence(
            f["waves"] > 0 and f["done"] == f["waves"],
            "%(done)s of %(n)s rollout waves done.",
            (("done", f["done"]), ("n", f["waves"])),
            "rollout",
        )
    if code == "training_pass":
        rate: rollout_rules.PassRate = f["rate"]
        if not rate.assessed:
            return Evidence(False, "No training assessment recorded yet.", (), "rollout")
        return Evidence(
            (rate.rate or 0) >= rollout_rules.TARGET_PASS_RATE,
            "Pass rate %(rate)s %% (%(passed)s of %(n)s at pass mark %(mark)s); "
            "target %(target)s %%.",
            (
                ("rate", rate.percent),
                ("passed", rate.passed),
                ("n", rate.assessed),
                ("mark", f["mark"]),
                ("target", int(rollout_rules.TARGET_PASS_RATE * 100)),
            ),
            "rollout",
        )
    if code == "sop_published":
        if f["published"]:
            return Evidence(
                True,
                "%(label)s published, effective %(date)s.",
                (("label", f["published"]["label"]), ("date", f["published"]["date"])),
                "sops",
            )
        return Evidence(False, "No SOP version is published yet.", (), "sops")
    if code == "kpis_monitored":
        return Evidence(
            f["kpis"] > 0 and f["measured"] == f["kpis"],
            "%(measured)s of %(n)s KPIs have measurements; %(alerts)s open alerts.",
            (("measured", f["measured"]), ("n", f["kpis"]), ("alerts", f["alerts"])),
            "kpis",
        )
    raise ValueError(f"unknown evidence {code!r}")


async def _problem_facts(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    rows = await scope.select(
        Problem, Problem.id, Problem.impact, Problem.urgency, Problem.fishbone, Problem.whys
    ).where(Problem.initiative == initiative_id)
    high = [
        r
        for r in rows
        if problem_rules.quadrant(r["impact"], r["urgency"]) == problem_rules.Quadrant.DO_FIRST
    ]
    measured = {
        m["problem"]
        for m in await scope.select(Measure, Measure.problem).where(
            Measure.initiative == initiative_id
        )
    }
    return {
        "problems": len(rows),
        "high": len(high),
        "rooted": sum(1 for r in high if r["fishbone"] and r["whys"].strip()),
        "with_measure": sum(1 for r in high if r["id"] in measured),
    }


async def _sop_facts(scope: TenantScope, initiative_id: int) -> dict[str, Any]:
    docs = await scope.select(SopDocument, SopDocument.id).where(
        SopDocument.initiative == initiative_id
    )
    versions = (
        await scope.select(
            SopVersion,
            SopVersion.id,
            SopVersion.major,
            SopVersion.minor,
            SopVersion.status,
            SopVersion.effective_date,
        )
        .where(SopVersion.document.is_in([d["id"] for d in docs]))
        .order_by(SopVersion.id)
        if docs
        else []
    )
    facts: dict[str, Any] = {"steps": 0, "raci_problems": 0, "published": None}
    if not versions:
        return facts
    latest = versions[-1]
    steps = await sop_versions.steps_of(scope, latest["id"])
    raci = await sop_versions.raci_of(scope, latest["id"], steps)
    facts["steps"] = len(steps)
    facts["raci_problems"] = len(raci["problems"])
    published = [
        v for v in versions if v["status"] == sop_rules.Status.PUBLISHED and v["effective_date"]
    ]
    if published:
        v = published[-1]
        facts["published"] = {
            "label": sop_rules.version_label(v["major"], v["minor"]),
            "date": v["effective_date"].isoformat(),
        }
    return facts


async def gather(scope: TenantScope, initiative_id: int, codes: set[str]) -> dict[str, Evidence]:
    """The evidence of each known code; queries only the registers the codes need."""
    codes = codes & set(CODES)
    facts: dict[str, Any] = {}
    if "smart_goal" in codes:
        goal = await scope.get(
            Initiative,
            initiative_id,
            Initiative.goal_metric,
            Initiative.goal_baseline,
            Initiative.goal_target,
            Initiative.goal_due,
        )
        facts.update(
            metric=goal["goal_metric"],
            baseline=goal["goal_baseline"],
            target=goal["goal_target"],
            due=goal["goal_due"],
        )
    if codes & {"problems_registered", "root_causes", "measures_linked"}:
        facts.update(await _problem_facts(scope, initiative_id))
    if codes & {"sop_drafted", "raci_valid", "sop_published"}:
        facts.update(await _sop_facts(scope, initiative_id))
    if "pilot_before_after" in codes:
        metrics = await scope.select(PilotMetric, PilotMetric.result).where(
            PilotMetric.pilot.is_in(
                scope.select(Pilot, Pilot.id).where(Pilot.initiative == initiative_id)
            )
        )
        facts.update(
            metrics=len(metrics), measured=sum(1 for m in metrics if m["result"] is not None)
        )
    if "rollout_done" in codes:
        waves = await scope.select(RolloutWave, RolloutWave.status).where(
            RolloutWave.initiative == initiative_id
        )
        facts.update(waves=len(waves), done=sum(1 for w in waves if w["status"] == "done"))
    if "training_pass" in codes:
        mark = await rollout_service.pass_mark(scope.org_id)
        scores = await scope.select(TrainingResult, TrainingResult.score).where(
            TrainingResult.session.initiative == initiative_id
        )
        facts.update(rate=rollout_rules.pass_rate([s["score"] for s in scores], mark), mark=mark)
    if "kpis_monitored" in codes:
        kpis = await scope.select(Kpi, Kpi.id).where(Kpi.initiative == initiative_id)
        ids = [k["id"] for k in kpis]
        measured = (
            {
                m["kpi"]
                for m in await scope.select(KpiMeasurement, KpiMeasurement.kpi)
                .where(KpiMeasurement.kpi.is_in(ids))
                .distinct()
            }
            if ids
            else set()
        )
        alerts = (
            await scope.count(KpiAlert).where(
                KpiAlert.kpi.is_in(ids), KpiAlert.acknowledged_at.is_null()
            )
            if ids
            else 0
        )
        facts.update(kpis=len(ids), measured=len(measured), alerts=alerts)
    return {code: judge(code, facts) for code in codes}


def _messages() -> list[str]:
    """Never called: the evidence sentences, for extraction."""
    return [
        _("Goal: %(metric)s from %(baseline)s to %(target)s by %(due)s."),
        _("The goal lacks a baseline, a target or a due date."),
        _("%(n)s problems registered, %(high)s of them do-first."),
        _("%(rooted)s of %(high)s do-first problems have a root cause (category and 5 whys)."),
        _("%(n)s of %(high)s do-first problems have a measure."),
        _("The latest SOP version has %(n)s steps, each with a responsible role."),
        _("No SOP steps yet, so no RACI matrix."),
        _("RACI: %(bad)s of %(n)s steps break the rule (one A, at least one R)."),
        _("%(done)s of %(n)s pilot metrics have before and after values."),
        _("%(done)s of %(n)s rollout waves done."),
        _("No training assessment recorded yet."),
        _(
            "Pass rate %(rate)s %% (%(passed)s of %(n)s at pass mark %(mark)s); "
            "target %(target)s %%."
        ),
        _("%(label)s published, effective %(date)s."),
        _("No SOP version is published yet."),
        _("%(measured)s of %(n)s KPIs have measurements; %(alerts)s open alerts."),
    ]
