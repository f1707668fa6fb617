"""Control charts: stages with kept limits, special-cause signals raising their own alert
exactly once (listed, mailed, in the digests), the organisation's rule setting."""

from datetime import UTC, date, datetime, timedelta

from tests.helpers import make_initiative
from tests.integration.kpis.test_kpis import make_kpi
from tracker.kpis import control
from tracker.kpis.tables import ControlChartSetting, KpiAlert, KpiStage
from tracker.tenancy import TenantScope

BASELINE = [2.4, 2.0] * 5  # centre 2.2, average moving range 0.4: limits 1.136 – 3.264
RUN = [2.3, 2.35] * 4  # 8 above the centre line, inside 1 sigma, neither rising nor falling


def day(n: int) -> str:
    return (date.today() - timedelta(days=60 - n)).isoformat()


async def charted_kpi(world, name="Order lead time"):
    """A KPI of alpha with a baseline stage from day 0 whose limits come from 10 points."""
    initiative = await make_initiative(world.a, phase=6, name=f"{name} initiative")
    kpi = await make_kpi(world, world.a, initiative, name=name)
    async with world.client(world.a, "lead") as client:
        added = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(0), "label": "baseline", "limit_points": "10"},
        )
        assert added.status_code == 303, added.text
    return initiative, kpi


async def measure(client, kpi, n, value):
    response = await client.post(
        f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": day(n), "value": str(value)}
    )
    assert response.status_code == 303, response.text
    return response


async def signals_of(kpi):
    return await KpiAlert.select().where(KpiAlert.kpi == kpi, KpiAlert.kind == "signal")


async def test_a_measurement_completing_a_run_of_8_raises_one_signal_alert_once(world):
    from tracker.digests import service as digests
    from tracker.digests.reminders import queue_kpi_alerts
    from tracker.digests.tables import EmailMessage

    _initiative, kpi = await charted_kpi(world)
    async with world.client(world.a, "member") as client:
        for n, value in enumerate(BASELINE):
            await measure(client, kpi, n, value)
        stage = await KpiStage.select().where(KpiStage.kpi == kpi).first()
        assert stage["based_on"] == 10
        assert round(stage["centre"], 6) == 2.2 and round(stage["mr_bar"], 6) == 0.4
        for n, value in enumerate(RUN[:7], start=10):
            await measure(client, kpi, n, value)
        assert await signals_of(kpi) == []
        eighth = await measure(client, kpi, 17, RUN[7])
        page = await client.get(eighth.headers["location"])
        assert "a signal alert was raised" in page.text
        alerts = await signals_of(kpi)
        assert [(a["rule"], a["measured_on"].isoformat()) for a in alerts] == [("run8", day(17))]
        await measure(client, kpi, 18, 2.3)  # the run goes on: the same signal
        assert len(await signals_of(kpi)) == 1
        # the limits stay as they were: later points do not move them
        kept = await KpiStage.select().where(KpiStage.kpi == kpi).first()
        assert kept["centre"] == stage["centre"] and kept["based_on"] == 10
        page = await client.get(f"/o/alpha/kpis/{kpi}")
        assert 'class="signal-ring"' in page.text
        assert "8 in a row on one side of the centre line" in page.text
        listing = await client.get("/o/alpha/kpis")
        assert "Order lead time" in listing.text and "8 in a row" in listing.text
    # judging the point again (a retry, a second worker) raises nothing: the key holds
    scope = TenantScope(world.a.id)
    assert await control.judge_new_point(scope, {"id": kpi}, date.fromisoformat(day(17))) == 0
    assert len(await signals_of(kpi)) == 1
    await queue_kpi_alerts()
    await queue_kpi_alerts()
    alert = alerts[0]
    mails = await EmailMessage.select().where(EmailMessage.key == f"kpi_alert:{alert['id']}")
    assert len(mails) == 1 and mails[0]["person"] == world.a.people["lead"]
    assert "special cause" in mails[0]["body_text"] and "8 in a row" in mails[0]["body_text"]
    now = datetime.now(UTC)
    data = await digests.gather(
        scope, now - timedelta(days=1), now + timedelta(minutes=1), date.today()
    )
    items = digests.person_data(data, world.a.people["lead"], "lead", date.today(), now)
    signal = [b for b in items["kpi_breaches"] if b["kpi"] == kpi]
    assert len(signal) == 1 and signal[0]["kind"] == "signal" and signal[0]["rule"] == "run8"


async def test_a_point_beyond_the_limits_of_a_new_stage_and_the_shift_between_stages(world):
    _initiative, kpi = await charted_kpi(world, name="Picking time")
    async with world.client(world.a, "lead") as client:
        for n, value in enumerate(BASELINE):
            await measure(client, kpi, n, value)
        stage = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(20), "label": "rollout", "limit_points": "6"},
        )
        assert stage.status_code == 303
        for n, value in enumerate([1.5, 1.6, 1.5, 1.6, 1.5, 1.6, 1.5, 3.0], start=20):
            await measure(client, kpi, n, value)
        page = await client.get(f"/o/alpha/kpis/{kpi}")
        assert "After rollout" in page.text and 'id="stage-limits"' in page.text
    stages = await KpiStage.select().where(KpiStage.kpi == kpi).order_by(KpiStage.starts_on)
    assert [round(s["centre"], 3) for s in stages] == [2.2, 1.55]
    # 3.0 is inside the baseline's limits but far beyond the rollout stage's
    assert [(a["rule"], a["value"]) for a in await signals_of(kpi)] == [("beyond", 3.0)]


async def test_stage_input_errors_roles_and_outsiders(world):
    _initiative, kpi = await charted_kpi(world, name="Stage checks")
    async with world.client(world.a, "lead") as client:
        bad = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(0), "label": "pilot", "limit_points": "1"},
        )
        assert bad.status_code == 422
        assert "from 2 to 100" in bad.text and 'value="1"' in bad.text
        taken = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(0), "label": "pilot", "limit_points": "20"},
        )
        assert taken.status_code == 422 and "already starts on that date" in taken.text
    stage = await KpiStage.select().where(KpiStage.kpi == kpi).first()
    async with world.client(world.a, "viewer") as viewer:
        refused = await viewer.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(5), "label": "pilot", "limit_points": "20"},
        )
        assert refused.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        for path in (
            f"/o/beta/kpis/{kpi}/stages",
            f"/o/beta/kpis/{kpi}/recompute-limits",
            f"/o/beta/kpi-stages/{stage['id']}/delete",
        ):
            response = await outsider.post(
                path, data={"starts_on": day(5), "label": "pilot", "limit_points": "20"}
            )
            assert response.status_code == 404, path
    assert await KpiStage.count().where(KpiStage.kpi == kpi) == 1
    async with world.client(world.a, "lead") as client:
        assert (await client.post(f"/o/alpha/kpis/{kpi}/recompute-limits")).status_code == 303
        second = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(5), "label": "pilot", "limit_points": "20"},
        )
        assert second.status_code == 303
        last = (
            await KpiStage.select()
            .where(KpiStage.kpi == kpi)
            .order_by(KpiStage.starts_on, ascending=False)
            .first()
        )
        assert (await client.post(f"/o/alpha/kpi-stages/{last['id']}/delete")).status_code == 303
    assert await KpiStage.count().where(KpiStage.kpi == kpi) == 1


async def test_the_organisation_chooses_its_rules(world):
    async with world.client(world.a, "lead") as lead:
        assert (await lead.get("/o/alpha/settings/control-charts")).status_code == 403
    async with world.client(world.a, "admin") as admin:
        page = await admin.get("/o/alpha/settings/control-charts")
        assert page.status_code == 200 and "6 in a row rising or falling" in page.text
        saved = await admin.post(
            "/o/alpha/settings/control-charts",
            data={"rules": ["beyond", "trend6"], "sustainment_days": "30, 90, 180"},
        )
        assert saved.status_code == 303
    assert await control.applied_rules(TenantScope(world.a.id)) == ("beyond", "trend6")
    assert await control.applied_rules(TenantScope(world.b.id)) == control.spc.RULES
    _initiative, kpi = await charted_kpi(world, name="Rules checked")
    async with world.client(world.a, "member") as client:
        for n, value in enumerate(BASELINE + RUN):
            await measure(client, kpi, n, value)
    assert await signals_of(kpi) == []  # a run of 8, but not a rule of this organisation
    await ControlChartSetting.delete().where(ControlChartSetting.org == world.a.id)


async def test_a_proportion_on_a_p_chart_and_a_count_on_a_c_chart(world):
    initiative = await make_initiative(world.a, phase=6, name="Attribute charts")
    rate = await make_kpi(
        world,
        world.a,
        initiative,
        name="Complaint rate",
        unit="%",
        target="2",
        threshold="8",
        chart_kind="proportion",
    )
    async with world.client(world.a, "lead") as client:
        missing = await client.post(
            f"/o/alpha/kpis/{rate}/measurements", data={"measured_on": day(0), "value": "2"}
        )
        assert missing.status_code == 422 and "Out of" in missing.text
        await client.post(
            f"/o/alpha/kpis/{rate}/stages",
            data={"starts_on": day(0), "label": "baseline", "limit_points": "10"},
        )
        # 2 % of 100, 200, 150 … orders; then 7 of 100 (7 %, past 3 sigma for 100 orders)
        for n, (value, orders) in enumerate(
            [(2, 100), (2.5, 200), (2, 150), (1.5, 200), (2, 100)] * 2 + [(7, 100)]
        ):
            response = await client.post(
                f"/o/alpha/kpis/{rate}/measurements",
                data={"measured_on": day(n), "value": str(value), "denominator": str(orders)},
            )
            assert response.status_code == 303, response.text
        page = await client.get(f"/o/alpha/kpis/{rate}")
        assert "p-chart" in page.text and "vary with the denominator" in page.text
        assert 'class="signal-ring"' in page.text
    assert [(a["rule"], a["value"]) for a in await signals_of(rate)] == [("beyond", 7.0)]
    count = await make_kpi(
        world,
        world.a,
        initiative,
        name="Escalations",
        chart_kind="count",
        target="5",
        threshold="30",
    )
    async with world.client(world.a, "lead") as client:
        await client.post(
            f"/o/alpha/kpis/{count}/stages",
            data={"starts_on": day(0), "label": "baseline", "limit_points": "8"},
        )
        for n, value in enumerate([4, 5, 6, 5, 4, 6, 5, 5, 16]):
            await measure(client, count, n, value)
        page = await client.get(f"/o/alpha/kpis/{count}")
        assert "c-chart" in page.text
    assert [(a["rule"], a["value"]) for a in await signals_of(count)] == [("beyond", 16.0)]
