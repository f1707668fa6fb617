"""Demo data of the later phases: SOPs with versions and a RACI matrix, rollout waves with
training results, KPIs with a year of weekly measurements, alerts and the optimisation log.
Also used by the load benchmark and the route probe, so every kind of row exists."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tracker import demo_content as c
from tracker.demo_content import resolve
from tracker.kpis import rules as kpi_rules
from tracker.kpis import spc
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, KpiStage, OptimisationEntry
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.sops.tables import RaciCell, RaciRole, SopApproval, SopDocument, SopStep, SopVersion

# per step: the letter of each role (one A, at least one R)
RACI = ["RACI", "RAIC", "CARI", "RAIC", "IARC"]


async def seed_sop(
    org: int,
    initiative: int,
    number: str,
    name: str,
    people: list[int],
    today: date,
    stage: str,
    kind: str = "COMPLAINT",
    lang: str = "en",
) -> int:
    """An SOP: "revised" (V1.0 then V1.1 published), "published" (V1.0 published, V1.1 in
    review), "published_once" (V1.0 published), "approved" (V1.0 approved, not yet published)
    or "draft" (V1.0 draft with RACI half filled). Returns the document id."""
    doc = (
        await SopDocument.insert(
            SopDocument(org=org, initiative=initiative, process_name=name, number=number)
        )
    )[0]["id"]
    text = resolve(
        {
            "scope": c.SOP_SCOPE,
            "exceptions": c.SOP_EXCEPTIONS,
            "contingency": c.SOP_CONTINGENCY,
            "change": c.SOP_CHANGE,
            "instructions": c.SOP_INSTRUCTIONS,
            "inputs": c.SOP_INPUTS,
            "outputs": c.SOP_OUTPUTS,
            "levels": c.SOP_LEVELS,
            "steps": c.STEPS.get(kind, c.STEPS["COMPLAINT"]),
            "roles": c.RACI_ROLES.get(kind, c.RACI_ROLES["COMPLAINT"]),
        },
        lang,
    )

    async def version(
        major: int, minor: int, status: str, based_on: int | None, age: int = 40
    ) -> int:
        published = status == "published"
        row = SopVersion(
            org=org,
            document=doc,
            major=major,
            minor=minor,
            status=status,
            author=people[1],
            scope=text["scope"],
            exception_handling=text["exceptions"],
            contingency_plan=text["contingency"],
            change_summary="" if based_on is None else text["change"],
            based_on=based_on,
            effective_date=today - timedelta(days=age) if published else None,
            published_at=datetime.now(UTC) - timedelta(days=age + 2) if published else None,
        )
        return int((await SopVersion.insert(row))[0]["id"])

    async def content(version_id: int, first_limit: int, letters: list[str]) -> None:
        roles = [
            (await RaciRole.insert(RaciRole(org=org, version=version_id, position=i, name=r)))[0][
                "id"
            ]
            for i, r in enumerate(text["roles"])
        ]
        for position, (step_name, who, limit, unit, control) in enumerate(text["steps"]):
            step = (
                await SopStep.insert(
                    SopStep(
                        org=org,
                        version=version_id,
                        position=position,
                        key=keys[position],
                        name=step_name,
                        responsible=who,
                        instructions=text["instructions"].format(n=position + 1),
                        inputs=text["inputs"],
                        outputs=text["outputs"],
                        time_value=first_limit if position == 0 else limit,
                        time_unit=unit,
                        control_point=control,
                        forms_tools="CRM",
                    )
                )
            )[0]["id"]
            pattern = letters[position] if position < len(letters) else ""
            cells = [
                RaciCell(org=org, step=step, role=role, letter=letter)
                for role, letter in zip(roles, pattern, strict=False)
                if letter != "-"
            ]
            if cells:
                await RaciCell.insert(*cells)

    async def approved(version_id: int, age: int) -> None:
        decided = datetime.now(UTC) - timedelta(days=age + 3)
        await SopApproval.insert(
            *(
                SopApproval(
                    org=org,
                    version=version_id,
                    level=level + 1,
                    label=label,
                    approver=approver,
                    decision="approved",
                    decided_by=approver,
                    decided_at=decided,
                )
                for level, (label, approver) in enumerate(
                    zip(text["levels"], (people[2], people[0]), strict=True)
                )
            )
        )

    keys = [uuid.uuid4().hex for _ in text["steps"]]
    if stage == "draft":
        first = await version(1, 0, "draft", None)
        await content(first, 4, [*RACI[:3], "R---"])
        return int(doc)
    if stage == "approved":
        first = await version(1, 0, "approved", None)
        await content(first, 4, RACI)
        await approved(first, 5)
        return int(doc)
    age = 60 if stage == "revised" else 40
    first = await version(1, 0, "published", None, age=age)
    await content(first, 4, RACI)
    await approved(first, age)
    if stage == "published_once":
        return int(doc)
    if stage == "revised":
        second = await version(1, 1, "published", first, age=20)
        await content(second, 2, RACI)
        await approved(second, 20)
        return int(doc)
    second = await version(1, 1, "in_review", first)
    await content(second, 2, RACI)
    await SopApproval.insert(
        SopApproval(org=org, version=second, level=1, label=text["levels"][0], approver=people[2])
    )
    return int(doc)


async def seed_rollout(
    org: int,
    initiative: int,
    people: list[int],
    today: date,
    done: bool,
    lang: str = "en",
    trainees: list[str] | None = None,
) -> None:
    waves = []
    for i, (scope, status) in enumerate(
        zip(resolve(c.WAVES, lang), ("done", "done" if done else "in_progress"), strict=True)
    ):
        start = today - timedelta(days=30 - 10 * i)
        waves.append(
            (
                await RolloutWave.insert(
                    RolloutWave(
                        org=org,
                        initiative=initiative,
                        scope=scope,
                        start_date=start,
                        end_date=start + timedelta(days=9),
                        owner=people[1],
                        status=status,
                    )
                )
            )[0]["id"]
        )
    names = resolve([p[1] for p in c.PEOPLE], lang)
    attendees = trainees or names[2:7]
    for i, wave in enumerate(waves):
        session = (
            await TrainingSession.insert(
                TrainingSession(
                    org=org,
                    initiative=initiative,
                    wave=wave,
                    held_on=today - timedelta(days=29 - 10 * i),
                    trainer=names[1],
                    topic=resolve(c.TRAINING_TOPIC, lang),
                )
            )
        )[0]["id"]
        # all waves done: everyone passed; still rolling out: some below the pass mark
        scores = (
            ([92, 95, 88, 90, 96] if i == 0 else [91, 85, 94, None, 89])
            if done
            else ([92, 85, 78, 88, 95] if i == 0 else [90, 81, 84, None, 73])
        )
        await TrainingResult.insert(
            *(
                TrainingResult(org=org, session=session, attendee=f"{name} ({i + 1})", score=s)
                for name, s in zip(attendees, scores, strict=False)
            )
        )


async def _seed_baseline(org: int, kpi: int, rows: list[Any], ids: list[Any]) -> None:
    """The baseline stage the app gives a KPI at its first measurement, its limits from the
    first 20 points (a sustainment check judges a KPI never piloted against it), and the
    signal alert of each special cause its chart rings, as the app would have raised."""
    if not rows:
        return
    values = [r.value for r in rows]
    limits = spc.xmr_limits(values[: spc.DEFAULT_LIMIT_POINTS])
    stage = spc.Stage(rows[0].measured_on, "baseline", limits)
    days = [r.measured_on for r in rows]
    for part in spc.segments(days, values, [stage], spc.RULES):
        for signal in part.signals:
            assert limits is not None  # no signal without limits
            await KpiAlert.insert(
                KpiAlert(
                    org=org,
                    kpi=kpi,
                    measurement=ids[signal.index]["id"],
                    measured_on=days[signal.index],
                    value=values[signal.index],
                    threshold=limits.upper,
                    kind="signal",
                    rule=signal.rule,
                )
            )
    await KpiStage.insert(
        KpiStage(
            org=org,
            kpi=kpi,
            starts_on=rows[0].measured_on,
            label="baseline",
            limit_points=spc.DEFAULT_LIMIT_POINTS,
            centre=limits.centre if limits else None,
            mr_bar=limits.mr_bar if limits else None,
            based_on=limits.points if limits else 0,
        )
    )


async def seed_kpis(
    org: int,
    initiative: int,
    people: list[int],
    today: date,
    weeks: int = 52,
    lang: str = "en",
    kpis: list[Any] | None = None,
) -> None:
    """KPIs with ``weeks`` weekly measurements ending last week; a breach raises an alert.
    The complaint KPIs (the default) have a recent breach and an optimisation log entry."""
    complaint = kpis is None
    for index, kpi_row in enumerate(resolve(kpis or c.KPIS, lang)):
        name, unit, direction, target, threshold, base, swing, formula, department = kpi_row
        kpi = (
            await Kpi.insert(
                Kpi(
                    org=org,
                    initiative=initiative,
                    name=name,
                    formula=formula,
                    data_source="CRM",
                    frequency="weekly",
                    unit=unit,
                    direction=direction,
                    target=target,
                    threshold=threshold,
                    department=department,
                )
            )
        )[0]["id"]
        rows: list[Any] = []
        breaches: list[tuple[date, float]] = []
        for week in range(weeks):
            day = today - timedelta(days=7 * (weeks - week))
            value = round(base + swing * math.sin(week * 0.9 + index), 2)
            if week == weeks - 2 and index == 0 and complaint:
                value = threshold + 0.6  # one recent breach for the demo's alert
            rows.append(
                KpiMeasurement(
                    org=org, kpi=kpi, measured_on=day, value=value, recorded_by=people[1]
                )
            )
            if kpi_rules.breached(direction, threshold, value):
                breaches.append((day, value))
        ids = await KpiMeasurement.insert(*rows)
        await _seed_baseline(org, kpi, rows, ids)
        for day, value in breaches:
            acknowledged = day < today - timedelta(days=21)
            await KpiAlert.insert(
                KpiAlert(
                    org=org,
                    kpi=kpi,
                    measured_on=day,
                    value=value,
                    threshold=threshold,
                    acknowledged_by=people[1] if acknowledged else None,
                    acknowledged_at=datetime.now(UTC) if acknowledged else None,
                )
            )
    if not complaint:
        return
    log = resolve(c.OPTIMISATION, lang)
    await OptimisationEntry.insert(
        OptimisationEntry(
            org=org,
            initiative=initiative,
            logged_on=today - timedelta(days=20),
            process=log["process"],
            background=log["background"],
            measures=log["measures"],
            effect=log["effect"],
            owner=log["owner"],
        )
    )


# initiative code: SOP kind, stage; rollout (None: none, else whether every wave is done);
# KPIs (None: none, [] the complaint KPIs)
PROGRAM: dict[str, tuple[str, str, bool | None, list[Any] | None]] = {
    "CS-COMPLAINT": ("COMPLAINT", "revised", True, []),
    "SCM-ORDER": ("ORDER", "published", False, None),
    "PUR-APPROVAL": ("APPROVAL", "draft", None, None),
    "IT-REQUEST": ("REQUEST", "revised", True, c.IT_KPIS),
    "MKT-ACTIVATION": ("ACTIVATION", "approved", None, None),
    "FIN-INVOICE": ("INVOICE", "published_once", False, None),
    "HR-ONBOARD": ("ONBOARD", "approved", None, None),
}


async def seed_program(
    org: int,
    initiative: int,
    code: str,
    number: str,
    people: list[int],
    today: date,
    lang: str = "en",
) -> None:
    if code not in PROGRAM:
        return
    kind, stage, rollout, kpis = PROGRAM[code]
    name = resolve(c.SOP_NAMES[kind], lang)
    await seed_sop(org, initiative, number, name, people, today, stage, kind, lang=lang)
    if rollout is not None:
        await seed_rollout(org, initiative, people, today, done=rollout, lang=lang)
    if kpis is not None:
        weeks = 52 if not kpis else 26
        await seed_kpis(org, initiative, people, today, weeks, lang=lang, kpis=kpis or None)
