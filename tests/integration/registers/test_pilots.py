import pytest

from tests.helpers import make_initiative
from tracker.errors import Invalid, NotFound
from tracker.pilots import service
from tracker.pilots.tables import (
    Pilot,
    PilotFeedback,
    PilotMetric,
    SatisfactionRating,
    UnmetProblem,
)
from tracker.tenancy import TenantScope
from tracker.values import Submitted


async def make_pilot(world, org, initiative):
    async with world.client(org, "lead") as client:
        response = await client.post(
            f"/o/{org.slug}/initiatives/{initiative}/pilots",
            data={
                "process": "New customer activation",
                "scope": "East China sales team",
                "start_date": "2026-10-01",
                "end_date": "2026-10-21",
            },
        )
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_pilot_metrics_compute_change_and_met(world):
    initiative = await make_initiative(world.a, phase=4)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.a, "member") as client:
        ok = await client.post(
            f"/o/alpha/pilots/{pilot}/metrics",
            data={
                "name": "Verification time",
                "unit": "min",
                "direction": "lower",
                "baseline": "30",
                "result": "8",
                "target": "10",
            },
        )
        assert ok.status_code == 303
        await client.post(
            f"/o/alpha/pilots/{pilot}/metrics",
            data={
                "name": "Activation rate",
                "unit": "%",
                "direction": "higher",
                "baseline": "32",
                "target": "45",
            },
        )
        metric = (
            await PilotMetric.select()
            .where(PilotMetric.pilot == pilot, PilotMetric.name == "Activation rate")
            .first()
        )
        recorded = await client.post(
            f"/o/alpha/pilot-metrics/{metric['id']}", data={"result": "41"}
        )
        assert recorded.status_code == 303
        page = await client.get(f"/o/alpha/pilots/{pilot}")
        summary = await client.get(f"/o/alpha/pilots/{pilot}/summary")
    assert "-73.3 %" in page.text and "+28.1 %" in page.text
    assert page.text.count('class="chip met"') == 1 and page.text.count('class="chip missed"') == 1
    assert (
        summary.status_code == 200
        and summary.text.count("<svg") >= 2
        and "target 10" in summary.text
    )


async def test_metric_errors(world):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        bad = await client.post(
            f"/o/alpha/pilots/{pilot}/metrics",
            data={"name": "", "direction": "sideways", "baseline": "thirty"},
        )
        result = await client.post(
            f"/o/alpha/pilots/{pilot}/metrics",
            data={"name": "x", "direction": "lower", "baseline": ""},
        )
    assert (
        bad.status_code == 422 and "Name the metric." in bad.text and "Enter a number." in bad.text
    )
    assert result.status_code == 422
    assert not await PilotMetric.exists().where(PilotMetric.pilot == pilot)


async def test_satisfaction_unmet_and_feedback(world):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    async with (
        world.client(world.a, "member") as member,
        world.client(world.a, "committee") as committee,
    ):
        for score in ("5", "4"):
            assert (
                await member.post(f"/o/alpha/pilots/{pilot}/ratings", data={"score": score})
            ).status_code == 303
        assert (
            await committee.post(f"/o/alpha/pilots/{pilot}/ratings", data={"score": "3"})
        ).status_code == 303
        assert (
            await member.post(f"/o/alpha/pilots/{pilot}/ratings", data={"score": "7"})
        ).status_code == 422
        assert (
            await member.post(
                f"/o/alpha/pilots/{pilot}/unmet",
                data={
                    "unmet_problem": "SMS codes not received",
                    "unmet_cause": "SMS channel needs work",
                },
            )
        ).status_code == 303
        fb = await committee.post(
            f"/o/alpha/pilots/{pilot}/feedback",
            data={"text": "Step 3 form still has 12 fields", "category": "form"},
        )
        assert fb.status_code == 303
        empty = await member.post(
            f"/o/alpha/pilots/{pilot}/feedback", data={"text": "", "category": "tool"}
        )
        assert empty.status_code == 422 and "Write the feedback." in empty.text
        page = await member.get(f"/o/alpha/pilots/{pilot}")
    # the member's second rating replaced the first: (4 + 3) / 2
    assert "3.50" in page.text and "2 ratings" in page.text
    assert "SMS channel needs work" in page.text and "Step 3 form still has 12 fields" in page.text
    assert await SatisfactionRating.count().where(SatisfactionRating.pilot == pilot) == 2
    entry = await PilotFeedback.select().where(PilotFeedback.pilot == pilot).first()
    assert entry["author"] == world.a.people["committee"] and entry["category"] == "form"


async def test_viewers_read_but_do_not_log(world):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.a, "viewer") as client:
        assert (await client.get(f"/o/alpha/pilots/{pilot}")).status_code == 200
        assert (
            await client.post(f"/o/alpha/pilots/{pilot}/feedback", data={"text": "x"})
        ).status_code == 403
        assert (
            await client.post(f"/o/alpha/pilots/{pilot}/ratings", data={"score": "5"})
        ).status_code == 403
        assert (
            await client.post(f"/o/alpha/pilots/{pilot}/metrics", data={"name": "x"})
        ).status_code == 403
        assert (
            await client.post(f"/o/alpha/initiatives/{initiative}/pilots", data={"process": "x"})
        ).status_code == 403
    async with world.client(world.a, "committee") as client:
        assert (
            await client.post(
                f"/o/alpha/pilots/{pilot}/unmet", data={"unmet_problem": "x", "unmet_cause": "y"}
            )
        ).status_code == 403
    assert not await PilotFeedback.exists().where(PilotFeedback.pilot == pilot)
    assert not await UnmetProblem.exists().where(UnmetProblem.pilot == pilot)


@pytest.mark.parametrize("path", ["", "/summary"])
async def test_outsider_gets_404_on_pilot_pages(world, path):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.b, "admin") as client:
        assert (await client.get(f"/o/beta/pilots/{pilot}{path}")).status_code == 404
        assert (await client.get(f"/o/alpha/pilots/{pilot}{path}")).status_code == 404
        for action, data in (
            ("feedback", {"text": "x"}),
            ("ratings", {"score": "5"}),
            ("metrics", {"name": "x"}),
            ("unmet", {"unmet_problem": "x", "unmet_cause": "y"}),
            ("summary", {"summary": "x"}),
        ):
            assert (
                await client.post(f"/o/beta/pilots/{pilot}/{action}", data=data)
            ).status_code == 404
        assert (await client.get(f"/o/beta/initiatives/{initiative}/pilots")).status_code == 404
    assert (await Pilot.select(Pilot.summary).where(Pilot.id == pilot).first())["summary"] == ""


async def test_one_rating_per_person_which_they_can_change(world):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    path = f"/o/alpha/pilots/{pilot}/ratings"
    async with (
        world.client(world.a, "member") as member,
        world.client(world.a, "committee") as committee,
        world.client(world.a, "lead") as lead,
    ):
        before = await member.get(f"/o/alpha/pilots/{pilot}")
        assert '<option value="5" selected>' not in before.text  # nothing chosen yet
        await member.post(path, data={"score": "5"})
        await committee.post(path, data={"score": "4"})
        mine = await member.get(f"/o/alpha/pilots/{pilot}")
        assert "4.50" in mine.text and "2 ratings" in mine.text
        # the form starts on my own rating, and says I can change it
        assert '<option value="5" selected>' in mine.text and "Change my rating" in mine.text
        again = await member.post(path, data={"score": "2"})
        assert again.status_code == 303
        page = await lead.get(f"/o/alpha/pilots/{pilot}")
        theirs = await committee.get(f"/o/alpha/pilots/{pilot}")
    assert "3.00" in page.text and "2 ratings" in page.text  # (2 + 4) / 2, not 3.67 from 3
    assert '<option value="4" selected>' in theirs.text
    rows = await SatisfactionRating.select().where(SatisfactionRating.pilot == pilot)
    assert sorted((r["rated_by"], r["score"]) for r in rows) == sorted(
        [(world.a.people["member"], 2), (world.a.people["committee"], 4)]
    )


async def test_the_database_keeps_one_rating_per_person_and_pilot(world):
    from tracker.db import is_unique_violation

    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    row = {"org": world.a.id, "pilot": pilot, "score": 3, "rated_by": world.a.people["member"]}
    await SatisfactionRating.insert(SatisfactionRating(**row))
    with pytest.raises(Exception) as refused:
        await SatisfactionRating.insert(SatisfactionRating(**{**row, "score": 5}))
    assert is_unique_violation(refused.value)


async def test_the_migration_keeps_each_persons_latest_rating(world):
    import importlib.util
    from datetime import UTC, datetime, timedelta

    from tracker.db import is_unique_violation

    path = "migrations/tracker/tracker_2026_11_30t04_00_00_000000.py"
    spec = importlib.util.spec_from_file_location("one_rating_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    now = datetime.now(UTC)
    member, committee = world.a.people["member"], world.a.people["committee"]
    # as before the key: the same person rated three times, another once, one left (NULL)
    await world.engine.run_ddl("DROP INDEX satisfaction_rating_one_per_person")
    try:
        for score, by, age in (
            (5, member, 3),
            (1, member, 1),
            (4, member, 2),
            (3, committee, 1),
            (2, None, 5),
            (2, None, 4),
        ):
            await SatisfactionRating.insert(
                SatisfactionRating(
                    org=world.a.id,
                    pilot=pilot,
                    score=score,
                    rated_by=by,
                    rated_at=now - timedelta(days=age),
                )
            )
    finally:
        await migration.one_rating_per_person(world.engine)
    rows = await SatisfactionRating.select().where(SatisfactionRating.pilot == pilot)
    assert sorted(((r["rated_by"] or 0), r["score"]) for r in rows) == sorted(
        [(member, 1), (committee, 3), (0, 2), (0, 2)]
    )
    with pytest.raises(Exception) as refused:
        await SatisfactionRating.insert(
            SatisfactionRating(org=world.a.id, pilot=pilot, score=5, rated_by=committee)
        )
    assert is_unique_violation(refused.value)


async def test_the_printable_summary_reads_a_change_and_a_met_target_in_chinese(world):
    initiative = await make_initiative(world.a)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        await client.post(
            f"/o/alpha/pilots/{pilot}/metrics",
            data={
                "name": "Cycle time",
                "unit": "h",
                "direction": "lower",
                "baseline": "48",
                "result": "20",
                "target": "24",
            },
        )
        page = await client.get(
            f"/o/alpha/pilots/{pilot}/summary", headers={"accept-language": "zh-CN"}
        )
    # the amount of change (变化), not the verb 修改; the outcome (已达标), not the column title
    assert "变化 -58.3 %" in page.text and "已达标" in page.text
    assert "修改 -58.3" not in page.text and "是否达标" not in page.text


async def test_the_pilot_service_takes_plain_values_and_refuses_with_every_field_error(world):
    """A job or a test calls the service with plain values; what it refuses comes back as one
    ``Invalid`` with each error beside its field, and nothing is written."""
    initiative = await make_initiative(world.a, phase=4)
    scope = TenantScope(world.a.id)
    bad = {"process": "", "scope": "East", "start_date": "2026-10-05", "end_date": "2026-10-01"}
    with pytest.raises(Invalid) as refused:
        await service.create(scope, initiative, Submitted.of(bad))
    assert set(refused.value.fields) == {"process", "end_date"}
    assert not await Pilot.exists().where(Pilot.initiative == initiative)
    good = {**bad, "process": "Activation", "end_date": "2026-10-25"}
    pilot = await service.create(scope, initiative, Submitted.of(good))
    with pytest.raises(Invalid) as refused:
        await service.add_metric(
            scope, pilot, Submitted.of({"name": "Time", "direction": "up", "baseline": "abc"})
        )
    assert set(refused.value.fields) == {"direction", "baseline"}
    with pytest.raises(Invalid) as refused:
        await service.add_rating(scope, pilot, Submitted.of({"score": "9"}), world.a.people["lead"])
    assert refused.value.fields == {"score": "Score from 1 to 5."}
    assert not await PilotMetric.exists().where(PilotMetric.pilot == pilot)
    assert not await SatisfactionRating.exists().where(SatisfactionRating.pilot == pilot)
    outsider = TenantScope(world.b.id)  # another organisation's pilot is a missing one
    with pytest.raises(NotFound):
        await service.add_unmet(outsider, pilot, Submitted.of({"unmet_problem": "x"}))
