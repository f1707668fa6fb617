"""The KPI services take plain values (``Submitted``), as a job, the command line or a test
would give them, and refuse with the errors family: ``Invalid`` with each error beside its
field and nothing written, ``Forbidden`` for a recycle decided by anyone but the committee."""

from datetime import date, timedelta

import pytest

from tests.helpers import make_initiative
from tests.integration.kpis.test_kpis import FULFILMENT, make_kpi
from tracker.errors import Forbidden, Invalid
from tracker.kpis import control, optimisation, service, sustainment
from tracker.kpis.tables import Kpi, KpiMeasurement, KpiStage, OptimisationEntry, SustainmentCheck
from tracker.tenancy import Membership, OrgContext, TenantScope
from tracker.values import Submitted


def member_of(org, role):
    membership = Membership(org.id, org.slug, f"Org {org.slug}", role)
    return OrgContext(org.people[role], role, org.emails[role], membership, (membership,))


async def test_a_kpi_and_its_measurements_refused_field_by_field(world):
    scope = TenantScope(world.a.id)
    initiative = await make_initiative(world.a, phase=6)
    with pytest.raises(Invalid) as refused:
        await service.create_kpi(
            scope, initiative, Submitted.of({**FULFILMENT, "name": " ", "target": "soon"})
        )
    assert set(refused.value.fields) == {"name", "target"}
    assert not await Kpi.exists().where(Kpi.initiative == initiative)

    kpi = await service.create_kpi(scope, initiative, Submitted.of(FULFILMENT))
    person = world.a.people["member"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as refused:
        await service.add_measurement(
            scope, kpi, Submitted.of({"measured_on": tomorrow, "value": ""}), person
        )
    assert refused.value.fields == {
        "measured_on": "A measurement cannot be dated in the future.",
        "value": "Enter a number.",
    }
    yesterday = {"measured_on": (date.today() - timedelta(days=1)).isoformat(), "value": "2.9"}
    done = await service.add_measurement(scope, kpi, Submitted.of(yesterday), person)
    assert not done.alert
    with pytest.raises(Invalid) as refused:
        await service.add_measurement(scope, kpi, Submitted.of(yesterday), person)
    assert refused.value.fields == {
        "measured_on": "This KPI already has a measurement for that date."
    }
    assert await KpiMeasurement.count().where(KpiMeasurement.kpi == kpi) == 1

    stale = {**FULFILMENT, "revision": "0", "name": "Renamed"}
    assert await service.update_kpi(scope, kpi, Submitted.of(stale))
    assert not await service.update_kpi(scope, kpi, Submitted.of(stale))  # saved in between

    stages = await KpiStage.count().where(KpiStage.kpi == kpi)  # the baseline's
    with pytest.raises(Invalid) as refused:
        await control.add_stage(
            scope, kpi, Submitted.of({"starts_on": "", "label": "pilot", "limit_points": "1"})
        )
    assert set(refused.value.fields) == {"starts_on", "limit_points"}
    with pytest.raises(Invalid) as refused:
        await optimisation.add_log_entry(scope, initiative, Submitted.of({"logged_on": "x"}))
    assert set(refused.value.fields) == {"logged_on", "process", "measures"}
    assert await KpiStage.count().where(KpiStage.kpi == kpi) == stages
    assert not await OptimisationEntry.exists().where(OptimisationEntry.initiative == initiative)


async def test_a_recycle_is_the_committees_and_needs_a_reason(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative, name="Plain values KPI")
    check = (
        await SustainmentCheck.insert(
            SustainmentCheck(
                org=world.a.id,
                kpi=kpi,
                initiative=initiative,
                days=30,
                due_on=date.today(),
                outcome="lost",
                recent_mean=4.0,
            )
        )
    )[0]["id"]
    accept = Submitted.of({"decision": "accepted", "reason": "The gain is gone."})
    with pytest.raises(Forbidden):
        await sustainment.decide(member_of(world.a, "lead"), check, accept)
    committee = member_of(world.a, "committee")
    with pytest.raises(Invalid) as refused:
        await sustainment.decide(committee, check, Submitted.of({"decision": "maybe"}))
    assert set(refused.value.fields) == {"decision", "reason"}
    row = await SustainmentCheck.select().where(SustainmentCheck.id == check).first()
    assert row["decision"] == "" and row["decided_by"] is None
    dismiss = Submitted.of({"decision": "dismissed", "reason": "Seasonal dip."})
    assert await sustainment.decide(committee, check, dismiss) == initiative
    with pytest.raises(Invalid) as refused:
        await sustainment.decide(committee, check, dismiss)
    assert refused.value.fields == {"decision": "This proposal has been decided already."}
