"""Seed tables come back in (issue 18): the app's own export imports back unchanged, seed-only
files in GBK or UTF-8 import the same rows, a re-import updates, every problem is reported by
row and column and nothing is written, hostile files get a clear answer, never a 500."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.helpers import make_initiative
from tests.integration.seedtables.test_seed_tables import _programme
from tracker.kpis.tables import Kpi
from tracker.problems.tables import AsIsStep, Measure, Problem
from tracker.risks.tables import Risk

ZH = {"accept-language": "zh-CN"}
EN = {"accept-language": "en"}
ORDER = ["matrix", "as-is-survey", "design", "risks", "kpi-monitoring", "optimisation-log"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data_rows(content: bytes, first_header: str) -> list[list[str]]:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    at = next(i for i, line in enumerate(lines) if line and line[0] == first_header)
    return lines[at + 1 :]


async def _import(client, initiative: int, key: str, name: str, data: bytes, headers=ZH):
    media = XLSX if name.endswith(".xlsx") else "text/csv"
    return await client.post(
        f"/o/alpha/initiatives/{initiative}/tables/{key}/import",
        files={"file": (name, data, media)},
        data={"confirm": "1"},
        headers=headers,
    )


FIRST = {"matrix": "问题", "as-is-survey": "流程名称", "design": "优化目标", "risks": "风险", "kpi-monitoring": "指标名称",
         "optimisation-log": "优化日期"}  # fmt: skip


@pytest.mark.parametrize("format", ["csv", "xlsx"])
async def test_an_export_imports_back_unchanged_into_another_initiative(world, format):
    source, _ = await _programme(world.a)
    target = await make_initiative(world.a, phase=4, name="投诉处理优化", departments="客服部")
    async with world.client(world.a, "member") as client:
        for key in ORDER:
            exported = await client.get(
                f"/o/alpha/initiatives/{source}/tables/{key}?format={format}", headers=ZH
            )
            imported = await _import(client, target, key, f"{key}.{format}", exported.content)
            assert imported.status_code in (302, 303), (key, imported.text[-3000:])
        for key in ORDER:
            before = await client.get(
                f"/o/alpha/initiatives/{source}/tables/{key}?format=csv", headers=ZH
            )
            after = await client.get(
                f"/o/alpha/initiatives/{target}/tables/{key}?format=csv", headers=ZH
            )
            rows = _data_rows(before.content, FIRST[key])
            assert rows and rows == _data_rows(after.content, FIRST[key]), key


def _cells(content: bytes) -> list[list]:
    """Every cell of every sheet, by row: an XLSX's content (its bytes hold the time it was
    written)."""
    book = load_workbook(io.BytesIO(content))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


@pytest.mark.parametrize("language", [ZH, EN])
async def test_export_import_export_is_byte_equal(world, language):
    """Each importable table, exported, imported back into its initiative and exported again:
    the same CSV to the byte, the same cells in the workbook, and nothing added."""
    source, _ = await _programme(world.a)
    async with world.client(world.a, "member") as client:
        for key in ORDER:
            url = f"/o/alpha/initiatives/{source}/tables/{key}"
            csv_before = (await client.get(f"{url}?format=csv", headers=language)).content
            xlsx_before = (await client.get(f"{url}?format=xlsx", headers=language)).content
            for name, content in (("back.csv", csv_before), ("back.xlsx", xlsx_before)):
                imported = await _import(client, source, key, name, content, language)
                assert imported.status_code in (302, 303), (key, imported.text[-2000:])
            csv_after = (await client.get(f"{url}?format=csv", headers=language)).content
            xlsx_after = (await client.get(f"{url}?format=xlsx", headers=language)).content
            assert csv_after == csv_before, key
            assert _cells(xlsx_after) == _cells(xlsx_before), key
    assert await Problem.count().where(Problem.initiative == source) == 1
    assert await AsIsStep.count().where(AsIsStep.problem.initiative == source) == 3


async def test_the_as_is_survey_writes_and_reads_several_problem_kinds_per_step(world):
    """表1's 存在问题 (可多选): the kinds of each step joined as the seed writes them, in the
    reader's language, and read back from either language into another initiative."""
    source, _ = await _programme(world.a)
    url = f"/o/alpha/initiatives/{source}/tables/as-is-survey?format=csv"
    async with world.client(world.a, "member") as client:
        zh = _data_rows((await client.get(url, headers=ZH)).content, "流程名称")
        en = _data_rows((await client.get(url, headers=EN)).content, "Process name")
        assert [r[5] for r in zh] == ["效率低、协同难", "质量差", ""]
        assert [r[5] for r in en] == ["Low efficiency, Poor coordination", "Poor quality", ""]
        for rows, header in ((en, "Process name"), (zh, "流程名称")):
            target = await make_initiative(world.a)
            content = _csv_bytes([ENGLISH_AS_IS if header == "Process name" else CHINESE_AS_IS, *rows])  # fmt: skip
            response = await _import(client, target, "as-is-survey", "kinds.csv", content)
            assert response.status_code in (302, 303), response.text[-2000:]
            steps = await AsIsStep.select(AsIsStep.step, AsIsStep.kinds).where(AsIsStep.problem.initiative == target).order_by(AsIsStep.position)  # fmt: skip
            assert [(s["step"], s["kinds"]) for s in steps] == [
                ("接收投诉", "efficiency,coordination"),
                ("分类分级", "quality"),
                ("归档", ""),
            ]


CHINESE_AS_IS = "流程名称 涉及部门 当前步骤简述（按顺序） 责任岗位 单步耗时（分钟） 存在问题 具体问题描述".split()
ENGLISH_AS_IS = ["Process name", "Departments involved", "Current steps (in order)",
                 "Responsible post", "Time per step (minutes)", "Problems found", "Problem details"]  # fmt: skip


def _csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("language", "cell", "message"),
    [
        (ZH, "效率低、太慢", "“太慢”不是可选的问题类型"),
        (EN, "Low efficiency, Too slow", "“Too slow” is not a kind of problem"),
    ],
)
async def test_an_unknown_problem_kind_is_named_by_row_and_column(world, language, cell, message):
    initiative = await make_initiative(world.a)
    content = _csv_bytes(
        [
            CHINESE_AS_IS,
            ["流程", "客服部", "1. 接收", "客服", "10", "风险高/质量差", "慢: 细节"],
            ["流程", "客服部", "2. 审核", "主管", "30", cell, "慢: 细节"],
        ],
        "gbk",
    )
    async with world.client(world.a, "member") as client:
        response = await _import(client, initiative, "as-is-survey", "k.csv", content, language)
    assert response.status_code == 422
    assert message in response.text and "存在问题" in response.text  # the column, as in the file
    assert '<td class="num">3</td>' in response.text  # the file's own line
    assert "风险高/质量差" not in response.text  # the first row's kinds are all known
    assert await Problem.count().where(Problem.initiative == initiative) == 0


async def test_a_reimport_updates_rather_than_duplicates(world):
    source, _ = await _programme(world.a)
    async with world.client(world.a, "member") as client:
        counts = []
        for _round in range(2):
            for key in ORDER:
                exported = await client.get(
                    f"/o/alpha/initiatives/{source}/tables/{key}?format=xlsx", headers=EN
                )
                response = await _import(client, source, key, "back.xlsx", exported.content, EN)
                assert response.status_code in (302, 303), (key, response.text[-2000:])
            counts.append(
                [
                    await Problem.count().where(Problem.initiative == source),
                    await Measure.count().where(Measure.initiative == source),
                    await Risk.count().where(Risk.initiative == source),
                    await Kpi.count().where(Kpi.initiative == source),
                ]
            )
    assert counts[0] == counts[1] == [1, 1, 1, 1]
    assert await AsIsStep.count().where(AsIsStep.problem.initiative == source) == 3


SEED_RISKS = (
    "流程优化方案 风险与应对\n"  # a title row above the header
    "应对策略,风险,风险表现\n"  # any order
    "设立跨部门周例会,跨部门沟通不畅，责任推诿,因职责不清导致执行拖延\n"
    '"培训时结合实际案例",一线员工抵触变革,出现“形式化执行”\n'
)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
async def test_seed_only_files_in_gbk_and_utf8_import_the_same_rows(world, encoding):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        response = await _import(
            client, initiative, "risks", "seed.csv", SEED_RISKS.encode(encoding)
        )
        assert response.status_code in (302, 303), response.text[-2000:]
        table = await client.get(
            f"/o/alpha/initiatives/{initiative}/tables/risks?format=csv", headers=ZH
        )
    rows = {r[0]: r[1:3] for r in _data_rows(table.content, "风险")}
    assert rows == {
        "跨部门沟通不畅，责任推诿": ["因职责不清导致执行拖延", "设立跨部门周例会"],
        "一线员工抵触变革": ["出现“形式化执行”", "培训时结合实际案例"],
    }


async def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(world):
    initiative = await make_initiative(world.a)
    content = ("问题,影响范围,紧急程度\n好问题,3,3\n坏评分,9,3\n,2,2\n好问题,1,1\n").encode()
    async with world.client(world.a, "member") as client:
        response = await _import(client, initiative, "matrix", "m.csv", content, EN)
    assert response.status_code == 422
    text = response.text
    assert "Score from 1 to 5." in text and "影响范围" in text
    assert "Name the problem." in text and "This row appears twice in the file." in text
    assert '<td class="num">3</td>' in text  # the file's own line number
    assert await Problem.count().where(Problem.initiative == initiative) == 0


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"<si><t>a</t></si>" * 2_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nul.csv", b"\xef\xbb\xbf\xe9\xa3\x8e\xe9\x99\xa9\n\x00\x00\n", "This is not a text file"),
        ("big.csv", b"a," * (1_100_000), "larger than 2 MB"),
        ("bomb.xlsx", _bomb(), "expands to more than 20 MB"),
        ("fake.xlsx", b"PK\x03\x04 not really", "not a readable XLSX"),
        ("table.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("other.csv", "标题,别的\n1,2\n".encode(), "No header row naming"),
    ],
)
async def test_hostile_and_wrong_files_get_a_clear_message(world, name, content, message):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "member") as client:
        response = await _import(client, initiative, "risks", name, content, EN)
    assert response.status_code == 422 and message in response.text


async def test_the_roles_and_outsiders(world):
    initiative = await make_initiative(world.a)
    page = f"/o/alpha/initiatives/{initiative}/tables/risks/import"
    for role in ("admin", "lead", "committee", "member", "viewer"):
        async with world.client(world.a, role) as client:
            got = await client.get(page)
            posted = await _import(client, initiative, "risks", "r.csv", SEED_RISKS.encode())
        if role in ("viewer", "committee"):  # read only
            assert got.status_code == posted.status_code == 403
        else:
            assert got.status_code == 200 and posted.status_code in (302, 303), role
    async with world.client(world.b, "admin") as client:
        assert (await client.get(page.replace("alpha", "beta"))).status_code == 404
        posted = await client.post(
            page.replace("alpha", "beta"), files={"file": ("r.csv", b"x", "text/csv")}
        )
        assert posted.status_code == 404
    async with world.client(world.a, "lead") as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}/tables/pilot-evaluation/import")).status_code == 404  # fmt: skip


async def _empty_draft(client, initiative: int, number: str) -> int:
    created = await client.post(
        f"/o/alpha/initiatives/{initiative}/sops",
        data={"process_name": "客户投诉处理", "number": number},
    )
    assert created.status_code in (302, 303), created.text[-2000:]
    page = await client.get(created.headers["location"])
    from tracker.sops.tables import SopDocument, SopVersion

    doc = await SopDocument.select(SopDocument.id).where(SopDocument.number == number).first()
    assert doc is not None and page.status_code == 200
    version = await SopVersion.select(SopVersion.id).where(SopVersion.document == doc["id"]).first()  # fmt: skip
    assert version is not None
    return version["id"]


async def _sop_import(client, version: int, key: str, name: str, data: bytes, headers=ZH):
    media = XLSX if name.endswith(".xlsx") else "text/csv"
    return await client.post(
        f"/o/alpha/sop-versions/{version}/tables/{key}/import",
        files={"file": (name, data, media)},
        data={"confirm": "1"},
        headers=headers,
    )


async def test_sop_steps_import_onto_a_draft_and_come_back_out_unchanged(world):
    from tracker.sops.tables import SopStep

    _, published = await _programme(world.a)
    target = await make_initiative(world.a, phase=4)
    lead = world.a.people["lead"]
    async with world.client(world.a, "member") as client:
        draft = await _empty_draft(client, target, f"SOP-IM-2026-{target:03d}")
        for key in ("standardisation", "sop-steps"):
            exported = await client.get(
                f"/o/alpha/sop-versions/{published}/tables/{key}?format=xlsx", headers=ZH
            )
            response = await _sop_import(client, draft, key, f"{key}.xlsx", exported.content)
            assert response.status_code in (302, 303), (key, response.text[-2000:])
        for key, first in (("standardisation", "流程名称"), ("sop-steps", "流程步骤")):
            before = await client.get(f"/o/alpha/sop-versions/{published}/tables/{key}?format=csv", headers=ZH)  # fmt: skip
            after = await client.get(f"/o/alpha/sop-versions/{draft}/tables/{key}?format=csv", headers=ZH)  # fmt: skip
            assert _data_rows(before.content, first) == _data_rows(after.content, first), key
        # the task assignment names the members and the acceptance criterion of a step
        step = await SopStep.select(SopStep.name).where(SopStep.version == draft).order_by(SopStep.position).first()  # fmt: skip
        assert step is not None
        from tracker.accounts.tables import Person

        person = await Person.select(Person.name).where(Person.id == lead).first()
        assert person is not None
        assignment = (
            "流程执行任务分配表\n流程步骤,负责人,验收标准,完成时限\n"
            f"{step['name']},{person['name']},当日闭环,3个工作日内\n"
        ).encode("gbk")
        response = await _sop_import(client, draft, "task-assignment", "t.csv", assignment)
        assert response.status_code in (302, 303), response.text[-2000:]
        again = await _sop_import(client, draft, "task-assignment", "t.csv", assignment)
        assert again.status_code in (302, 303)
        count = await SopStep.count().where(SopStep.version == draft)
        table = await client.get(f"/o/alpha/sop-versions/{draft}/tables/task-assignment?format=csv", headers=ZH)  # fmt: skip
        # a published version takes no import
        refused = await _sop_import(client, published, "task-assignment", "t.csv", assignment)
    row = next(r for r in _data_rows(table.content, "流程步骤") if r[0] == step["name"])
    assert row[2] == person["name"] and row[4] == "3 个工作日内" and row[6] == "当日闭环"
    assert count == len(_data_rows(table.content, "流程步骤"))  # updated, not added again
    assert refused.status_code == 409
    updated = await SopStep.select().where(SopStep.version == draft, SopStep.name == step["name"]).first()  # fmt: skip
    assert updated is not None and updated["instructions"]  # kept: the file had no such column


@pytest.mark.parametrize("language", [ZH, EN])
async def test_sop_tables_export_import_export_is_byte_equal_on_a_draft(world, language):
    """The steps table, the standardisation table and the task assignment of a draft, with a
    step's own people and acceptance criterion and the RACI roles of the others: exported,
    imported back, exported again, the same to the byte."""
    from datetime import date

    from tracker.demo_program import seed_sop
    from tracker.sops.tables import SopStep, SopVersion

    org = world.a
    initiative = await make_initiative(org, phase=3)
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    document = await seed_sop(org.id, initiative, f"SOP-RT-{initiative:04d}", "客户投诉处理", people, date.today(), "draft", lang="zh_Hans")  # fmt: skip
    version = await SopVersion.select(SopVersion.id).where(SopVersion.document == document).first()  # fmt: skip
    assert version is not None
    first = await SopStep.select(SopStep.id).where(SopStep.version == version["id"]).order_by(SopStep.position).first()  # fmt: skip
    assert first is not None
    await SopStep.update(
        {SopStep.owner: org.people["lead"], SopStep.assistant: org.people["member"],
         SopStep.acceptance: "当日闭环"}
    ).where(SopStep.id == first["id"])  # fmt: skip
    base = f"/o/alpha/sop-versions/{version['id']}/tables"
    count = await SopStep.count().where(SopStep.version == version["id"])
    async with world.client(org, "member") as client:
        for key in ("sop-steps", "standardisation", "task-assignment"):
            before = (await client.get(f"{base}/{key}?format=csv", headers=language)).content
            xlsx = (await client.get(f"{base}/{key}?format=xlsx", headers=language)).content
            for name, content in (("back.csv", before), ("back.xlsx", xlsx)):
                response = await _sop_import(client, version["id"], key, name, content, language)
                assert response.status_code in (302, 303), (key, response.text[-2000:])
            after = (await client.get(f"{base}/{key}?format=csv", headers=language)).content
            assert after == before, key
            assert _cells((await client.get(f"{base}/{key}?format=xlsx", headers=language)).content) == _cells(xlsx), key  # fmt: skip
    assert await SopStep.count().where(SopStep.version == version["id"]) == count  # none added


async def test_sop_import_roles_and_outsiders(world):
    _, published = await _programme(world.a)
    page = f"/o/alpha/sop-versions/{published}/tables/task-assignment/import"
    async with world.client(world.a, "viewer") as client:
        assert (await client.get(page)).status_code == 403
    async with world.client(world.a, "member") as client:
        assert (await client.get(page)).status_code == 200
        assert (await client.get(page.replace("task-assignment", "version-log"))).status_code == 404
    async with world.client(world.b, "admin") as client:
        assert (await client.get(page.replace("alpha", "beta"))).status_code == 404


async def test_the_seeds_own_as_is_survey_row_imports(world):
    """Seed 004 表1's example: steps numbered inside one cell's text, minutes with a note,
    several problem kinds (可多选)."""
    initiative = await make_initiative(world.a)
    content = (
        "表1:运营流程现状调研表\n"
        "流程名称,涉及部门,当前步骤简述（按顺序）,责任岗位,单步耗时（分钟）,存在问题,具体问题描述\n"
        "用户注册激活流程,运营、技术,2.人工审核,运营专员,30（审核）,效率低、协同难,"
        "审核需手动核对3个系统数据: 跨部门对接无固定人\n"
    ).encode("gbk")
    async with world.client(world.a, "member") as client:
        response = await _import(client, initiative, "as-is-survey", "s.csv", content)
    assert response.status_code in (302, 303), response.text[-2000:]
    problem = await Problem.select().where(Problem.initiative == initiative).first()
    assert problem is not None and problem["title"] == "审核需手动核对3个系统数据"
    assert problem["category"] == "efficiency" and problem["description"] == "跨部门对接无固定人"
    step = await AsIsStep.select().where(AsIsStep.problem == problem["id"]).first()
    assert step is not None and (step["step"], step["role"], step["minutes"]) == (
        "人工审核",
        "运营专员",
        30,
    )


async def test_a_large_exported_workbook_imports_back(world):
    """6,000 rows of nine columns: within the limits (openpyxl's padding is not counted)."""
    from tracker.spreadsheets import Table, to_xlsx

    rows = [
        [f"大表 风险 {i}", f"表现 {i}", f"应对 {i}", "其他", 3, 3, 9, "", "打开"]
        for i in range(6000)
    ]
    data = to_xlsx(Table(title="风险与应对", headers=["风险", "风险表现", "应对策略"], rows=rows))
    from tracker.seedtables import reading
    from tracker.seedtables.importers import SPECS

    parsed = reading.read("big.xlsx", data, SPECS["risks"].layout, SPECS["risks"].keys)
    assert not parsed.errors and len(parsed.rows) == 6000
