import pytest

from tests.helpers import initiative_row, make_initiative
from tracker.tenancy import TenantScope


def edit_form(world, row, **overrides):
    form = {
        "version": str(row["version"]),
        "name": row["name"],
        "process_code": row["process_code"],
        "process_class": row["process_class"],
        "departments": row["departments"],
        "owner": str(row["owner"]),
        "sponsor": row["sponsor"],
        "status": row["status"],
        "goal_metric": row["goal_metric"],
        "goal_baseline": f"{row['goal_baseline']:g}",
        "goal_target": f"{row['goal_target']:g}",
        "goal_unit": row["goal_unit"],
        "goal_direction": row["goal_direction"],
        "goal_due": "",
        "scope_in": "",
        "scope_out": "",
        "start_point": "",
        "end_point": "",
    }
    form.update(overrides)
    return form


async def test_lead_edits_and_the_version_moves_on(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, "lead") as client:
        page = await client.get(f"/o/alpha/initiatives/{initiative}/edit")
        assert page.status_code == 200 and f'value="{row["name"]}"' in page.text
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Renamed", status="at_risk"),
        )
    assert response.status_code == 303
    after = await initiative_row(initiative)
    assert after["name"] == "Renamed" and after["status"] == "at_risk"
    assert after["version"] == row["version"] + 1
    assert after["current_phase"] == row["current_phase"]  # editing never moves the phase


async def test_second_concurrent_save_is_refused_not_applied(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, "lead") as lead, world.client(world.a, "admin") as admin:
        first = await lead.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Lead's name"),
        )
        second = await admin.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Admin's name"),
        )
    assert first.status_code == 303
    assert second.status_code == 409
    assert "Someone else saved this initiative" in second.text
    assert 'value="Admin&#39;s name"' in second.text  # the admin's input is kept
    assert "Lead&#39;s name" in second.text  # and the saved version is shown
    after = await initiative_row(initiative)
    assert after["name"] == "Lead's name"
    # saving again, knowingly, replaces it
    async with world.client(world.a, "admin") as admin:
        again = await admin.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, after, name="Admin's name"),
        )
    assert again.status_code == 303
    assert (await initiative_row(initiative))["name"] == "Admin's name"


async def test_gate_statuses_cannot_be_set_by_hand(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, "admin") as client:
        for status in ("stopped", "on_hold", "completed", "bogus"):
            response = await client.post(
                f"/o/alpha/initiatives/{initiative}/edit", data=edit_form(world, row, status=status)
            )
            assert response.status_code == 422
    assert (await initiative_row(initiative))["status"] == "on_track"


async def test_phase_fields_in_the_form_are_ignored(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, "admin") as client:
        await client.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, current_phase="999", org=str(world.b.id)),
        )
    after = await initiative_row(initiative)
    assert after["current_phase"] == row["current_phase"] and after["org"] == world.a.id


@pytest.mark.parametrize("role", ["committee", "member", "viewer"])
async def test_roles_that_may_not_edit(world, role):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, role) as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}/edit")).status_code == 403
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/edit", data=edit_form(world, row, name="Hijacked")
        )
        assert response.status_code == 403
    assert (await initiative_row(initiative))["name"] == row["name"]


async def test_outsider_cannot_edit_by_changing_the_id(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.b, "admin") as client:
        assert (await client.get(f"/o/beta/initiatives/{initiative}/edit")).status_code == 404
        response = await client.post(
            f"/o/beta/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Hijacked", owner=str(world.b.people["lead"])),
        )
        assert response.status_code == 404
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/edit", data=edit_form(world, row, name="Hijacked")
        )
        assert response.status_code == 404
    assert (await initiative_row(initiative))["name"] == row["name"]


async def test_tenant_scope_treats_other_rows_as_missing(world):
    from tracker.errors import NotFound
    from tracker.initiatives.tables import Initiative

    initiative = await make_initiative(world.a)
    with pytest.raises(NotFound):
        await TenantScope(world.b.id).get(Initiative, initiative, Initiative.id)
    assert (
        await TenantScope(world.b.id)
        .update(Initiative, {Initiative.name: "x"}, Initiative.id == initiative)
        .returning(Initiative.id)
        == []
    )


async def test_a_passed_due_date_may_stay_but_a_new_one_must_lie_ahead(world):
    from datetime import date, timedelta

    from tracker.initiatives.tables import Initiative

    initiative = await make_initiative(world.a)
    passed = date.today() - timedelta(days=40)
    await Initiative.update({Initiative.goal_due: passed}).where(Initiative.id == initiative)
    row = await initiative_row(initiative)
    async with world.client(world.a, "lead") as client:
        kept = await client.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Kept due date", goal_due=passed.isoformat()),
        )
        row = await initiative_row(initiative)
        moved = await client.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(
                world, row, goal_due=(passed - timedelta(days=1)).isoformat(), name="Moved"
            ),
        )
    assert kept.status_code == 303
    assert moved.status_code == 422
    assert "cannot be in the past" in moved.text
    after = await initiative_row(initiative)
    assert after["name"] == "Kept due date" and after["goal_due"] == passed
