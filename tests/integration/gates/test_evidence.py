"""Gate evidence computed from the registers, shown beside the criteria; the rollout gate
cannot be requested or passed without a published SOP."""

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review, request_review
from tests.integration.sops.test_sops import add_steps, fill_raci, make_sop


async def test_design_gate_shows_raci_and_sop_evidence(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        await add_steps(client, world.a, version, ["Receive", "Check"])
        page = await client.get(f"/o/alpha/initiatives/{initiative}/gate/request")
        assert "The latest SOP version has 2 steps" in page.text
        assert "RACI: 2 of 2 steps break the rule" in page.text
        await fill_raci(client, world.a, version)
    review = await open_review(world, world.a, initiative)
    async with world.client(world.a, "committee") as client:
        page = await client.get(f"/o/alpha/reviews/{review}")
    assert "RACI: 0 of 2 steps break the rule" in page.text
    assert page.text.count("From the registers") >= 3


async def test_the_rollout_gate_needs_a_published_sop(world):
    initiative = await make_initiative(world.a, phase=5)
    refused = await request_review(world, world.a, initiative)
    assert refused.status_code == 409
    assert "needs a published SOP version" in refused.text
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as lead:
        await add_steps(lead, world.a, version, ["Receive"])
        await fill_raci(lead, world.a, version)
        await lead.post(f"/o/alpha/sop-versions/{version}/submit")
    async with world.client(world.a, "admin") as admin:  # an empty chain: an admin approves
        await admin.post(f"/o/alpha/sop-versions/{version}/decision", data={"decision": "approve"})
    async with world.client(world.a, "lead") as lead:
        await lead.post(
            f"/o/alpha/sop-versions/{version}/publish", data={"effective_date": "2026-12-01"}
        )
        page = await lead.get(f"/o/alpha/initiatives/{initiative}/gate/request")
    assert "V1.0 published, effective 2026-12-01." in page.text
    assert "0 of 0 rollout waves done." in page.text
    await open_review(world, world.a, initiative)


async def test_the_live_evidence_link_reads_open_as_a_verb_in_chinese(world):
    initiative = await make_initiative(world.a, phase=3)
    await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        english = await client.get(
            f"/o/alpha/initiatives/{initiative}/gate/request", headers={"accept-language": "en"}
        )
        chinese = await client.get(
            f"/o/alpha/initiatives/{initiative}/gate/request", headers={"accept-language": "zh-CN"}
        )
    assert '/sops">Open</a>' in english.text
    assert '/sops">打开</a>' in chinese.text
    assert "未关闭</a>" not in chinese.text  # "not closed", a status, was shown as the link
