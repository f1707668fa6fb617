"""A proportion KPI's denominators ("out of how many") come in through every way: the KPI
page's form, the file import and the JSON API, all judged by one rule (a whole number above
0, needed by a proportion, no smaller than the count its share stands for). Bad ones are
refused with a message and nothing is written; good ones draw the p-chart."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tests.integration.api.test_api import api, token_for
from tests.integration.kpis.test_kpis import make_kpi
from tests.integration.registers.test_export_import import confirm, upload
from tracker.kpis.tables import KpiMeasurement

# 2 % of 100, 200, 150 … orders; then 7 % of 100 (past 3 sigma for 100 orders)
RATES = [(2, 100), (2.5, 200), (2, 150), (1.5, 200), (2, 100)] * 2 + [(7, 100)]


def day(n: int) -> str:
    return (date.today() - timedelta(days=30 - n)).isoformat()


async def rate_kpi(world, name):
    initiative = await make_initiative(world.a, phase=6, name=f"{name} initiative")
    kpi = await make_kpi(
        world,
        world.a,
        initiative,
        name=name,
        unit="%",
        target="2",
        threshold="8",
        chart_kind="proportion",
    )
    async with world.client(world.a, "lead") as client:
        added = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": day(0), "label": "baseline", "limit_points": "10"},
        )
        assert added.status_code == 303, added.text
    return kpi


async def denominators_of(kpi):
    rows = await KpiMeasurement.select(KpiMeasurement.denominator).where(KpiMeasurement.kpi == kpi)
    return sorted(r["denominator"] for r in rows)


async def assert_p_chart(world, kpi):
    async with world.client(world.a, "member") as client:
        page = await client.get(f"/o/alpha/kpis/{kpi}")
    assert "p-chart" in page.text and "vary with the denominator" in page.text
    assert 'class="signal-ring"' in page.text


async def test_an_imported_proportion_carries_its_denominators(world):
    kpi = await rate_kpi(world, "Imported complaint rate")
    path = f"/o/alpha/kpis/{kpi}/import"
    bad = (
        "date,value,out of\n"
        f"{day(0)},2,0\n"  # not above 0
        f"{day(1)},2,150.5\n"  # not whole
        f"{day(2)},2,\n"  # a proportion needs one
        f"{day(3)},120,100\n"  # 120 % of 100: more than counted
        f"{day(4)},2,many\n"
    )
    async with world.client(world.a, "member") as client:
        page = await client.get(path)
        assert "out of" in page.text
        preview = await upload(client, path, "rates.csv", bad.encode())
        assert preview.status_code == 422 and "5 problems found" in preview.text
        assert preview.text.count("a whole number above 0") == 3
        assert "A proportion needs its denominator" in preview.text
        assert "A proportion cannot be more than its denominator" in preview.text
        assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
        good = "日期,实际值,分母\n" + "".join(
            f"{day(n)},{value},{orders}\n" for n, (value, orders) in enumerate(RATES)
        )
        preview = await upload(client, path, "rates.csv", good.encode("gbk"))
        assert preview.status_code == 200 and "11 rows are ready" in preview.text
        assert (await confirm(client, path, preview)).status_code == 303
    assert await denominators_of(kpi) == sorted(float(n) for _v, n in RATES)
    await assert_p_chart(world, kpi)


async def test_an_individuals_kpi_imports_without_denominators(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    path = f"/o/alpha/kpis/{kpi}/import"
    async with world.client(world.a, "member") as client:
        preview = await upload(client, path, "kpi.csv", f"date,value\n{day(0)},2.9\n".encode())
        assert preview.status_code == 200, preview.text
        assert (await confirm(client, path, preview)).status_code == 303
    assert await denominators_of(kpi) == [None]


async def test_an_api_posted_proportion_carries_its_denominators(world):
    kpi = await rate_kpi(world, "API complaint rate")
    writer = await token_for(world, world.a, "write", name="CRM")
    outsider = await token_for(world, world.b, "write", name="Beta CRM")
    body = {
        "measurements": [
            {"measured_on": day(n), "value": value, "denominator": orders}
            for n, (value, orders) in enumerate(RATES)
        ]
    }
    async with api(world, writer) as client:
        for denominator, status, words in (
            (0, 400, "denominator"),
            (150.5, 400, "denominator"),
            ("many", 400, "denominator"),
        ):
            refused = await client.post(
                f"/kpis/{kpi}/measurements",
                json={
                    "measurements": [
                        {"measured_on": day(0), "value": 2, "denominator": denominator}
                    ]
                },
            )
            assert refused.status_code == status, refused.text
            assert words in refused.json()["detail"] or words in str(refused.json())
        missing = await client.post(
            f"/kpis/{kpi}/measurements",
            json={
                "measurements": [
                    {"measured_on": day(0), "value": 2, "denominator": 100},
                    {"measured_on": day(1), "value": 2},
                ]
            },
        )
        assert missing.status_code == 422
        assert missing.json()["detail"].startswith("Measurement 2 (")
        assert "A proportion needs its denominator" in missing.json()["detail"]
        over = await client.post(
            f"/kpis/{kpi}/measurements",
            json={"measurements": [{"measured_on": day(0), "value": 120, "denominator": 100}]},
        )
        assert over.status_code == 422 and "more than its denominator" in over.json()["detail"]
        assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
    async with api(world, outsider) as client:
        other = await client.post(f"/kpis/{kpi}/measurements", json=body)
        assert other.status_code == 404
    assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
    async with api(world, writer) as client:
        written = await client.post(f"/kpis/{kpi}/measurements", json=body)
        assert written.status_code == 201, written.text
        assert [m["denominator"] for m in written.json()["items"]] == [n for _v, n in RATES]
        listing = (await client.get(f"/kpis/{kpi}/measurements")).json()
        assert [m["denominator"] for m in listing["items"]] == [n for _v, n in RATES]
    await assert_p_chart(world, kpi)


async def test_the_form_refuses_a_denominator_that_is_not_a_whole_count(world):
    kpi = await rate_kpi(world, "Form complaint rate")
    async with world.client(world.a, "member") as client:
        for value, denominator, words in (
            ("2", "150.5", "a whole number above 0"),
            ("120", "100", "more than its denominator"),
        ):
            refused = await client.post(
                f"/o/alpha/kpis/{kpi}/measurements",
                data={"measured_on": day(0), "value": value, "denominator": denominator},
            )
            assert refused.status_code == 422 and words in refused.text
    assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
