"""KPIs: definitions, measurements by form and file, threshold alerts until acknowledged,
the trend chart, the optimisation log, edits that never overwrite each other."""

from datetime import date, timedelta

from openpyxl import Workbook

from tests.helpers import make_initiative
from tests.integration.registers.test_export_import import confirm, upload
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, OptimisationEntry

FULFILMENT = {
    "name": "Delivery lead time",
    "formula": "shipped_at - ordered_at, mean",
    "data_source": "ERP",
    "frequency": "weekly",
    "unit": "days",
    "direction": "lower",
    "target": "3",
    "threshold": "3.5",
    "department": "Logistics",
}


async def make_kpi(world, org, initiative, **overrides):
    async with world.client(org, "lead") as client:
        response = await client.post(
            f"/o/{org.slug}/initiatives/{initiative}/kpis", data={**FULFILMENT, **overrides}
        )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_a_breach_raises_an_alert_listed_until_acknowledged(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    async with world.client(world.a, "member") as client:
        ok = await client.post(
            f"/o/alpha/kpis/{kpi}/measurements",
            data={"measured_on": (date.today() - timedelta(days=8)).isoformat(), "value": "2.8"},
        )
        assert ok.status_code == 303
        assert not await KpiAlert.exists().where(KpiAlert.kpi == kpi)
        bad = await client.post(
            f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": yesterday, "value": "4.1"}
        )
        assert bad.status_code == 303
        page = await client.get(f"/o/alpha/kpis/{kpi}")
        assert "an alert was raised" in page.text
        assert "1 open KPI alert" in page.text and "<svg" in page.text
        assert "alert threshold 3.5" in page.text and "target 3" in page.text
        portfolio = await client.get("/o/alpha/kpis")
        assert "Delivery lead time" in portfolio.text and "4.1" in portfolio.text
        listing = await client.get(f"/o/alpha/initiatives/{initiative}/kpis")
        assert "1 open KPI alert" in listing.text and "Past the threshold" in listing.text
        board = await client.get("/o/alpha/")
        assert "open KPI alert" in board.text and "Delivery lead time" in board.text
        alert = await KpiAlert.select().where(KpiAlert.kpi == kpi).first()
        assert alert["value"] == 4.1 and alert["threshold"] == 3.5
        done = await client.post(f"/o/alpha/kpi-alerts/{alert['id']}/acknowledge", data={})
        assert done.status_code == 303
        portfolio = (await client.get("/o/alpha/kpis")).text
        assert f"/kpi-alerts/{alert['id']}/acknowledge" not in portfolio
        again = await client.post(
            f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": yesterday, "value": "1"}
        )
        assert again.status_code == 422
        assert "already has a measurement for that date" in again.text
        assert 'value="1"' in again.text  # the input comes back
    row = await KpiAlert.select().where(KpiAlert.id == alert["id"]).first()
    assert row["acknowledged_by"] == world.a.people["member"]
    assert await KpiMeasurement.count().where(KpiMeasurement.kpi == kpi) == 2
    wrong = (
        await KpiMeasurement.select()
        .where(KpiMeasurement.kpi == kpi, KpiMeasurement.value == 4.1)
        .first()
    )
    async with world.client(world.a, "viewer") as viewer:
        assert (
            await viewer.post(f"/o/alpha/kpi-measurements/{wrong['id']}/delete")
        ).status_code == 403
    async with world.client(world.b, "admin") as outsider:
        assert (
            await outsider.post(f"/o/beta/kpi-measurements/{wrong['id']}/delete")
        ).status_code == 404
    async with world.client(world.a, "lead") as client:
        removed = await client.post(f"/o/alpha/kpi-measurements/{wrong['id']}/delete")
        assert removed.status_code == 303
        fixed = await client.post(
            f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": yesterday, "value": "3.1"}
        )
        assert fixed.status_code == 303  # the date is free for the corrected value
    assert not await KpiAlert.exists().where(KpiAlert.id == alert["id"])
    assert sorted(
        m["value"] for m in await KpiMeasurement.select().where(KpiMeasurement.kpi == kpi)
    ) == [2.8, 3.1]


async def test_higher_is_better_breaches_below_the_threshold(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(
        world,
        world.a,
        initiative,
        name="Complaint resolution rate",
        direction="higher",
        target="95",
        threshold="90",
        unit="%",
    )
    async with world.client(world.a, "lead") as client:
        for day, value in ((3, "96"), (2, "90"), (1, "89.5")):
            measured_on = (date.today() - timedelta(days=day)).isoformat()
            await client.post(
                f"/o/alpha/kpis/{kpi}/measurements",
                data={"measured_on": measured_on, "value": value},
            )
    alerts = await KpiAlert.select(KpiAlert.value).where(KpiAlert.kpi == kpi)
    assert [a["value"] for a in alerts] == [89.5]


async def test_bad_kpi_and_measurement_input_comes_back_with_errors(world):
    initiative = await make_initiative(world.a, phase=6)
    async with world.client(world.a, "lead") as client:
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/kpis",
            data={**FULFILMENT, "threshold": "2", "target": "soon"},
        )
        assert bad.status_code == 422 and "Enter a number." in bad.text
        assert 'value="Delivery lead time"' in bad.text
        wrong_side = await client.post(
            f"/o/alpha/initiatives/{initiative}/kpis", data={**FULFILMENT, "threshold": "2"}
        )
        assert "cannot be below the target" in wrong_side.text
    kpi = await make_kpi(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        future = (date.today() + timedelta(days=2)).isoformat()
        bad = await client.post(
            f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": future, "value": "x"}
        )
        assert bad.status_code == 422 and "Enter a number." in bad.text
    assert await Kpi.count().where(Kpi.initiative == initiative) == 1
    assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)


async def test_measurement_import_is_all_or_nothing_with_a_row_report(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    path = f"/o/alpha/kpis/{kpi}/import"
    days = [(date.today() - timedelta(days=7 * k)).isoformat() for k in (3, 2, 1)]
    bad_csv = f"日期,实际值\n{days[0]},2.9\n{days[1]},three\n{days[1]},3.1\n"
    async with world.client(world.a, "member") as client:
        preview = await upload(client, path, "kpi.csv", bad_csv.encode("gbk"))
        assert preview.status_code == 422
        assert "Enter a number." in preview.text and "nothing was imported" in preview.text
        assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
        book = Workbook()
        sheet = book.active
        sheet.append(["date", "value"])
        for day, value in zip(days, (2.9, 3.2, 3.9), strict=True):
            sheet.append([day, value])
        import io

        buffer = io.BytesIO()
        book.save(buffer)
        preview = await upload(client, path, "kpi.xlsx", buffer.getvalue())
        assert preview.status_code == 200 and "3 rows are ready to import" in preview.text
        done = await confirm(client, path, preview)
        assert done.status_code == 303
        repeat = await upload(client, path, "kpi.xlsx", buffer.getvalue())
        assert repeat.status_code == 422 and "already has a measurement" in repeat.text
    values = await KpiMeasurement.select(KpiMeasurement.value, KpiMeasurement.source).where(
        KpiMeasurement.kpi == kpi
    )
    assert sorted(v["value"] for v in values) == [2.9, 3.2, 3.9]
    assert {v["source"] for v in values} == {"import"}
    assert await KpiAlert.count().where(KpiAlert.kpi == kpi) == 1  # 3.9 > 3.5


async def test_two_editors_of_a_kpi_do_not_overwrite_each_other(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        first = await client.post(
            f"/o/alpha/kpis/{kpi}", data={**FULFILMENT, "target": "2.5", "revision": "0"}
        )
        assert first.status_code == 303
        second = await client.post(
            f"/o/alpha/kpis/{kpi}", data={**FULFILMENT, "threshold": "4", "revision": "0"}
        )
        assert second.status_code == 409 and "Someone else saved this KPI" in second.text
        assert 'value="4"' in second.text
    row = await Kpi.select().where(Kpi.id == kpi).first()
    assert row["target"] == 2.5 and row["threshold"] == 3.5


async def test_optimisation_log_and_roles(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    entry = {
        "logged_on": "2026-11-01",
        "process": "Order fulfilment",
        "background": "Cycle crept up in October",
        "measures": "Second picking shift",
        "effect": "Cycle back to 2.7 days",
        "owner": "Logistics lead",
    }
    async with world.client(world.a, "viewer") as client:
        refused = await client.post(
            f"/o/alpha/initiatives/{initiative}/optimisation-log", data=entry
        )
        assert refused.status_code == 403
        assert (
            "Record an optimisation"
            not in (await client.get(f"/o/alpha/initiatives/{initiative}/kpis")).text
        )
    async with world.client(world.a, "member") as client:
        ok = await client.post(f"/o/alpha/initiatives/{initiative}/optimisation-log", data=entry)
        assert ok.status_code == 303
        page = await client.get(f"/o/alpha/kpis/{kpi}")
        assert "Second picking shift" in page.text
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get(f"/o/beta/kpis/{kpi}")).status_code == 404
        assert (await outsider.get(f"/o/alpha/kpis/{kpi}")).status_code == 404
        posted = await outsider.post(
            f"/o/beta/initiatives/{initiative}/optimisation-log", data=entry
        )
        assert posted.status_code == 404
        assert "Delivery lead time" not in (await outsider.get("/o/beta/kpis")).text
    assert await OptimisationEntry.count().where(OptimisationEntry.initiative == initiative) == 1


async def test_a_breach_is_mailed_to_the_owner_once_and_listed_in_digests(world):
    from datetime import UTC, datetime

    from tracker.digests import service as digests
    from tracker.digests.reminders import queue_kpi_alerts
    from tracker.digests.tables import EmailMessage
    from tracker.tenancy import TenantScope

    initiative = await make_initiative(world.a, phase=6, name="Mailed KPI initiative")
    kpi = await make_kpi(world, world.a, initiative, name="Picking errors", threshold="3.2")
    async with world.client(world.a, "member") as client:
        await client.post(
            f"/o/alpha/kpis/{kpi}/measurements",
            data={"measured_on": date.today().isoformat(), "value": "5"},
        )
    alert = await KpiAlert.select().where(KpiAlert.kpi == kpi).first()
    assert await queue_kpi_alerts() >= 1
    await queue_kpi_alerts()
    mails = await EmailMessage.select().where(EmailMessage.key == f"kpi_alert:{alert['id']}")
    assert len(mails) == 1
    assert mails[0]["person"] == world.a.people["lead"] and mails[0]["kind"] == "kpi_alert"
    assert "Picking errors" in mails[0]["subject"] and "/kpis/" in mails[0]["body_text"]
    now = datetime.now(UTC)
    data = await digests.gather(
        TenantScope(world.a.id), now - timedelta(days=1), now + timedelta(minutes=1), date.today()
    )
    items = digests.person_data(data, world.a.people["lead"], "lead", date.today(), now)
    breach = [b for b in items["kpi_breaches"] if b["kpi"] == kpi]
    assert breach and breach[0]["value"] == 5 and breach[0]["above"]
    other = digests.person_data(data, world.a.people["member"], "lead", date.today(), now)
    assert not [b for b in other["kpi_breaches"] if b["kpi"] == kpi]  # not their initiative


async def test_a_kpi_not_measured_for_too_long_is_flagged(world):
    from datetime import UTC, datetime

    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative, name="Weekly backlog", frequency="weekly")
    async with world.client(world.a, "viewer") as client:
        assert "Measurement overdue" not in (await client.get(f"/o/alpha/kpis/{kpi}")).text
        await Kpi.update({Kpi.created_at: datetime.now(UTC) - timedelta(days=30)}).where(
            Kpi.id == kpi
        )
        assert "Measurement overdue" in (await client.get(f"/o/alpha/kpis/{kpi}")).text
        listing = await client.get(f"/o/alpha/initiatives/{initiative}/kpis")
        assert "Measurement overdue" in listing.text
    async with world.client(world.a, "member") as client:
        await client.post(
            f"/o/alpha/kpis/{kpi}/measurements",
            data={"measured_on": (date.today() - timedelta(days=2)).isoformat(), "value": "2"},
        )
        assert "Measurement overdue" not in (await client.get(f"/o/alpha/kpis/{kpi}")).text


async def kpi_measured_three_days_ago(world) -> tuple[int, str]:
    """A KPI of alpha with one measurement (2.5), three days ago: the KPI and that day."""
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    day = (date.today() - timedelta(days=3)).isoformat()
    async with world.client(world.a, "lead") as client:
        await client.post(
            f"/o/alpha/kpis/{kpi}/measurements", data={"measured_on": day, "value": "2.5"}
        )
    return kpi, day


async def test_the_kept_chart_follows_every_change_and_the_language(world):
    """The trend chart is kept rendered between requests: a new measurement, a changed target
    or another language must show at once."""
    kpi, day = await kpi_measured_three_days_ago(world)
    async with world.client(world.a, "lead") as client:
        first = (await client.get(f"/o/alpha/kpis/{kpi}")).text
        again = (await client.get(f"/o/alpha/kpis/{kpi}")).text
        await KpiMeasurement.insert(  # behind the app's back (an import, another process)
            KpiMeasurement(
                org=world.a.id, kpi=kpi, measured_on=date.today(), value=2.9, source="api"
            )
        )
        await Kpi.update({Kpi.target: 2.0}).where(Kpi.id == kpi)
        after = (await client.get(f"/o/alpha/kpis/{kpi}")).text
        chinese = (
            await client.get(f"/o/alpha/kpis/{kpi}", headers={"accept-language": "zh-CN"})
        ).text

    def chart(html: str) -> str:
        return html.split('<figure class="chart trend">')[1].split("</figure>")[0]

    assert chart(first) == chart(again) and "Delivery lead time: 1 measurement," in chart(first)
    assert "target 3" in chart(first)
    assert "Delivery lead time: 2 measurements," in chart(after) and "target 2" in chart(after)
    assert f"{date.today().isoformat()}: 2.9" in chart(after)
    assert "Delivery lead time 趋势：2 条数据" in chart(chinese) and "target 2" not in chart(
        chinese
    )
    # each row's remove button names its own date, in the page's language
    assert f'aria-label="Remove the measurement of {day}"' in after
    assert f'hx-confirm="Remove the measurement of {day}?"' in after
    assert (
        f"{day}" in chinese.split('id="measurements"')[1]
        and "Remove the measurement" not in chinese
    )


async def test_the_kept_measurements_carry_each_visitors_own_csrf_token(world):
    """The measurements table is kept rendered with its remove forms; each visitor's page
    carries that visitor's CSRF token, never the one of whoever was shown the table first,
    and follows a change made behind the app's back."""
    import re

    import httpx

    from tests import conftest
    from tracker.fragments import CSRF_MARK

    kpi, _ = await kpi_measured_three_days_ago(world)
    async with world.client(world.a, "lead") as client:
        first = (await client.get(f"/o/alpha/kpis/{kpi}")).text
    tokens = set(re.findall(r'name="_csrf_token" value="([^"]+)"', first))
    assert tokens == {conftest.CSRF_TOKEN}

    # another visitor, without a CSRF cookie yet: Litestar gives them a token of their own
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi),
        base_url="http://testserver",
        cookies={"tracker_session": world.a.tokens["lead"]},
    ) as other:
        page = await other.get(f"/o/alpha/kpis/{kpi}")
        own = other.cookies["csrftoken"]
        assert own not in tokens
        table = page.text.split('id="measurements"')[1].split("</section>")[0].split("<table")[1]
        removes = re.findall(
            r'action="[^"]+/delete"[^>]*><input type="hidden" name="_csrf_token" value="([^"]+)"',
            table,
        )
        assert removes == [own], "the remove form carries the visitor's own token, as markup"
        assert str(CSRF_MARK) not in page.text
        measurement = re.search(r"/kpi-measurements/(\d+)/delete", table).group(1)
        # behind the app's back: the value changes, and the page shows it at once
        await KpiMeasurement.update({KpiMeasurement.value: 2.75}).where(
            KpiMeasurement.id == int(measurement)
        )
        table = (await other.get(f"/o/alpha/kpis/{kpi}")).text.split('id="measurements"')[1]
        assert ">2.75<" in table.split("</section>")[0]
        removed = await other.post(
            f"/o/alpha/kpi-measurements/{measurement}/delete",
            data={"_csrf_token": own},
            headers={"x-csrftoken": own},
        )
        assert removed.status_code == 303
        after = (await other.get(f"/o/alpha/kpis/{kpi}")).text
        assert "No measurements yet." in after
