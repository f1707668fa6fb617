"""What the seeds hold and the product did not (issue 18): a step's responsible and assisting
person and acceptance criterion (003 模板二), a version's remarks (004 表4), a risk's
manifestation (004 §4) with the seed's five risks, and the process inventory page (003 模板一)."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest

from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.demo_program import seed_sop
from tracker.problems.tables import Problem
from tracker.risks.tables import Risk
from tracker.sops.tables import SopDocument, SopStep, SopVersion

_numbers = itertools.count(1)
ZH = {"accept-language": "zh-CN"}


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def _sop(org, status: str, initiative: int | None = None) -> tuple[int, int, int]:
    """(initiative, document, its latest version)."""
    initiative = initiative or await make_initiative(org, phase=4, name="投诉处理优化")
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    number = f"SOP-MD-{next(_numbers):04d}"
    document = await seed_sop(
        org.id, initiative, number, "客户投诉处理", people, date.today(), status
    )
    latest = await SopVersion.select(SopVersion.id).where(SopVersion.document == document).order_by(SopVersion.major, ascending=False).order_by(SopVersion.minor, ascending=False).first()  # fmt: skip
    assert latest is not None
    return initiative, document, latest["id"]


async def test_a_step_names_its_people_and_acceptance_criterion_everywhere_it_shows(world):
    org = world.a
    _, _document, version = await _sop(org, "draft")
    lead, member = org.people["lead"], org.people["member"]
    async with world.client(org, "member") as client:
        added = await client.post(
            f"/o/alpha/sop-versions/{version}/steps",
            data={
                "name": "复核工单",
                "responsible": "客服部",
                "time_value": "2",
                "time_unit": "hours",
                "owner": str(lead),
                "assistant": str(member),
                "acceptance": "工单字段完整率100%",
            },
        )
        assert added.status_code in (302, 303), added.text
        page = await client.get(f"/o/alpha/sop-versions/{version}")
        printed = await client.get(f"/o/alpha/sop-versions/{version}/print")
        table = await client.get(
            f"/o/alpha/sop-versions/{version}/tables/task-assignment?format=csv", headers=ZH
        )
        # a person of another organisation is refused beside the field
        step = await SopStep.select(SopStep.id, SopStep.revision).where(SopStep.version == version, SopStep.name == "复核工单").first()  # fmt: skip
        assert step is not None
        refused = await client.post(
            f"/o/alpha/sop-steps/{step['id']}",
            data={"name": "复核工单", "responsible": "客服部", "revision": str(step["revision"]),
                  "owner": str(world.b.people["admin"])},
        )  # fmt: skip
    assert refused.status_code == 422 and "Choose a member of this organisation." in refused.text
    names = {r["id"]: r["name"] for r in await _people(org)}
    for response in (page, printed):
        assert names[lead] in response.text and names[member] in response.text
        assert "工单字段完整率100%" in response.text
    row = next(r for r in _rows(table.content) if r and r[0] == "复核工单")
    assert row[2:4] == [names[lead], names[member]] and row[6] == "工单字段完整率100%"


async def _people(org) -> list[dict]:
    from tracker.accounts.tables import Person

    return await Person.select(Person.id, Person.name).where(
        Person.id.is_in(list(org.people.values()))
    )


async def test_a_revision_carries_the_people_and_the_diff_shows_their_changes(world):
    org = world.a
    _, document, published = await _sop(org, "revised")
    lead, member = org.people["lead"], org.people["member"]
    first = await SopStep.select(SopStep.id).where(SopStep.version == published).order_by(SopStep.position).first()  # fmt: skip
    assert first is not None
    await SopStep.update({SopStep.owner: lead, SopStep.acceptance: "按时回复"}).where(
        SopStep.id == first["id"]
    )
    async with world.client(org, "lead") as client:
        started = await client.post(
            f"/o/alpha/sop-documents/{document}/revisions",
            data={"kind": "minor", "change_summary": "换负责人"},
        )
        assert started.status_code in (302, 303), started.text
        draft = int(started.headers["location"].split("/")[-1])
        copied = await SopStep.select().where(SopStep.version == draft).order_by(SopStep.position).first()  # fmt: skip
        assert copied is not None
        assert (copied["owner"], copied["acceptance"]) == (lead, "按时回复")
        await SopStep.update({SopStep.owner: member, SopStep.acceptance: "当日回复"}).where(
            SopStep.id == copied["id"]
        )
        diff = await client.get(
            f"/o/alpha/sop-documents/{document}/diff?old={published}&new={draft}"
        )
    assert diff.status_code == 200
    assert "Responsible person" in diff.text and "Acceptance criterion" in diff.text
    assert "按时回复" in diff.text and "当日回复" in diff.text


async def test_the_version_log_has_the_remarks_of_each_version(world):
    org = world.a
    _, _document, draft = await _sop(org, "draft")
    version = await SopVersion.select(SopVersion.revision).where(SopVersion.id == draft).first()
    assert version is not None
    async with world.client(org, "member") as client:
        saved = await client.post(
            f"/o/alpha/sop-versions/{draft}/header",
            data={"scope": "全公司", "remarks": "解决验证码接收问题",
                  "revision": str(version["revision"])},
        )  # fmt: skip
        assert saved.status_code in (302, 303), saved.text
        log = await client.get(
            f"/o/alpha/sop-versions/{draft}/tables/version-log?format=csv", headers=ZH
        )
        page = await client.get(f"/o/alpha/sop-versions/{draft}")
    header = next(r for r in _rows(log.content) if r and r[0] == "流程ID")
    row = next(r for r in _rows(log.content) if len(r) > 2 and r[0].startswith("SOP-MD-"))
    assert header[-1] == "备注" and row[-1] == "解决验证码接收问题"
    assert "解决验证码接收问题" in page.text


async def test_risks_have_a_manifestation_and_the_starters_carry_the_seeds_texts(world):
    org = world.a
    initiative = await make_initiative(org)
    async with world.client(org, "lead") as client:
        await client.post(f"/o/alpha/initiatives/{initiative}/risks/starters")
        created = await client.post(
            f"/o/alpha/initiatives/{initiative}/risks",
            data={"description": "系统切换失败", "category": "process", "likelihood": "2",
                  "impact": "4", "manifestation": "新旧系统数据不一致", "mitigation": "双轨运行"},
        )  # fmt: skip
        assert created.status_code in (302, 303), created.text
        risk = await Risk.select(Risk.id).where(Risk.description == "系统切换失败").first()
        assert risk is not None
        detail = await client.get(f"/o/alpha/risks/{risk['id']}")
        table = await client.get(
            f"/o/alpha/initiatives/{initiative}/tables/risks?format=csv", headers=ZH
        )
    assert "新旧系统数据不一致" in detail.text
    rows = {r[0]: r for r in _rows(table.content) if r}
    assert rows["系统切换失败"][1:3] == ["新旧系统数据不一致", "双轨运行"]
    starters = await Risk.select(Risk.manifestation, Risk.mitigation).where(
        Risk.initiative == initiative, Risk.description != "系统切换失败"
    )
    assert len(starters) == 5 and all(r["manifestation"] for r in starters)
    texts = " ".join(r["mitigation"] for r in starters)
    assert "Invite front-line staff" in texts or "邀请一线员工参与方案设计" in texts


async def _processes(org, n: int) -> None:
    initiative = await make_initiative(org, name="流程梳理", departments="运营部")
    await Problem.insert(
        Problem(org=org.id, initiative=initiative, title="审批慢", category="efficiency",
                impact=3, urgency=3)
    )  # fmt: skip
    for _ in range(n):
        await _sop(org, "revised", initiative)


async def test_the_process_inventory_page_lists_every_process_in_fixed_queries(world):
    org = world.a
    await _processes(org, 2)
    async with world.client(org, "viewer") as client:
        with count_queries() as few:
            small = await client.get(f"/o/{org.slug}/processes", headers=ZH)
        await _processes(org, 28)
        with count_queries() as many:
            large = await client.get(f"/o/{org.slug}/processes", headers=ZH)
        sops = await client.get(f"/o/{org.slug}/sops")
    assert small.status_code == large.status_code == 200
    count = await SopDocument.count().where(SopDocument.org == org.id)
    assert large.text.count('href="/o/' + org.slug + "/sop-documents/") >= count >= 30
    for header in ("流程名称", "所属部门", "当前版本", "流程负责人", "关键节点（按顺序）"):
        assert header in large.text
    assert (
        "审批慢" in large.text
        and f'href="/o/{org.slug}/tables/process-inventory?format=xlsx"' in large.text
    )
    assert f'href="/o/{org.slug}/processes"' in sops.text
    assert many.count == few.count, (few.count, many.count)


@pytest.mark.parametrize("role", ["admin", "lead", "committee", "member", "viewer"])
async def test_every_member_reads_the_inventory_and_outsiders_get_404(world, role):
    from tests.conftest import make_org

    async with world.client(world.a, role) as client:
        assert (await client.get("/o/alpha/processes")).status_code == 200
    # an organisation of its own: other tests invite beta's people into alpha
    outsider = await make_org(f"inventory-{role}-{world.backend}", "x")
    async with world.client(outsider, role) as client:
        assert (await client.get("/o/alpha/processes")).status_code == 404
