"""The benefit plan: set by the initiative's lead or an admin, read by every member, frozen
once the rollout gate passes (a change is refused without a reason; with one it is a recorded
re-baseline), another organisation's 404, the roles matrix."""

import json

import pytest

from tests.helpers import make_initiative
from tests.integration.benefits.helpers import decide, fresh_org, month
from tracker.benefits import realised, service
from tracker.benefits.tables import BenefitPlan, BenefitRebaseline
from tracker.errors import Forbidden, Invalid, NotFound
from tracker.gates.tables import InitiativeEvent
from tracker.tenancy import Membership as Member
from tracker.tenancy import OrgContext, TenantScope
from tracker.values import Submitted


def plan_form(**changes):
    form = {
        "metric_change": "-24",
        "value_kind": "savings",
        "annual_value": "120000",
        "one_off_cost": "30000",
        "currency": "CNY",
        "start_month": month(1).strftime("%Y-%m"),
    }
    form.update(changes)
    return form


async def stored(initiative):
    return await BenefitPlan.select().where(BenefitPlan.initiative == initiative).first()


async def test_the_lead_sets_the_plan_everyone_reads_it_others_may_not(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=3)
    url = f"/o/{org.slug}/initiatives/{initiative}/benefits"
    for role in ("member", "committee", "viewer"):
        async with world.client(org, role) as client:
            assert (await client.get(url)).status_code == 200
            assert (await client.post(url + "/plan", data=plan_form())).status_code == 403
    assert await stored(initiative) is None
    async with world.client(org, "lead") as client:
        bad = await client.post(
            url + "/plan", data=plan_form(metric_change="5", currency="XX", annual_value="")
        )
        assert bad.status_code == 422
        assert 'id="metric_change-error"' in bad.text and 'id="currency-error"' in bad.text
        assert 'id="annual_value-error"' in bad.text and 'value="XX"' in bad.text
        assert await stored(initiative) is None
        saved = await client.post(url + "/plan", data=plan_form())
        assert saved.status_code == 303
        page = await client.get(url)
        assert "120,000 CNY" in page.text and "30,000 CNY" in page.text
        assert "Frozen" not in page.text
    row = await stored(initiative)
    assert row["annual_value"] == 120000 and row["currency"] == "CNY"
    assert row["metric_change"] == -24 and row["start_month"] == month(1)
    async with world.client(org, "admin") as client:  # an admin may change it too
        changed = await client.post(url + "/plan", data=plan_form(currency="usd"))
        assert changed.status_code == 303
    assert (await stored(initiative))["currency"] == "USD"
    other = await fresh_org(world)
    async with world.client(other, "admin") as outsider:
        assert (await outsider.get(url.replace(org.slug, other.slug))).status_code == 404
        assert (await outsider.get(url)).status_code == 404
        assert (await outsider.post(url + "/plan", data=plan_form())).status_code == 404
        other_url = url.replace(org.slug, other.slug)
        assert (await outsider.post(other_url + "/plan", data=plan_form())).status_code == 404
    assert (await stored(initiative))["currency"] == "USD"


async def test_after_the_rollout_gate_a_change_needs_a_recorded_rebaseline(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=5)
    url = f"/o/{org.slug}/initiatives/{initiative}/benefits"
    async with world.client(org, "lead") as client:
        assert (await client.post(url + "/plan", data=plan_form())).status_code == 303
    await decide(org, initiative, 4, "go")  # another gate: the plan stays open
    assert not await service.is_frozen(TenantScope(org.id), initiative)
    await decide(org, initiative, 5, "go")  # the rollout gate passes: phase 6
    assert await service.is_frozen(TenantScope(org.id), initiative)
    async with world.client(org, "lead") as client:
        page = await client.get(url)
        assert "Frozen" in page.text and "Why the plan is re-baselined" in page.text
        refused = await client.post(url + "/plan", data=plan_form(annual_value="90000"))
        assert refused.status_code == 422 and 'id="reason-error"' in refused.text
        assert 'value="90000"' in refused.text  # the input is kept
        assert (await stored(initiative))["annual_value"] == 120000
        assert not await BenefitRebaseline.exists().where(
            BenefitRebaseline.initiative == initiative
        )
        same = await client.post(url + "/plan", data=plan_form(reason="no change"))
        assert same.status_code == 303
        assert not await BenefitRebaseline.exists().where(
            BenefitRebaseline.initiative == initiative
        )
        done = await client.post(
            url + "/plan",
            data=plan_form(annual_value="90000", reason="Volume fell after the merger"),
        )
        assert done.status_code == 303
        page = await client.get(url)
        assert "Volume fell after the merger" in page.text
        assert "120000.0 → 90000.0" in page.text
    assert (await stored(initiative))["annual_value"] == 90000
    history = await BenefitRebaseline.select().where(BenefitRebaseline.initiative == initiative)
    assert len(history) == 1
    (row,) = history
    assert (
        row["changed_by"] == org.people["lead"] and row["reason"] == "Volume fell after the merger"
    )
    assert json.loads(row["old_plan"])["annual_value"] == 120000
    assert json.loads(row["new_plan"])["annual_value"] == 90000
    assert await InitiativeEvent.exists().where(
        InitiativeEvent.initiative == initiative, InitiativeEvent.kind == "benefits_rebaselined"
    )


async def test_the_service_refuses_a_frozen_change_without_a_reason(world):
    """Whatever a caller does, not only the form: the service itself refuses."""
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=5)
    async with world.client(org, "lead") as client:
        url = f"/o/{org.slug}/initiatives/{initiative}/benefits/plan"
        assert (await client.post(url, data=plan_form())).status_code == 303
    await decide(org, initiative, 5, "go_conditions")
    member = Member(org.id, org.slug, "Org", "admin")
    ctx = OrgContext(org.people["admin"], "Admin", "admin@x", member, (member,))
    current = await service.plan(ctx.scope, initiative)
    assert current is not None
    changed = {**{k: current[k] for k in current}, "annual_value": 1.0}
    with pytest.raises(Invalid) as refused:
        await service.change_plan(ctx, initiative, current, changed, None)
    assert set(refused.value.fields) == {"reason"}
    with pytest.raises(Invalid):
        await service.change_plan(ctx, initiative, current, changed, "   ")
    assert (await stored(initiative))["annual_value"] == 120000
    outcome, changes = await service.change_plan(ctx, initiative, current, changed, "Re-scoped")
    assert outcome == "rebaselined" and changes == {"annual_value": (120000, 1.0)}
    assert await BenefitRebaseline.count().where(BenefitRebaseline.initiative == initiative) == 1


async def test_a_recycle_or_stop_at_the_rollout_gate_does_not_freeze(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=5)
    await decide(org, initiative, 5, "recycle")
    assert not await service.is_frozen(TenantScope(org.id), initiative)


def context(org, role):
    member = Member(org.id, org.slug, "Org", role)
    return OrgContext(org.people[role], role, f"{role}@x", member, (member,))


async def test_the_service_checks_who_changes_the_benefits(world):
    """Whoever calls it, the service itself allows the initiative's lead and the admins only
    (``Forbidden``), takes plain values and refuses them with each field's error."""
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=3)
    values = Submitted.of(plan_form())
    for role in ("member", "committee", "viewer"):
        with pytest.raises(Forbidden):
            await service.save_plan(context(org, role), initiative, values)
    assert await stored(initiative) is None
    lead = context(org, "lead")
    with pytest.raises(NotFound):  # realised months need a plan first
        await realised.enter(lead, initiative, Submitted.of({"month": "2026-01", "amount": "1"}))
    with pytest.raises(Invalid) as refused:
        await service.save_plan(lead, initiative, Submitted.of(plan_form(currency="XX")))
    assert set(refused.value.fields) == {"currency"}
    assert await stored(initiative) is None
    assert await service.save_plan(lead, initiative, values) == ("saved", None)
    with pytest.raises(Forbidden):
        await realised.enter(context(org, "member"), initiative, Submitted.of({"month": "x"}))
    with pytest.raises(Forbidden):
        await realised.remove(context(org, "viewer"), initiative, 1)
