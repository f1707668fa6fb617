import pytest

from tracker.errors import Invalid
from tracker.gates import settings_service
from tracker.gates.tables import GateCriterion, GateRule
from tracker.tenancy import TenantScope
from tracker.values import Submitted


async def gate_items(org, gate):
    return (
        await GateCriterion.select()
        .where(GateCriterion.org == org.id, GateCriterion.gate == gate)
        .order_by(GateCriterion.position)
    )


async def test_defaults_exist_for_every_gate(world):
    async with world.client(world.a, "admin") as client:
        page = await client.get("/o/alpha/settings/gates")
    assert page.status_code == 200
    for gate in range(1, 7):
        assert await gate_items(world.a, gate)
    assert "Goal is SMART with baseline and target" in page.text and "Decision rule" in page.text


async def test_admin_adds_edits_moves_and_retires(world):
    async with world.client(world.b, "admin") as client:
        added = await client.post(
            "/o/beta/settings/gates/5/criteria",
            data={"text": "Go-live notice sent", "kind": "must", "weight": "1"},
        )
        assert added.status_code == 303
        items = await gate_items(world.b, 5)
        new = items[-1]
        assert new["text"] == "Go-live notice sent" and new["kind"] == "must"
        bad = await client.post(
            "/o/beta/settings/gates/5/criteria", data={"text": "", "kind": "maybe", "weight": "9"}
        )
        assert bad.status_code == 422 and "Describe the criterion." in bad.text
        edited = await client.post(
            f"/o/beta/settings/gates/criteria/{new['id']}",
            data={"text": "Go-live notice sent to all", "kind": "should", "weight": "4"},
        )
        assert edited.status_code == 303
        moved = await client.post(
            f"/o/beta/settings/gates/criteria/{new['id']}/move", data={"step": "up"}
        )
        assert moved.status_code == 303
        items = await gate_items(world.b, 5)
        assert items[-2]["id"] == new["id"] and items[-2]["weight"] == 4
        retired = await client.post(
            f"/o/beta/settings/gates/criteria/{new['id']}/retire", data={"retired": "1"}
        )
        assert retired.status_code == 303
        assert (
            await GateCriterion.select(GateCriterion.retired)
            .where(GateCriterion.id == new["id"])
            .first()
        )["retired"]
        await GateCriterion.delete().where(GateCriterion.id == new["id"])


async def test_admin_saves_the_decision_rule(world):
    async with world.client(world.b, "admin") as client:
        bad = await client.post(
            "/o/beta/settings/gates/rule",
            data={
                "quorum_kind": "share",
                "quorum_value": "150",
                "go_threshold": "majority",
                "level_1_label": "Owner",
                "level_1_person": str(world.a.people["admin"]),
            },
        )
        assert bad.status_code == 422
        assert (
            "Use a whole number from 1 to 100." in bad.text
            and "Choose a member of this organisation." in bad.text
        )
        ok = await client.post(
            "/o/beta/settings/gates/rule",
            data={
                "quorum_kind": "count",
                "quorum_value": "2",
                "go_threshold": "unanimous",
                "stop_needs_chair": "on",
                "chair": str(world.b.people["committee"]),
                "level_1_label": "Business owner",
                "level_1_person": str(world.b.people["lead"]),
            },
        )
        assert ok.status_code == 303
    row = await GateRule.select().where(GateRule.org == world.b.id).first()
    assert (row["quorum_kind"], row["quorum_value"], row["go_threshold"]) == (
        "count",
        2,
        "unanimous",
    )
    assert row["chair"] == world.b.people["committee"] and "Business owner" in row["approval_chain"]
    await GateRule.update(
        {
            GateRule.quorum_kind: "share",
            GateRule.quorum_value: 51,
            GateRule.go_threshold: "majority",
            GateRule.chair: None,
            GateRule.approval_chain: "[]",
        }
    ).where(GateRule.id == row["id"])


@pytest.mark.parametrize("role", ["lead", "committee", "member", "viewer"])
async def test_only_admins_change_gate_settings(world, role):
    item = (await gate_items(world.a, 1))[0]
    async with world.client(world.a, role) as client:
        assert (await client.get("/o/alpha/settings/gates")).status_code == 403
        assert (
            await client.post(
                "/o/alpha/settings/gates/1/criteria", data={"text": "x", "kind": "must"}
            )
        ).status_code == 403
        assert (
            await client.post(
                f"/o/alpha/settings/gates/criteria/{item['id']}", data={"text": "x", "kind": "must"}
            )
        ).status_code == 403
        assert (
            await client.post(
                f"/o/alpha/settings/gates/criteria/{item['id']}/retire", data={"retired": "1"}
            )
        ).status_code == 403
        assert (
            await client.post("/o/alpha/settings/gates/rule", data={"quorum_kind": "count"})
        ).status_code == 403
    assert (await gate_items(world.a, 1))[0] == item


async def test_outsider_admin_cannot_touch_another_organisations_criteria(world):
    item = (await gate_items(world.a, 1))[0]
    async with world.client(world.b, "admin") as client:
        assert (await client.get("/o/alpha/settings/gates")).status_code == 404
        r = await client.post(
            f"/o/beta/settings/gates/criteria/{item['id']}",
            data={"text": "hijack", "kind": "must", "weight": "1"},
        )
        assert r.status_code == 404
        assert (
            await client.post(
                f"/o/beta/settings/gates/criteria/{item['id']}/retire", data={"retired": "1"}
            )
        ).status_code == 404
        assert (
            await client.post(
                f"/o/beta/settings/gates/criteria/{item['id']}/move", data={"step": "down"}
            )
        ).status_code == 404
    assert (await gate_items(world.a, 1))[0] == item


async def test_the_rule_service_takes_plain_values_and_refuses_every_field_at_once(world):
    scope = TenantScope(world.b.id)
    before = await GateRule.select().where(GateRule.org == world.b.id).first()
    bad = Submitted.of(
        {
            "quorum_kind": "most",
            "quorum_value": "0",
            "go_threshold": "loudest",
            "chair": "999999",
            "level_1_label": "",
            "level_1_person": str(world.b.people["admin"]),
        }
    )
    with pytest.raises(Invalid) as refused:
        await settings_service.save_rule(scope, bad)
    assert refused.value.fields == {
        "quorum_kind": "Choose how the quorum is counted.",
        "quorum_value": "Use a whole number from 1 to 50.",
        "go_threshold": "Choose the rule for Go.",
        "chair": "Choose a member of this organisation.",
        "level_1_label": "Name this approval level.",
    }
    assert await GateRule.select().where(GateRule.org == world.b.id).first() == before
    with pytest.raises(Invalid) as refused:
        await settings_service.add_criterion(scope, 2, Submitted.of({"kind": "must"}))
    assert refused.value.fields == {"text": "Describe the criterion."}
