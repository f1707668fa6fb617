"""Rollout waves, training sessions with scores, pass rates against the organisation's
pass mark, the retraining list, and the pass mark setting."""

import re

import pytest

from tests.helpers import make_initiative
from tracker.accounts.tables import Organisation
from tracker.errors import Invalid
from tracker.rollout import service
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.tenancy import TenantScope
from tracker.values import Submitted


async def make_wave(client, initiative, scope="East region 华东", status="planned"):
    response = await client.post(
        f"/o/alpha/initiatives/{initiative}/rollout/waves",
        data={
            "scope": scope,
            "start_date": "2026-11-02",
            "end_date": "2026-11-13",
            "status": status,
        },
    )
    assert response.status_code == 303, response.text
    row = (
        await RolloutWave.select()
        .where(RolloutWave.initiative == initiative)
        .order_by(RolloutWave.id, ascending=False)
        .first()
    )
    return row["id"]


async def test_pass_rates_per_wave_and_the_retraining_list(world):
    initiative = await make_initiative(world.a, phase=5)
    async with world.client(world.a, "lead") as client:
        wave = await make_wave(client, initiative)
        created = await client.post(
            f"/o/alpha/initiatives/{initiative}/rollout/sessions",
            data={
                "held_on": "2026-11-03",
                "trainer": "Li Na",
                "topic": "New order SOP",
                "wave": str(wave),
                "attendees": "Wang Wei\nZhang Min, Chen Jie\nwang wei",
            },
        )
        assert created.status_code == 303
        session = int(created.headers["location"].rsplit("/", 1)[1])
        page = await client.get(f"/o/alpha/training-sessions/{session}")
        ids = re.findall(r'name="score_(\d+)"', page.text)
        assert len(ids) == 3  # the duplicate name was merged
        bad = await client.post(
            f"/o/alpha/training-sessions/{session}/scores",
            data={f"score_{ids[0]}": "95", f"score_{ids[1]}": "eighty", f"score_{ids[2]}": "79"},
        )
        assert bad.status_code == 422 and "Enter a whole number from 0 to 100." in bad.text
        assert 'value="eighty"' in bad.text
        ok = await client.post(
            f"/o/alpha/training-sessions/{session}/scores",
            data={f"score_{ids[0]}": "95", f"score_{ids[1]}": "80", f"score_{ids[2]}": "79"},
        )
        assert ok.status_code == 303
        page = await client.get(f"/o/alpha/initiatives/{initiative}/rollout")
        assert "66.7 %" in page.text  # 2 of 3 at the default mark 80
        retrain = page.text.split('id="retrain"')[1]
        assert "Chen Jie" in retrain and "Wang Wei" not in retrain
        assert "All waves done" not in page.text
        await client.post(f"/o/alpha/rollout-waves/{wave}/status", data={"status": "done"})
        assert (
            "All waves done"
            in (await client.get(f"/o/alpha/initiatives/{initiative}/rollout")).text
        )
    async with world.client(world.a, "viewer") as viewer:
        refused = await viewer.post(
            f"/o/alpha/rollout-waves/{wave}/status", data={"status": "planned"}
        )
        assert refused.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get(f"/o/beta/training-sessions/{session}")).status_code == 404
        assert (
            await outsider.post(
                f"/o/beta/training-sessions/{session}/scores", data={f"score_{ids[0]}": "0"}
            )
        ).status_code == 404
        assert (
            await outsider.post(f"/o/beta/rollout-waves/{wave}/status", data={"status": "planned"})
        ).status_code == 404
    scores = {
        r["attendee"]: r["score"]
        for r in await TrainingResult.select().where(TrainingResult.session == session)
    }
    assert scores == {"Wang Wei": 95, "Zhang Min": 80, "Chen Jie": 79}


async def test_bad_waves_and_sessions_come_back_with_errors(world):
    initiative = await make_initiative(world.a, phase=5)
    async with world.client(world.a, "member") as client:
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/rollout/waves",
            data={"scope": "West", "start_date": "2026-11-10", "end_date": "2026-11-01"},
        )
        assert bad.status_code == 422 and "The end cannot be before the start." in bad.text
        assert 'value="West"' in bad.text
        empty = await client.post(
            f"/o/alpha/initiatives/{initiative}/rollout/sessions",
            data={"held_on": "2026-11-03", "trainer": "Li Na", "attendees": ""},
        )
        assert empty.status_code == 422 and "List the attendees" in empty.text
    assert not await RolloutWave.exists().where(RolloutWave.initiative == initiative)
    async with world.client(world.a, "member") as client:
        wave = await make_wave(client, initiative)
        refused = await client.post(
            f"/o/alpha/rollout-waves/{wave}",
            data={
                "scope": "",
                "start_date": "2026-11-10",
                "end_date": "2026-11-20",
                "status": "done",
            },
        )
        assert refused.status_code == 422 and f'id="wave{wave}-scope"' in refused.text
        assert 'value="2026-11-10"' in refused.text  # the input is kept
        ok = await client.post(
            f"/o/alpha/rollout-waves/{wave}",
            data={
                "scope": "South 华南",
                "start_date": "2026-11-10",
                "end_date": "2026-11-20",
                "status": "done",
            },
        )
        assert ok.status_code == 303
    async with world.client(world.b, "admin") as outsider:
        crossing = await outsider.post(
            f"/o/beta/rollout-waves/{wave}",
            data={"scope": "X", "start_date": "2026-11-10", "end_date": "2026-11-20"},
        )
        assert crossing.status_code == 404
    row = await RolloutWave.select().where(RolloutWave.id == wave).first()
    assert row["scope"] == "South 华南" and row["status"] == "done"


async def test_the_pass_mark_is_set_per_organisation(world):
    async with world.client(world.a, "admin") as admin:
        bad = await admin.post("/o/alpha/settings/training", data={"pass_mark": "101"})
        assert bad.status_code == 422 and "Use a whole number from 1 to 100." in bad.text
        ok = await admin.post("/o/alpha/settings/training", data={"pass_mark": "70"})
        assert ok.status_code == 303
    async with world.client(world.a, "lead") as lead:
        assert (
            await lead.post("/o/alpha/settings/training", data={"pass_mark": "1"})
        ).status_code == 403
    marks = {
        r["slug"]: r["training_pass_mark"]
        for r in await Organisation.select(
            Organisation.slug, Organisation.training_pass_mark
        ).where(Organisation.slug.is_in(["alpha", "beta"]))
    }
    assert marks == {"alpha": 70, "beta": 80}
    await Organisation.update({Organisation.training_pass_mark: 80}).where(
        Organisation.slug == "alpha"
    )


async def test_a_wave_status_not_offered_is_refused_with_a_message(world):
    initiative = await make_initiative(world.a, phase=5)
    async with world.client(world.a, "member") as client:
        wave = await make_wave(client, initiative)
        refused = await client.post(
            f"/o/alpha/rollout-waves/{wave}/status", data={"status": "finished"}
        )
        assert refused.status_code == 303
        assert refused.headers["location"] == f"/o/alpha/initiatives/{initiative}/rollout"
        page = await client.get(refused.headers["location"])
        assert "Choose one of the options." in page.text
    assert (await RolloutWave.select().where(RolloutWave.id == wave).first())["status"] == "planned"


async def test_the_rollout_service_takes_plain_values_and_refuses_with_every_field_error(world):
    initiative = await make_initiative(world.a, phase=5)
    scope = TenantScope(world.a.id)
    with pytest.raises(Invalid) as refused:
        await service.add_session(
            scope,
            initiative,
            Submitted.of({"held_on": "soon", "trainer": "", "wave": "999999", "attendees": ""}),
        )
    assert set(refused.value.fields) == {"held_on", "trainer", "wave", "attendees"}
    assert not await TrainingSession.exists().where(TrainingSession.initiative == initiative)
    before = await service.pass_mark(world.a.id)
    with pytest.raises(Invalid) as refused:
        await service.save_pass_mark(world.a.id, Submitted.of({"pass_mark": "0"}))
    assert refused.value.fields == {"pass_mark": "Use a whole number from 1 to 100."}
    assert await service.pass_mark(world.a.id) == before
