"""Realised benefits month by month: entered by hand, imported from CSV or XLSX (all or
nothing, a bad file reported row by row and nothing written) and derived from the KPI's
measurements against the baseline × units × value per unit, with the method beside each month;
the figures are the hand-computed ones."""

from io import BytesIO

from openpyxl import Workbook

from tests.helpers import make_initiative
from tests.integration.benefits.helpers import add_plan, fresh_org, month
from tracker.benefits.tables import BenefitRealised
from tracker.kpis.tables import Kpi, KpiMeasurement


async def realised(initiative):
    rows = await BenefitRealised.select(
        BenefitRealised.month, BenefitRealised.amount, BenefitRealised.method
    ).where(BenefitRealised.initiative == initiative)
    return {r["month"]: (r["amount"], r["method"]) for r in rows}


async def test_a_month_entered_by_hand_and_the_roles(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=6)
    url = f"/o/{org.slug}/initiatives/{initiative}/benefits"
    form = {"month": month(-1).strftime("%Y-%m"), "amount": "1,250.5", "note": "From finance"}
    async with world.client(org, "lead") as client:  # no plan yet: nothing to record against
        assert (await client.post(url + "/realised", data=form)).status_code == 404
    await add_plan(org, initiative)
    for role in ("member", "committee", "viewer"):
        async with world.client(org, role) as client:
            assert (await client.post(url + "/realised", data=form)).status_code == 403
            assert (await client.get(url + "/import")).status_code == 403
    async with world.client(org, "lead") as client:
        future = {**form, "month": month(1).strftime("%Y-%m")}
        bad = await client.post(url + "/realised", data=future)
        assert bad.status_code == 422 and 'id="month-error"' in bad.text
        assert (await client.post(url + "/realised", data=form)).status_code == 303
        page = await client.get(url)
        assert "1,250" in page.text and "Entered" in page.text and "From finance" in page.text
        again = {**form, "amount": "900"}  # the month again: its figure is replaced
        assert (await client.post(url + "/realised", data=again)).status_code == 303
    assert await realised(initiative) == {month(-1): (900.0, "entered")}
    row = (
        await BenefitRealised.select(BenefitRealised.id)
        .where(BenefitRealised.initiative == initiative)
        .first()
    )
    remove = f"{url}/realised/{row['id']}/delete"
    other = await fresh_org(world)
    async with world.client(other, "admin") as outsider:
        assert (await outsider.post(url + "/realised", data=form)).status_code == 404
        assert (await outsider.get(url + "/import")).status_code == 404
        assert (await outsider.post(remove)).status_code == 404
    async with world.client(org, "viewer") as client:
        assert (await client.post(remove)).status_code == 403
    assert await realised(initiative) == {month(-1): (900.0, "entered")}
    async with world.client(org, "admin") as client:
        assert (await client.post(remove)).status_code == 303
    assert await realised(initiative) == {}


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_import_writes_every_row_or_none_and_reports_each_bad_row(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=6)
    await add_plan(org, initiative)
    url = f"/o/{org.slug}/initiatives/{initiative}/benefits/import"
    m2, m1, m0 = (month(k).strftime("%Y-%m") for k in (-2, -1, 0))
    bad = (
        f"月份,金额,备注\n{m2},1000,ok\n2026-13,5,\n{m1},abc,\n{month(2):%Y-%m},7,\n{m2},8,\n"
    ).encode()
    async with world.client(org, "lead") as client:
        response = await client.post(url, files={"file": ("bad.csv", bad, "text/csv")})
        assert response.status_code == 422
        text = response.text
        assert "4 problems found; nothing was imported." in text
        for row in ('<td class="num">3</td>', '<td class="num">4</td>'):
            assert row in text
        assert '<td class="num">5</td>' in text and '<td class="num">6</td>' in text
        assert "This month is already in the file." in text
        assert "A benefit is realised in this month or before." in text
        assert await realised(initiative) == {}
        unknown = await client.post(url, files={"file": ("x.csv", b"when,amount\n", "text/csv")})
        assert unknown.status_code == 422 and await realised(initiative) == {}
        good = xlsx(
            [["month", "amount", "note"], [m2, 1000, "Q"], [m1, 2500.5, ""], [m0, -100, ""]]
        )
        checked = await client.post(
            url, files={"file": ("good.xlsx", good, "application/octet-stream")}
        )
        assert checked.status_code == 200 and "3 rows are ready to import" in checked.text
        assert await realised(initiative) == {}  # the preview writes nothing
        payload = checked.text.split('name="payload" value="')[1].split('"')[0]
        done = await client.post(
            url, data={"payload": payload, "filename": "good.xlsx", "confirm": "1"}
        )
        assert done.status_code == 303
        page = await client.get(f"/o/{org.slug}/initiatives/{initiative}/benefits")
        assert page.text.count("Imported") == 3
    assert await realised(initiative) == {
        month(-2): (1000.0, "imported"),
        month(-1): (2500.5, "imported"),
        month(0): (-100.0, "imported"),
    }


async def test_months_derived_from_the_kpi_keep_the_ones_entered_by_hand(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=6)
    await add_plan(org, initiative, start_month=month(-2))
    kpi = (
        await Kpi.insert(
            Kpi(
                org=org.id,
                initiative=initiative,
                name="Handling time",
                unit="min",
                direction="lower",
                target=20,
                threshold=40,
            )
        )
    )[0]["id"]
    points = {
        month(-3).replace(day=10): 10.0,  # before the plan starts: not counted
        month(-2).replace(day=3): 20.0,
        month(-2).replace(day=17): 24.0,  # mean 22: 8 below the baseline of 30
        month(-1).replace(day=9): 27.0,  # 3 below (entered by hand: kept)
        month(0): 33.0,  # 3 above: a negative benefit
    }
    await KpiMeasurement.insert(
        *(KpiMeasurement(org=org.id, kpi=kpi, measured_on=d, value=v) for d, v in points.items())
    )
    url = f"/o/{org.slug}/initiatives/{initiative}/benefits"
    settings = {
        "kpi": str(kpi),
        "kpi_baseline": "30",
        "units_per_month": "100",
        "value_per_unit": "0.5",
    }
    async with world.client(org, "lead") as client:
        form = await client.get(url)  # the derivation's form, the goal's baseline proposed
        assert form.status_code == 200 and 'id="kpi_baseline" name="kpi_baseline"' in form.text
        assert 'name="kpi_baseline" type="text" value="48"' in form.text
        entered = {"month": month(-1).strftime("%Y-%m"), "amount": "999"}
        assert (await client.post(url + "/realised", data=entered)).status_code == 303
        bad = await client.post(url + "/derivation", data={**settings, "units_per_month": "0"})
        assert bad.status_code == 422 and 'id="units_per_month-error"' in bad.text
        done = await client.post(url + "/derivation", data=settings)
        assert done.status_code == 303
        page = await client.get(url)
        assert page.text.count("Derived from the KPI") == 2
        assert "(30 − 22) × 100 × 0.5 = 400" in page.text
    assert await realised(initiative) == {
        month(-2): (400.0, "derived"),  # (30 − 22) × 100 × 0.5
        month(-1): (999.0, "entered"),
        month(0): (-150.0, "derived"),  # (30 − 33) × 100 × 0.5
    }
    other = await fresh_org(world)
    async with world.client(other, "admin") as outsider:
        assert (await outsider.post(url + "/derivation", data=settings)).status_code == 404
