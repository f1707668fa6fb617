"""SOPs: a draft with steps and a RACI grid, review through a two-level approval chain,
publication, revisions with a version log and a diff, print and export, and the rules a
user meets when something is refused."""

import io
import json
import re

from openpyxl import load_workbook

from tests.helpers import make_initiative
from tracker.accounts.tables import Person
from tracker.gates.tables import GateRule
from tracker.sops.tables import SopStep, SopVersion

STEP = {
    "name": "Receive the order",
    "responsible": "Customer service",
    "instructions": "Check the order against the contract",
    "inputs": "Customer order",
    "outputs": "Checked order",
    "time_value": "2",
    "time_unit": "hours",
    "control_point": "Price matches contract",
    "forms_tools": "ERP",
}


async def make_sop(world, org, initiative, number=None, role="lead"):
    async with world.client(org, role) as client:
        response = await client.post(
            f"/o/{org.slug}/initiatives/{initiative}/sops",
            data={
                "process_name": "Order handling 订单处理",
                "number": number or f"SOP-CS-2026-{initiative:03d}",
                "scope": "All domestic orders",
            },
        )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def steps_of(version):
    return await SopStep.select().where(SopStep.version == version).order_by(SopStep.position)


async def add_steps(client, org, version, names):
    for name in names:
        response = await client.post(
            f"/o/{org.slug}/sop-versions/{version}/steps", data={**STEP, "name": name}
        )
        assert response.status_code == 303, response.text


async def fill_raci(client, org, version):
    page = await client.get(f"/o/{org.slug}/sop-versions/{version}")
    cells = re.findall(r"/sop-steps/(\d+)/raci/(\d+)", page.text)
    steps = sorted({int(s) for s, _ in cells})
    roles = sorted({int(r) for _, r in cells})
    for step in steps:
        await client.post(f"/o/{org.slug}/sop-steps/{step}/raci/{roles[0]}", data={"letter": "A"})
        await client.post(f"/o/{org.slug}/sop-steps/{step}/raci/{roles[1]}", data={"letter": "R"})


async def test_vague_time_limits_are_refused_and_input_is_kept(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "member") as client:
        saved = await client.post(
            f"/o/alpha/sop-versions/{version}/header",
            data={"contingency_plan": "Paper form F-07", "revision": "0"},
        )
        assert saved.status_code == 303
        for value, unit in (("ASAP", "hours"), ("尽快", ""), ("2", ""), ("0", "days")):
            refused = await client.post(
                f"/o/alpha/sop-versions/{version}/steps",
                data={**STEP, "time_value": value, "time_unit": unit},
            )
            assert refused.status_code == 422, value
            assert 'value="Receive the order"' in refused.text
            assert "Paper form F-07</textarea>" in refused.text  # the rest of the page is intact
        assert (
            "not a time limit"
            in (
                await client.post(
                    f"/o/alpha/sop-versions/{version}/steps", data={**STEP, "time_value": "ASAP"}
                )
            ).text
        )
    assert await steps_of(version) == []


async def test_steps_are_reordered_and_edited_in_place_without_lost_updates(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "member") as client:
        await add_steps(client, world.a, version, ["First", "Second", "Third"])
        third = (await steps_of(version))[2]
        moved = await client.post(
            f"/o/alpha/sop-steps/{third['id']}/move",
            data={"direction": "up"},
            headers={"HX-Request": "true"},
        )
        assert moved.status_code == 200 and 'id="sop-work"' in moved.text
        assert "<html" not in moved.text  # a fragment, swapped in place
        assert [s["name"] for s in await steps_of(version)] == ["First", "Third", "Second"]
        edit = await client.get(
            f"/o/alpha/sop-steps/{third['id']}/edit", headers={"HX-Request": "true"}
        )
        assert 'name="revision" value="0"' in edit.text
        first = await client.post(
            f"/o/alpha/sop-steps/{third['id']}",
            data={**STEP, "name": "Third, renamed", "revision": "0"},
            headers={"HX-Request": "true"},
        )
        assert first.status_code == 200 and "Third, renamed" in first.text
        late = await client.post(
            f"/o/alpha/sop-steps/{third['id']}",
            data={**STEP, "name": "Third, stale edit", "revision": "0"},
            headers={"HX-Request": "true"},
        )
        assert late.status_code == 409 and "Someone else changed this step" in late.text
        assert 'value="Third, stale edit"' in late.text
    names = [s["name"] for s in await steps_of(version)]
    assert names == ["First", "Third, renamed", "Second"]


async def test_raci_problems_show_while_editing_and_the_export_lists_them(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        await add_steps(client, world.a, version, ["Check", "Ship"])
        page = await client.get(f"/o/alpha/sop-versions/{version}")
        assert "2 steps break the rule." in page.text and "No one is accountable (A)." in page.text
        cells = list(dict.fromkeys(re.findall(r"/sop-steps/(\d+)/raci/(\d+)", page.text)))
        step, role = cells[0]
        two_a = [c for c in cells if c[0] == step][:2]
        for s, r in two_a:
            grid = await client.post(
                f"/o/alpha/sop-steps/{s}/raci/{r}",
                data={"letter": "A"},
                headers={"HX-Request": "true"},
            )
        assert "More than one role is accountable" in grid.text
        refused = await client.post(f"/o/alpha/sop-steps/{step}/raci/{role}", data={"letter": "X"})
        assert refused.status_code == 409
        await fill_raci(client, world.a, version)
        page = await client.get(f"/o/alpha/sop-versions/{version}")
        assert "The matrix is valid." in page.text
        export = await client.get(f"/o/alpha/sop-versions/{version}/raci.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:2] == ("No.", "Step") and rows[3][1] == "Check"
    assert "A" in rows[3] and "R" in rows[3]


async def test_two_level_approval_publish_revise_and_diff(world):
    org = world.a
    await GateRule.update(
        {
            GateRule.approval_chain: json.dumps(
                [
                    {"label": "Department head", "person": org.people["committee"]},
                    {"label": "Quality director", "person": org.people["admin"]},
                ]
            )
        }
    ).where(GateRule.org == org.id)
    try:
        initiative = await make_initiative(org, phase=3)
        version = await make_sop(world, org, initiative)
        async with world.client(org, "lead") as lead:
            await add_steps(lead, org, version, ["Receive", "Check", "Ship"])
            await fill_raci(lead, org, version)
            sent = await lead.post(f"/o/alpha/sop-versions/{version}/submit")
            assert sent.status_code == 303
            frozen = await lead.post(f"/o/alpha/sop-versions/{version}/steps", data=STEP)
            assert frozen.status_code == 409 and "Only a draft can be edited" in frozen.text
            skip = await lead.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"}
            )
            assert skip.status_code == 403
        async with world.client(org, "admin") as admin:
            early = await admin.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"}
            )
            assert early.status_code == 403  # level 2 waits for level 1
        async with world.client(org, "committee") as head:
            back = await head.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "return"}
            )
            assert back.status_code == 409  # a return needs a comment
            await head.post(
                f"/o/alpha/sop-versions/{version}/decision",
                data={"decision": "return", "comment": "Name the checker"},
            )
        assert (await SopVersion.select().where(SopVersion.id == version).first())[
            "status"
        ] == "draft"
        async with world.client(org, "lead") as lead:
            await lead.post(f"/o/alpha/sop-versions/{version}/submit")
        async with world.client(org, "committee") as head:
            ok = await head.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"}
            )
            assert ok.status_code == 303
        async with world.client(org, "admin") as admin:
            await admin.post(
                f"/o/alpha/sop-versions/{version}/decision",
                data={"decision": "approve", "comment": "Good"},
            )
            again = await admin.post(
                f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"}
            )
            assert again.status_code == 409
        async with world.client(org, "member") as member:
            assert (
                await member.post(
                    f"/o/alpha/sop-versions/{version}/publish",
                    data={"effective_date": "2026-12-01"},
                )
            ).status_code == 403
        async with world.client(org, "lead") as lead:
            no_date = await lead.post(
                f"/o/alpha/sop-versions/{version}/publish", data={"effective_date": ""}
            )
            assert no_date.status_code == 422 and "Enter a date." in no_date.text
            published = await lead.post(
                f"/o/alpha/sop-versions/{version}/publish", data={"effective_date": "2026-12-01"}
            )
            assert published.status_code == 303
            page = await lead.get(f"/o/alpha/sop-versions/{version}")
            assert "Published: this version never changes." in page.text
            names = {
                p["id"]: p["name"]
                for p in await Person.select(Person.id, Person.name).where(
                    Person.id.is_in([org.people["committee"], org.people["admin"]])
                )
            }
            facts = page.text.split('class="facts"')[1].split("</dl>")[0]
            assert f"<dt>Reviewer</dt><dd>{names[org.people['committee']]}</dd>" in facts
            assert f"<dt>Approver</dt><dd>{names[org.people['admin']]}</dd>" in facts
            doc = (await SopVersion.select().where(SopVersion.id == version).first())["document"]
            no_summary = await lead.post(
                f"/o/alpha/sop-documents/{doc}/revisions", data={"kind": "minor"}
            )
            assert no_summary.status_code == 422
            revised = await lead.post(
                f"/o/alpha/sop-documents/{doc}/revisions",
                data={"kind": "minor", "change_summary": "Checker named; shipping faster"},
            )
            assert revised.status_code == 303
            draft = int(revised.headers["location"].rsplit("/", 1)[1])
            second = await lead.post(
                f"/o/alpha/sop-documents/{doc}/revisions",
                data={"kind": "major", "change_summary": "Another"},
            )
            assert second.status_code == 422 and "already open" in second.text
            steps = await steps_of(draft)
            assert [s["name"] for s in steps] == ["Receive", "Check", "Ship"]
            await lead.post(
                f"/o/alpha/sop-steps/{steps[2]['id']}",
                data={**STEP, "name": "Ship", "time_value": "1", "revision": "0"},
            )
            await lead.post(f"/o/alpha/sop-steps/{steps[0]['id']}/delete")
            await add_steps(lead, org, draft, ["Invoice"])
            diff = await lead.get(
                f"/o/alpha/sop-documents/{doc}/diff", params={"old": version, "new": draft}
            )
            assert diff.status_code == 200
            assert "1 step added" in diff.text and "Invoice" in diff.text
            assert "1 step removed" in diff.text and "Receive" in diff.text
            assert "1 step changed" in diff.text and "<del>2</del>" in diff.text
            log = await lead.get(f"/o/alpha/sop-documents/{doc}")
            assert "V1.1" in log.text and "Checker named; shipping faster" in log.text
            printed = await lead.get(f"/o/alpha/sop-versions/{version}/print")
            assert printed.status_code == 200 and "2026-12-01" in printed.text
            assert "within 2 hours" in printed.text
        original = await steps_of(version)
        assert [s["name"] for s in original] == ["Receive", "Check", "Ship"]
        assert original[2]["time_value"] == 2  # the published version did not change
    finally:
        await GateRule.update({GateRule.approval_chain: "[]"}).where(GateRule.org == org.id)


async def test_sop_numbers_follow_the_rule_and_outsiders_see_nothing(world):
    initiative = await make_initiative(world.a, phase=3)
    async with world.client(world.a, "lead") as client:
        bad = await client.post(
            f"/o/alpha/initiatives/{initiative}/sops",
            data={"process_name": "Returns", "number": "returns v1"},
        )
        assert bad.status_code == 422 and "DEPT-BUSINESS-YEAR-SEQ" in bad.text
    version = await make_sop(world, world.a, initiative, number="SOP-RT-2026-900")
    async with world.client(world.a, "lead") as client:
        dup = await client.post(
            f"/o/alpha/initiatives/{initiative}/sops",
            data={"process_name": "Returns", "number": "SOP-RT-2026-900"},
        )
        assert dup.status_code == 422 and "Another SOP already uses this number" in dup.text
    async with world.client(world.a, "viewer") as viewer:
        assert (await viewer.get(f"/o/alpha/sop-versions/{version}")).status_code == 200
        assert (
            await viewer.post(f"/o/alpha/sop-versions/{version}/steps", data=STEP)
        ).status_code == 403
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get(f"/o/beta/sop-versions/{version}")).status_code == 404
        assert (await outsider.get(f"/o/alpha/sop-versions/{version}")).status_code == 404
        assert (
            await outsider.post(f"/o/beta/sop-versions/{version}/steps", data=STEP)
        ).status_code == 404
        assert "SOP-RT-2026-900" not in (await outsider.get("/o/beta/sops")).text
    # the same number may be used by another organisation
    other = await make_initiative(world.b, phase=3)
    await make_sop(world, world.b, other, number="SOP-RT-2026-900")


async def test_a_second_sop_is_offered_the_next_free_number(world):
    initiative = await make_initiative(world.a, phase=3)
    path = f"/o/alpha/initiatives/{initiative}/sops"
    async with world.client(world.a, "lead") as client:
        first_offer = re.search(r'name="number"[^>]*value="([^"]+)"', (await client.get(path)).text)
        code = first_offer.group(1)  # the initiative's own code while it is free
        prefix, seq = code.rsplit("-", 1)
        await make_sop(world, world.a, initiative, number=code)
        # a number further on is taken by an SOP of another initiative: skipped too
        other = await make_initiative(world.a, phase=3)
        await make_sop(world, world.a, other, number=f"{prefix}-{int(seq) + 1:03d}")
        page = await client.get(path)
        offered = re.search(r'name="number"[^>]*value="([^"]+)"', page.text).group(1)
        assert offered == f"{prefix}-{int(seq) + 2:03d}"
        second = await client.post(path, data={"process_name": "Returns", "number": offered})
    assert second.status_code == 303, second.text


async def test_each_raci_cell_is_labelled_with_its_role_and_step_number(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        await add_steps(client, world.a, version, ["Receive", "Check", "Ship"])
        page = await client.get(f"/o/alpha/sop-versions/{version}")
    step_number = {s["id"]: n for n, s in enumerate(await steps_of(version), start=1)}
    labels = re.findall(
        r'<label class="visually-hidden" for="raci-(\d+)-\d+">([^<]+)</label>', page.text
    )
    assert len(labels) >= 3 * 2
    for step_id, text in labels:
        assert text.endswith(f" in step {step_number[int(step_id)]}"), text


async def test_add_a_step_stays_open_for_the_next_step(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    path = f"/o/alpha/sop-versions/{version}/steps"
    async with world.client(world.a, "lead") as client:
        first = await client.post(path, data={**STEP, "name": "Receive"})
        assert first.status_code == 303
        assert first.headers["location"].endswith(f"/sop-versions/{version}?add=1#add-step")
        page = await client.get(first.headers["location"])
        assert '<details id="add-step" open>' in page.text
        fragment = await client.post(
            path, data={**STEP, "name": "Check"}, headers={"HX-Request": "true"}
        )
        plain = await client.get(f"/o/alpha/sop-versions/{version}")
    assert fragment.status_code == 200
    assert '<details id="add-step" open>' in fragment.text
    assert 'role="status">Step added.' in fragment.text
    # the next step's name is empty and focused; the fields are ready for it
    assert re.search(
        r'<input id="new-name" name="name" type="text" value=""[^>]*autofocus', fragment.text
    )
    assert [s["name"] for s in await steps_of(version)] == ["Receive", "Check"]
    assert '<details id="add-step">' in plain.text  # a plain visit keeps it folded
