import pytest

from tests.helpers import make_initiative
from tracker.errors import Conflict, Invalid
from tracker.risks import service
from tracker.risks.tables import ResistanceEntry, Risk, RiskScoreChange
from tracker.tenancy import TenantScope
from tracker.values import Submitted


def risk_form(**overrides):
    form = {
        "description": "Key users unavailable during pilot",
        "category": "people",
        "likelihood": "4",
        "impact": "4",
        "mitigation": "Book them two weeks ahead",
        "status": "open",
        "review_date": "2030-01-15",
        "owner": "",
        "residual_likelihood": "",
        "residual_impact": "",
    }
    form.update(overrides)
    return form


async def test_risk_register_history_and_heat_map(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        assert (
            await client.post(f"/o/alpha/initiatives/{initiative}/risks", data=risk_form())
        ).status_code == 303
        risk = await Risk.select().where(Risk.initiative == initiative).first()
        updated = await client.post(
            f"/o/alpha/risks/{risk['id']}",
            data=risk_form(
                likelihood="5",
                residual_likelihood="2",
                residual_impact="3",
                version=str(risk["version"]),
            ),
        )
        assert updated.status_code == 303
        page = await client.get(f"/o/alpha/risks/{risk['id']}")
        heat = await client.get(f"/o/alpha/initiatives/{initiative}/heatmap")
        cell = await client.get(
            f"/o/alpha/initiatives/{initiative}/heatmap?likelihood=5&impact=4",
            headers={"HX-Request": "true"},
        )
        portfolio = await client.get("/o/alpha/heatmap?likelihood=5&impact=4")
    history = (
        await RiskScoreChange.select()
        .where(RiskScoreChange.risk == risk["id"])
        .order_by(RiskScoreChange.id)
    )
    assert [(h["likelihood"], h["impact"]) for h in history] == [(4, 4), (5, 4)]
    assert "20 · Critical" in page.text and "Residual 6" in page.text
    assert "band-critical" in heat.text
    assert (
        cell.text.lstrip().startswith('<div id="heatmap"') and "Key users unavailable" in cell.text
    )
    assert "Key users unavailable" in portfolio.text


async def test_risk_errors_and_conflicts(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/risks",
            data=risk_form(description="", likelihood="0", residual_likelihood="3"),
        )
        assert bad.status_code == 422
        assert (
            "Describe the risk." in bad.text
            and "Give both the residual likelihood and impact" in bad.text
        )
        await client.post(f"/o/alpha/initiatives/{initiative}/risks", data=risk_form())
    risk = await Risk.select().where(Risk.initiative == initiative).first()
    async with world.client(world.a, "lead") as lead, world.client(world.a, "member") as member:
        assert (
            await lead.post(
                f"/o/alpha/risks/{risk['id']}", data=risk_form(status="mitigating", version="1")
            )
        ).status_code == 303
        stale = await member.post(
            f"/o/alpha/risks/{risk['id']}", data=risk_form(status="closed", version="1")
        )
    assert stale.status_code == 409
    assert (await Risk.select(Risk.status).where(Risk.id == risk["id"]).first())[
        "status"
    ] == "mitigating"


async def test_starter_risks_in_one_click_and_not_twice(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        assert (
            await client.post(f"/o/alpha/initiatives/{initiative}/risks/starters")
        ).status_code == 303
        again = await client.post(f"/o/alpha/initiatives/{initiative}/risks/starters")
    assert again.status_code == 303
    assert await Risk.count().where(Risk.initiative == initiative) == 5


async def test_resistance_log(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        ok = await client.post(
            f"/o/alpha/initiatives/{initiative}/resistance",
            data={
                "stakeholder_group": "Warehouse shift leads",
                "level": "high",
                "barrier": "desire",
                "concern": "Fear of extra scanning work",
                "root_cause": "No say in the design",
                "action": "Invite two leads to the design workshop",
                "due_date": "2030-02-01",
                "status": "open",
            },
        )
        assert ok.status_code == 303
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/resistance",
            data={"stakeholder_group": "", "level": "furious", "barrier": "x"},
        )
        assert bad.status_code == 422 and "Name the stakeholder group." in bad.text
        entry = (
            await ResistanceEntry.select().where(ResistanceEntry.initiative == initiative).first()
        )
        edited = await client.post(
            f"/o/alpha/resistance/{entry['id']}",
            data={
                "stakeholder_group": "Warehouse shift leads",
                "level": "low",
                "barrier": "ability",
                "status": "done",
                "outcome": "Leads now champion the change",
            },
        )
        assert edited.status_code == 303
        page = await client.get(f"/o/alpha/initiatives/{initiative}/resistance")
    assert "Leads now champion the change" in page.text
    row = await ResistanceEntry.select().where(ResistanceEntry.id == entry["id"]).first()
    assert (row["level"], row["status"]) == ("low", "done")


@pytest.mark.parametrize("role", ["committee", "viewer"])
async def test_roles_that_may_not_write_risks(world, role):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, role) as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}/risks")).status_code == 200
        assert (
            await client.post(f"/o/alpha/initiatives/{initiative}/risks", data=risk_form())
        ).status_code == 403
        assert (
            await client.post(f"/o/alpha/initiatives/{initiative}/risks/starters")
        ).status_code == 403
        assert (
            await client.post(
                f"/o/alpha/initiatives/{initiative}/resistance", data={"stakeholder_group": "x"}
            )
        ).status_code == 403
    assert not await Risk.exists().where(Risk.initiative == initiative)


async def test_outsider_gets_404_on_risks(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        await client.post(f"/o/alpha/initiatives/{initiative}/risks", data=risk_form())
        await client.post(
            f"/o/alpha/initiatives/{initiative}/resistance",
            data={"stakeholder_group": "Sales", "level": "low", "barrier": "knowledge"},
        )
    risk = await Risk.select().where(Risk.initiative == initiative).first()
    entry = await ResistanceEntry.select().where(ResistanceEntry.initiative == initiative).first()
    async with world.client(world.b, "admin") as client:
        for path in (
            f"/o/beta/risks/{risk['id']}",
            f"/o/beta/initiatives/{initiative}/risks",
            f"/o/beta/initiatives/{initiative}/heatmap",
            f"/o/beta/initiatives/{initiative}/resistance",
        ):
            assert (await client.get(path)).status_code == 404, path
        assert (
            await client.post(f"/o/beta/risks/{risk['id']}", data=risk_form(version="1"))
        ).status_code == 404
        assert (
            await client.post(
                f"/o/beta/resistance/{entry['id']}",
                data={"stakeholder_group": "x", "level": "low", "barrier": "desire"},
            )
        ).status_code == 404
        assert (
            await client.post(f"/o/beta/initiatives/{initiative}/risks/starters")
        ).status_code == 404
        heat = await client.get("/o/beta/heatmap?likelihood=4&impact=4")
    assert "Key users unavailable" not in heat.text
    assert (await Risk.select().where(Risk.id == risk["id"]).first()) == risk


async def test_the_risk_service_takes_plain_values_and_refuses_with_errors(world):
    """Called without a form (a job, the CLI): ``Invalid`` with each field's error, ``Conflict``
    when someone saved the risk meanwhile; nothing written either way."""
    initiative = await make_initiative(world.a)
    scope, person = TenantScope(world.a.id), world.a.people["lead"]
    bad = risk_form(description="", likelihood="6", residual_likelihood="2")
    with pytest.raises(Invalid) as refused:
        await service.create(scope, initiative, Submitted.of(bad), person)
    assert set(refused.value.fields) == {"description", "likelihood", "residual_impact"}
    assert not await Risk.exists().where(Risk.initiative == initiative)
    risk = await service.create(scope, initiative, Submitted.of(risk_form()), person)
    await service.update(scope, risk, Submitted.of(risk_form(impact="2", version="1")), person)
    with pytest.raises(Conflict):
        await service.update(scope, risk, Submitted.of(risk_form(impact="5", version="1")), person)
    with pytest.raises(Invalid) as refused:
        await service.update(scope, risk, Submitted.of(risk_form(impact="5")), person)
    assert set(refused.value.fields) == {"description"}  # no version: reload the page
    row = await Risk.select(Risk.impact, Risk.version).where(Risk.id == risk).first()
    assert row == {"impact": 2, "version": 2}
    assert await RiskScoreChange.count().where(RiskScoreChange.risk == risk) == 2


async def test_the_portfolio_heat_map_counts_open_risks_in_the_same_queries_at_any_size(world):
    """The counts come from the database (issue 19: the portfolio's 30,000 risks at 10,000
    initiatives were read one by one to count them); closed risks are left out; an outsider
    gets 404 and their own empty map."""
    from itertools import count

    from tests.conftest import make_org
    from tracker.db import count_queries

    org = await make_org(f"heat-{world.backend}", "x")
    outsider = await make_org(f"heat-out-{world.backend}", "x")
    initiative = await make_initiative(org)
    numbers = count()

    async def add(likelihood: int, impact: int, status: str = "open") -> None:
        await Risk.insert(
            Risk(
                org=org.id,
                initiative=initiative,
                description=f"Heat risk {next(numbers)}",
                category="other",
                likelihood=likelihood,
                impact=impact,
                status=status,
            )
        )

    async def visit() -> tuple[str, int, str, int]:
        async with world.client(org, "member") as client:
            with count_queries() as whole:
                page = await client.get(f"/o/{org.slug}/heatmap")
            with count_queries() as one:
                cell = await client.get(f"/o/{org.slug}/heatmap?likelihood=4&impact=2")
        assert page.status_code == cell.status_code == 200
        return page.text, whole.count, cell.text, one.count

    await add(4, 2)
    await add(4, 2, "closed")
    small = await visit()
    assert "Likelihood 4, impact 2: 1 risks" in small[0]
    assert "Heat risk 0" in small[2] and "Heat risk 1" not in small[2]
    for k in range(30):
        await add(4, 2) if k % 3 else await add(5, 5, "closed" if k % 2 else "open")
    large = await visit()
    assert "Likelihood 4, impact 2: 21 risks" in large[0]
    assert "Likelihood 5, impact 5: 5 risks" in large[0]
    assert (large[1], large[3]) == (small[1], small[3])
    async with world.client(outsider, "member") as client:
        assert (await client.get(f"/o/{org.slug}/heatmap")).status_code == 404
        theirs = await client.get(f"/o/{outsider.slug}/heatmap?likelihood=4&impact=2")
    assert "Likelihood 4, impact 2: 0 risks" in theirs.text and "Heat risk" not in theirs.text
