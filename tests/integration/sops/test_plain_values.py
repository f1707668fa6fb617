"""The SOP services take plain values (``Submitted``), as a job, the command line or a test
would give them, and refuse with the errors family: ``Invalid`` with each error beside its
field and nothing written, ``Forbidden`` for an approval by anyone but the waiting level."""

import pytest

from tests.helpers import make_initiative
from tests.integration.kpis.test_plain_values import member_of
from tests.integration.sops.test_sops import STEP, make_sop, steps_of
from tracker.errors import Forbidden, Invalid
from tracker.sops import documents, editing, lifecycle, versions
from tracker.sops.tables import RaciRole, SopDocument, SopVersion
from tracker.tenancy import TenantScope
from tracker.values import Submitted


async def test_a_draft_refused_field_by_field(world):
    scope = TenantScope(world.a.id)
    initiative = await make_initiative(world.a, phase=3)
    with pytest.raises(Invalid) as refused:
        await documents.create_document(
            scope, initiative, Submitted.of({"number": "not a number"}), world.a.people["lead"]
        )
    assert set(refused.value.fields) == {"process_name", "number"}
    assert not await SopDocument.exists().where(SopDocument.initiative == initiative)

    version = await make_sop(world, world.a, initiative, number="SOP-PV-2026-001")
    with pytest.raises(Invalid) as refused:
        await documents.create_document(
            scope,
            initiative,
            Submitted.of({"process_name": "Again", "number": "SOP-PV-2026-001"}),
            world.a.people["lead"],
        )
    assert refused.value.fields == {"number": "Another SOP already uses this number."}

    with pytest.raises(Invalid) as refused:
        await editing.add_step(
            scope, version, Submitted.of({**STEP, "name": "", "time_value": "ASAP"})
        )
    assert set(refused.value.fields) == {"name", "time_value"}
    await editing.add_step(scope, version, Submitted.of(STEP))
    [step] = await steps_of(version)
    stale = Submitted.of({**STEP, "name": "Renamed", "revision": "0"})
    assert await editing.update_step(scope, step["id"], stale)
    assert not await editing.update_step(scope, step["id"], stale)  # saved in between
    with pytest.raises(Invalid) as refused:
        await editing.update_step(scope, step["id"], Submitted.of({**STEP, "revision": ""}))
    assert set(refused.value.fields) == {"revision"}

    roles = await RaciRole.count().where(RaciRole.version == version)
    with pytest.raises(Invalid) as refused:
        await editing.add_role(scope, version, Submitted.of({"role_name": " "}))
    assert set(refused.value.fields) == {"role_name"}
    assert await RaciRole.count().where(RaciRole.version == version) == roles
    with pytest.raises(Invalid) as refused:
        await versions.save_header(scope, version, Submitted.of({"scope": "x" * 5001}))
    assert set(refused.value.fields) == {"scope", "revision"}


async def test_only_the_waiting_level_approves_and_publishing_needs_a_date(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative, number="SOP-PV-2026-002")
    scope = TenantScope(world.a.id)
    await editing.add_step(scope, version, Submitted.of(STEP))
    lead, admin = member_of(world.a, "lead"), member_of(world.a, "admin")
    await lifecycle.submit(lead, version)  # alpha's chain is empty: any admin decides
    with pytest.raises(Forbidden):
        await lifecycle.decide(lead, version, True, "")
    assert (await SopVersion.select().where(SopVersion.id == version).first())[
        "status"
    ] == "in_review"
    assert await lifecycle.decide(admin, version, True, "") == "approved"
    with pytest.raises(Invalid) as refused:
        await lifecycle.publish(lead, version, Submitted.of({"effective_date": ""}))
    assert refused.value.fields == {"effective_date": "Enter a date."}
    await lifecycle.publish(lead, version, Submitted.of({"effective_date": "2026-12-01"}))
    document = (await SopVersion.select().where(SopVersion.id == version).first())["document"]
    with pytest.raises(Invalid) as refused:
        await lifecycle.revise(lead, document, Submitted.of({"kind": "minor"}))
    assert set(refused.value.fields) == {"change_summary"}
    draft = await lifecycle.revise(
        lead, document, Submitted.of({"kind": "major", "change_summary": "Two checks"})
    )
    assert draft != version
    with pytest.raises(Invalid) as refused:
        await lifecycle.revise(
            lead, document, Submitted.of({"kind": "minor", "change_summary": "Another"})
        )
    assert refused.value.fields == {
        "kind": "A revision of this SOP is already open; finish it first."
    }
