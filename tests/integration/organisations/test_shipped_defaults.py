"""Shipped defaults (gate criteria, starter risks, RACI roles) speak one language at a time:
an organisation's are made in its language, an admin can switch them, glued rows are repaired."""

from __future__ import annotations

import importlib.util
import itertools
import re

from tests.conftest import ROOT, make_org
from tests.helpers import make_initiative
from tests.integration.api.test_api import api, token_for
from tracker.accounts.tables import Organisation, Person
from tracker.auth import hash_password
from tracker.gates.tables import GateCriterion, ReviewCriterion
from tracker.risks.tables import Risk
from tracker.sops.tables import RaciRole, SopApproval

CJK = re.compile(r"[\u4e00-\u9fff]")
GLUED = "Process owner 流程负责人"
_n = itertools.count()


async def fresh_org(world, language: str | None = None):
    slug = f"shipped{next(_n)}-{world.backend}"
    org = await make_org(slug, await hash_password("x" * 12))
    if language:
        await Organisation.update({Organisation.language: language}).where(
            Organisation.id == org.id
        )
    return org


def visible(html: str) -> str:
    """The page's text without the language switcher (which names each language in itself)."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html.replace("中文", "")


async def test_signup_in_chinese_makes_the_defaults_in_chinese(world):
    email = f"zh-founder-{world.backend}@example.com"
    form = {
        "name": "Li Na",
        "email": email,
        "password": "correct horse battery",
        "org_name": f"Zh Founders {world.backend}",
        "org_slug": f"zh-founders-{world.backend}",
    }
    async with world.client() as client:
        response = await client.post("/signup", data=form, headers={"accept-language": "zh-CN"})
    assert response.status_code == 200  # "check your e-mail": the account waits for confirmation
    org = await Organisation.select().where(Organisation.slug == form["org_slug"]).first()
    assert org["language"] == "zh_Hans"
    texts = [c["text"] for c in await GateCriterion.select().where(GateCriterion.org == org["id"])]
    assert "目标符合SMART原则，有基线值和目标值" in texts
    assert all(CJK.search(t) and not re.search(r"[a-z]{3,} [a-z]{3,}", t) for t in texts)


async def test_an_english_and_a_chinese_reader_see_the_defaults_in_one_language(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=3, name="Defaults in one language")
    async with world.client(org, "lead") as lead:
        assert (
            await lead.post(f"/o/{org.slug}/initiatives/{initiative}/risks/starters")
        ).status_code == 303
        created = await lead.post(
            f"/o/{org.slug}/initiatives/{initiative}/sops",
            data={"process_name": "Claims", "number": f"SOP-CL-2026-{initiative:03d}"},
        )
        assert created.status_code == 303, created.text
    async with world.client(org, "admin") as admin:
        settings = (await admin.get(f"/o/{org.slug}/settings/gates")).text
        assert "中文" in settings  # the switcher still names each language in itself
        english = visible(settings)
        risks = visible((await admin.get(f"/o/{org.slug}/initiatives/{initiative}/risks")).text)
        digest = visible((await admin.get(f"/o/{org.slug}/digests/preview")).text)
        export = (await admin.get(f"/o/{org.slug}/initiatives/{initiative}/export/risks")).text
    for text in (english, risks, digest):
        assert not CJK.search(text), CJK.search(text)
    assert "Goal is SMART with baseline and target" in english
    assert "Weak executive support" in risks and "Weak executive support" in digest
    assert "Weak executive support" in export and not CJK.search(export)
    token = await token_for(world, org)
    async with api(world, token) as client:
        listed = (await client.get(f"/initiatives/{initiative}/risks")).text
    assert "Weak executive support" in listed and not CJK.search(listed)
    roles = [r["name"] for r in await RaciRole.select().where(RaciRole.org == org.id)]
    assert roles == ["Process owner", "Operator", "Manager", "Quality"]
    # a Chinese reader of the same organisation: the organisation's wording, never glued
    await Person.update({Person.language: "zh_Hans"}).where(Person.id == org.people["admin"])
    async with world.client(org, "admin") as reader:
        chinese = (await reader.get(f"/o/{org.slug}/settings/gates")).text
        zh_digest = (await reader.get(f"/o/{org.slug}/digests/preview")).text
    assert "内置默认内容的语言" in chinese  # the page is in Chinese
    assert "Goal is SMART with baseline and target" in chinese and "目标符合SMART" not in chinese
    assert "Weak executive support" in zh_digest and "高层支持不足" not in zh_digest


async def test_a_chinese_organisation_gets_chinese_starters_and_roles(world):
    org = await fresh_org(world, "zh_Hans")
    initiative = await make_initiative(org, phase=3, name="中文组织")
    async with world.client(org, "lead") as lead:
        await lead.post(f"/o/{org.slug}/initiatives/{initiative}/risks/starters")
        await lead.post(
            f"/o/{org.slug}/initiatives/{initiative}/sops",
            data={"process_name": "理赔", "number": f"SOP-ZH-2026-{initiative:03d}"},
        )
    risks = await Risk.select().where(Risk.org == org.id)
    assert {r["description"] for r in risks} >= {"高层支持不足", "数据难以收集，评估失真"}
    texts = [r["description"] + r["mitigation"] + r["manifestation"] for r in risks]
    # no English glued in; "RACI" is the seed's own word (004 §4: 在RACI矩阵中明确…)
    assert all(not re.search("[A-Za-z]{3,}", t.replace("RACI", "")) for t in texts)
    roles = [r["name"] for r in await RaciRole.select().where(RaciRole.org == org.id)]
    assert roles == ["流程负责人", "执行岗", "部门经理", "质量"]


async def test_admin_switches_the_defaults_and_edited_texts_stay(world):
    org = await fresh_org(world)
    initiative = await make_initiative(org, phase=3, name="Switch me")
    edited = (
        await GateCriterion.select(GateCriterion.id)
        .where(GateCriterion.org == org.id, GateCriterion.text == "Design review held")
        .first()
    )["id"]
    await GateCriterion.update({GateCriterion.text: "Design review held with the CFO"}).where(
        GateCriterion.id == edited
    )
    async with world.client(org, "lead") as lead:
        await lead.post(f"/o/{org.slug}/initiatives/{initiative}/risks/starters")
    async with world.client(org, "admin") as admin:
        page = await admin.get(f"/o/{org.slug}/settings/gates")
        assert f'action="/o/{org.slug}/settings/defaults-language"' in page.text
        switched = await admin.post(
            f"/o/{org.slug}/settings/defaults-language", data={"language": "zh_Hans"}
        )
        assert switched.status_code == 303
        refused = await admin.post(
            f"/o/{org.slug}/settings/defaults-language", data={"language": "fr"}
        )
        assert refused.status_code == 400
    texts = {c["text"] for c in await GateCriterion.select().where(GateCriterion.org == org.id)}
    assert "目标符合SMART原则，有基线值和目标值" in texts
    assert "Design review held with the CFO" in texts  # someone's own text stays
    assert "Goal is SMART with baseline and target" not in texts
    risks = {r["description"] for r in await Risk.select().where(Risk.org == org.id)}
    assert "高层支持不足" in risks and "Weak executive support" not in risks
    row = await Organisation.select().where(Organisation.id == org.id).first()
    assert row["language"] == "zh_Hans"
    # members who are not admins may not; an outsider finds nothing and changes nothing
    async with world.client(org, "lead") as lead:
        response = await lead.post(
            f"/o/{org.slug}/settings/defaults-language", data={"language": "en"}
        )
        assert response.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        response = await outsider.post(
            f"/o/{org.slug}/settings/defaults-language", data={"language": "en"}
        )
        assert response.status_code == 404
    row = await Organisation.select().where(Organisation.id == org.id).first()
    assert row["language"] == "zh_Hans"


async def test_the_migration_repairs_glued_rows(world, monkeypatch):
    english = await fresh_org(world)
    chinese = await fresh_org(world)
    await Person.update({Person.language: "zh_Hans"}).where(
        Person.id.is_in(list(chinese.people.values()))
    )
    initiative = await make_initiative(english, phase=3, name="Glued")
    criterion = (
        await GateCriterion.select(GateCriterion.id)
        .where(GateCriterion.org == chinese.id, GateCriterion.position == 0)
        .order_by(GateCriterion.gate)
        .first()
    )["id"]
    glued_criterion = "Goal is SMART with baseline and target 目标符合SMART原则，有基线值和目标值"
    await GateCriterion.update({GateCriterion.text: glued_criterion}).where(
        GateCriterion.id == criterion
    )
    await Risk.insert(
        Risk(
            org=english.id,
            initiative=initiative,
            description="Weak executive support 高层支持不足",
            category="organisation",
            likelihood=3,
            impact=5,
            mitigation="Define an exception path with approval 设计带审批的例外流程",
        ),
        Risk(
            org=english.id,
            initiative=initiative,
            description="Weak executive support 高层支持不足, and more",  # edited: stays
            category="organisation",
            likelihood=3,
            impact=5,
        ),
    )
    from tracker.sops.tables import SopDocument, SopVersion

    doc = (
        await SopDocument.insert(
            SopDocument(org=english.id, initiative=initiative, process_name="P", number="SOP-G-1")
        )
    )[0]["id"]
    version = (await SopVersion.insert(SopVersion(org=english.id, document=doc)))[0]["id"]
    await RaciRole.insert(RaciRole(org=english.id, version=version, position=0, name=GLUED))
    await SopApproval.insert(
        SopApproval(org=english.id, version=version, level=1, label="Administrator 管理员")
    )

    path = ROOT / "migrations" / "tracker" / "tracker_2026_11_30t02_01_00_000000.py"
    spec = importlib.util.spec_from_file_location("repair_glued_defaults", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    monkeypatch.setattr(migration, "engine_finder", lambda: world.engine)
    manager = await migration.forwards()
    await manager.run()

    zh = await Organisation.select().where(Organisation.id == chinese.id).first()
    assert zh["language"] == "zh_Hans"  # most of its members read Chinese
    assert (await GateCriterion.select().where(GateCriterion.id == criterion).first())[
        "text"
    ] == "目标符合SMART原则，有基线值和目标值"
    descriptions = {r["description"] for r in await Risk.select().where(Risk.org == english.id)}
    assert descriptions == {
        "Weak executive support",
        "Weak executive support 高层支持不足, and more",
    }
    mitigations = {r["mitigation"] for r in await Risk.select().where(Risk.org == english.id)}
    assert "Define an exception path with approval" in mitigations
    assert (await RaciRole.select().where(RaciRole.version == version).first())[
        "name"
    ] == "Process owner"
    assert (await SopApproval.select().where(SopApproval.version == version).first())[
        "label"
    ] == "Administrator"
    assert not await ReviewCriterion.exists().where(ReviewCriterion.text == glued_criterion)
