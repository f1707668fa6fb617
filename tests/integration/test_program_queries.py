"""The SOP, RACI, rollout and KPI pages make a fixed number of queries whatever the data
size: measured with a little data, then again after the data grew many times over."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.demo_program import seed_kpis, seed_rollout, seed_sop
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, KpiStage, SustainmentCheck
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.sops.tables import RaciCell, RaciRole, SopDocument, SopStep, SopVersion


async def counts(world, org, pages):
    result = {}
    async with world.client(org, "lead") as client:
        for name, path in pages.items():
            with count_queries() as counted:
                response = await client.get(path)
            assert response.status_code == 200, path
            result[name] = counted.count
    return result


async def grow(org_id, initiative, version, kpi, today):
    steps = []
    for i in range(30):
        steps.append(
            (
                await SopStep.insert(
                    SopStep(
                        org=org_id,
                        version=version,
                        position=100 + i,
                        key=f"grow{i}",
                        name=f"Extra step {i}",
                        responsible="Ops",
                    )
                )
            )[0]["id"]
        )
    roles = await RaciRole.select(RaciRole.id).where(RaciRole.version == version)
    await RaciCell.insert(
        *(RaciCell(org=org_id, step=s, role=r["id"], letter="C") for s in steps for r in roles)
    )
    await KpiMeasurement.insert(
        *(
            KpiMeasurement(
                org=org_id, kpi=kpi, measured_on=today - timedelta(days=400 + d), value=9
            )
            for d in range(300)
        )
    )
    await KpiAlert.insert(
        *(
            KpiAlert(
                org=org_id,
                kpi=kpi,
                measured_on=today - timedelta(days=400 + d),
                value=9,
                threshold=3.5,
            )
            for d in range(20)
        )
    )
    await KpiStage.insert(  # a control chart of six stages, with their kept limits
        *(
            KpiStage(
                org=org_id,
                kpi=kpi,
                starts_on=today - timedelta(days=700 - 50 * s),
                label="other",
                centre=9.0,
                mr_bar=0.5,
                based_on=20,
            )
            for s in range(6)
        )
    )
    await SustainmentCheck.insert(  # checks of the KPI, with their proposals
        *(
            SustainmentCheck(
                org=org_id,
                kpi=kpi,
                initiative=initiative,
                days=30 * (d + 1),
                due_on=today,
                outcome="lost",
                recent_mean=9.0,
            )
            for d in range(6)
        )
    )
    wave = (
        await RolloutWave.insert(
            RolloutWave(
                org=org_id, initiative=initiative, scope="More", start_date=today, end_date=today
            )
        )
    )[0]["id"]
    for s in range(10):
        session = (
            await TrainingSession.insert(
                TrainingSession(
                    org=org_id, initiative=initiative, wave=wave, held_on=today, trainer="T"
                )
            )
        )[0]["id"]
        await TrainingResult.insert(
            *(
                TrainingResult(org=org_id, session=session, attendee=f"P{s}-{a}", score=70 + a)
                for a in range(20)
            )
        )


async def test_program_pages_make_a_fixed_number_of_queries(world):
    org = world.a
    today = date.today()
    initiative = await make_initiative(org, phase=6)
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    doc = await seed_sop(
        org.id, initiative, f"SOP-QC-2026-{initiative:03d}", "Queries", people, today, "published"
    )
    await seed_rollout(org.id, initiative, people, today, done=False)
    await seed_kpis(org.id, initiative, people, today, weeks=6)
    version = (
        await SopVersion.select(SopVersion.id)
        .where(SopVersion.document == doc)
        .order_by(SopVersion.id, ascending=False)
        .first()
    )["id"]
    kpi = (await Kpi.select(Kpi.id).where(Kpi.initiative == initiative).first())["id"]
    session = (
        await TrainingSession.select(TrainingSession.id)
        .where(TrainingSession.initiative == initiative)
        .first()
    )["id"]
    base = f"/o/{org.slug}"
    pages = {
        "sops of the initiative": f"{base}/initiatives/{initiative}/sops",
        "sops of the organisation": f"{base}/sops",
        "version log": f"{base}/sop-documents/{doc}",
        "sop version": f"{base}/sop-versions/{version}",
        "diff": f"{base}/sop-documents/{doc}/diff",
        "print": f"{base}/sop-versions/{version}/print",
        "kpis": f"{base}/initiatives/{initiative}/kpis",
        "kpi": f"{base}/kpis/{kpi}",
        "alerts": f"{base}/kpis",
        "rollout": f"{base}/initiatives/{initiative}/rollout",
        "training session": f"{base}/training-sessions/{session}",
    }
    await counts(world, org, pages)  # a first visit may keep what it read (kept parts)
    small = await counts(world, org, pages)
    await grow(org.id, initiative, version, kpi, today)
    large = await counts(world, org, pages)
    print(f"\nprogram page queries ({world.backend}): {small}")
    assert small == large
    assert max(small.values()) <= 12, small
    assert await SopDocument.count().where(SopDocument.initiative == initiative) == 1
