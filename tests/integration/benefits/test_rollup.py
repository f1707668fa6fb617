"""The portfolio roll-up: planned vs realised by month, department and initiative,
cumulative, per currency, with the gap called out; every figure equals the hand-computed
one; the board's filter applies; another organisation's figures never count; a fixed number
of queries for 10 and for 1,000 initiatives; the digest's section for admins and the
committee."""

from datetime import UTC, date, datetime

from tests.helpers import make_initiative
from tests.integration.benefits.helpers import add_plan, add_realised, fresh_org, month
from tracker.benefits import rollup
from tracker.benefits.tables import BenefitPlan, BenefitRealised
from tracker.db import count_queries
from tracker.digests import rules as digest_rules
from tracker.digests import service as digest_service
from tracker.digests.gathering import gather, person_data
from tracker.initiatives.board import BoardFilter
from tracker.initiatives.tables import Initiative
from tracker.tenancy import TenantScope


async def portfolio_of(world):
    """A (Quality, Sales; CNY), B (Quality; CNY), C (Sales; USD): see the module's figures."""
    org = await fresh_org(world, "roll")
    a = await make_initiative(org, phase=6, departments="Quality, Sales")
    b = await make_initiative(org, phase=6, departments="Quality")
    c = await make_initiative(org, phase=6, departments="Sales")
    await add_plan(org, a, annual_value=12000.0, one_off_cost=5000.0, start_month=month(-1))
    await add_plan(org, b, annual_value=24000.0, start_month=month(-3))
    await add_plan(org, c, annual_value=1200.0, currency="USD", start_month=month(-2))
    await add_realised(org, a, {month(-2): 300.0, month(-1): 800.0, month(0): 1500.0})
    await add_realised(org, b, {month(-3): 700.0, month(-1): 1000.0})  # month −3: outside
    await add_realised(org, c, {month(0): 50.0})
    other = await fresh_org(world, "rollx")
    x = await make_initiative(other, phase=6, departments="Quality")
    await add_plan(other, x, annual_value=999999.0)
    await add_realised(other, x, {month(-1): 123456.0})
    return org, a, b, c


async def test_the_rollup_equals_the_hand_computed_figures(world):
    org, a, b, _c = await portfolio_of(world)
    result = await rollup.portfolio(TenantScope(org.id), None, month(-2), month(0))
    cny, usd = result.currencies
    assert (cny.currency, usd.currency) == ("CNY", "USD")
    assert [(m.month, m.planned, m.realised) for m in cny.months] == [
        (month(-2), 2000.0, 300.0),
        (month(-1), 3000.0, 1800.0),
        (month(0), 3000.0, 1500.0),
    ]
    assert [(m.cumulative_planned, m.cumulative_realised) for m in cny.months] == [
        (2000.0, 300.0),
        (5000.0, 2100.0),
        (8000.0, 3600.0),
    ]
    assert (cny.total.planned, cny.total.realised, cny.total.gap) == (8000.0, 3600.0, -4400.0)
    assert cny.total.one_off_cost == 5000.0 and cny.total.share == 0.45
    assert {d.key: (d.planned, d.realised, d.gap) for d in cny.departments} == {
        "Quality": (8000.0, 3600.0, -4400.0),
        "Sales": (2000.0, 2600.0, 600.0),
    }
    assert {i.id: (i.planned, i.realised) for i in cny.initiatives} == {
        a: (2000.0, 2600.0),
        b: (6000.0, 1000.0),
    }
    assert [g.id for g in cny.behind] == [b]
    assert (usd.total.planned, usd.total.realised) == (300.0, 50.0)
    sales = await rollup.portfolio(
        TenantScope(org.id), BoardFilter(department="Sales"), month(-2), month(0)
    )
    assert [(x.currency, x.total.planned, x.total.realised) for x in sales.currencies] == [
        ("CNY", 2000.0, 2600.0),
        ("USD", 300.0, 50.0),
    ]


async def test_the_benefits_page_calls_out_the_gap_for_every_member(world):
    org, *_ = await portfolio_of(world)
    query = f"?start={month(-2):%Y-%m}&end={month(0):%Y-%m}"
    for role in ("admin", "lead", "committee", "member", "viewer"):
        async with world.client(org, role) as client:
            page = await client.get(f"/o/{org.slug}/benefits{query}")
            assert page.status_code == 200
    text = page.text
    assert "Behind plan by 4,400 CNY" in text and "45 % of the planned benefit realised" in text
    assert "8,000 CNY" in text and "3,600 CNY" in text and "300 USD" in text
    assert 'class="realised-line"' in text and 'class="planned-line"' in text
    assert f"{month(-1):%Y-%m}: planned 3,000, realised 1,800" in text  # for screen readers
    assert "123,456" not in text and "999,999" not in text
    async with world.client(org, "viewer") as client:
        filtered = await client.get(
            f"/o/{org.slug}/benefits{query}&department=Sales", headers={"HX-Request": "true"}
        )
        assert filtered.status_code == 200 and filtered.text.lstrip().startswith(
            '<div id="benefits">'
        )
        assert "On or ahead of plan by 600 CNY" in filtered.text
    other = await fresh_org(world, "out")
    async with world.client(other, "admin") as outsider:
        assert (await outsider.get(f"/o/{org.slug}/benefits")).status_code == 404


async def bulk(org, n, start):
    """``n`` initiatives with a plan and three realised months each, inserted at once."""
    ids = [
        r["id"]
        for r in await Initiative.insert(
            *(
                Initiative(
                    org=org.id,
                    name=f"Bulk {k}",
                    process_code=f"BULK-X-2026-{start + k:04d}",
                    process_class="core",
                    departments=f"Dept {k % 7}",
                    goal_metric="t",
                    start_date=date.today(),
                )
                for k in range(n)
            )
        )
    ]
    await BenefitPlan.insert(
        *(
            BenefitPlan(org=org.id, initiative=i, annual_value=1200.0, start_month=month(-5))
            for i in ids
        )
    )
    await BenefitRealised.insert(
        *(
            BenefitRealised(org=org.id, initiative=i, month=month(-k), amount=90.0)
            for i in ids
            for k in range(3)
        )
    )


async def test_the_page_and_the_digest_read_a_fixed_number_of_queries(world):
    org = await fresh_org(world, "rollq")
    await bulk(org, 10, 0)

    async def measured() -> tuple[int, int]:
        async with world.client(org, "committee") as client:
            with count_queries() as page:
                response = await client.get(f"/o/{org.slug}/benefits")
            assert response.status_code == 200
        with count_queries() as digest:
            now = datetime.now(UTC)
            await gather(TenantScope(org.id), now, now, date.today())
        return page.count, digest.count

    small = await measured()
    await bulk(org, 990, 10)
    assert await measured() == small
    result = await rollup.portfolio(TenantScope(org.id), None, month(-2), month(0))
    assert result.currencies[0].total.realised == 1000 * 3 * 90.0
    assert result.currencies[0].total.planned == 1000 * 3 * 100.0


async def test_the_digest_has_the_benefits_for_admins_and_the_committee(world):
    org, *_ = await portfolio_of(world)
    now, today = datetime.now(UTC), date.today()
    data = await gather(TenantScope(org.id), now, now, today)
    year = await rollup.portfolio(TenantScope(org.id), None, today.replace(month=1, day=1), today)
    assert data.benefits == rollup.summary(year) and data.benefits
    for role, shown in (("admin", True), ("committee", True), ("lead", False), ("member", False)):
        sections = digest_rules.compose(role, person_data(data, org.people[role], role, today, now))
        assert ("benefits" in [s.name for s in sections]) is shown
    assert not digest_rules.worth_sending(
        digest_rules.compose("committee", {"benefits": data.benefits})
    )
    sections = digest_rules.compose("admin", {"benefits": data.benefits})
    period = digest_rules.Period("W", now, now)
    where = {"name": "Org", "slug": org.slug, "timezone": "UTC"}
    for lang, behind in (("en", "behind plan by"), ("zh_Hans", "落后计划")):
        _subject, text, html = digest_service.render(
            where, {"name": "Admin"}, sections, period, lang, data.initiatives
        )
        assert behind in text and "CNY" in text and f"/o/{org.slug}/benefits" in html
