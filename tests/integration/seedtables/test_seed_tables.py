"""Every seed table leaves the app with the seed's column names in the seed's order (issue 18):
in Chinese for a Chinese reader, in English for an English one, as XLSX and as CSV."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.helpers import make_initiative
from tracker.demo_program import seed_sop
from tracker.kpis.tables import Kpi, KpiMeasurement, OptimisationEntry
from tracker.pilots.tables import Pilot, PilotMetric
from tracker.problems.tables import AsIsStep, Measure, Problem
from tracker.risks.tables import Risk
from tracker.sops.tables import RaciRole, SopVersion

# The seeds' own headers (../shared/seeds, as issue 18 lists them), in order.
CHINESE = {
    "as-is-survey": "流程名称 涉及部门 当前步骤简述（按顺序） 责任岗位 单步耗时（分钟） 存在问题 具体问题描述",
    "matrix": "问题 影响范围 紧急程度 象限",
    "design": "优化目标 问题点 具体优化措施 责任部门 完成时间 预期效果（量化指标）",
    "pilot-evaluation": "试点流程 试点范围 关键指标 优化前数据 优化后数据 差异率 满意度（1-5分） 未达标问题及原因",
    "risks": "风险 风险表现 应对策略",
    "kpi-monitoring": "指标名称 计算公式 数据来源 监控频率 目标值 实际值 责任部门",
    "optimisation-log": "优化日期 流程名称 优化背景 具体措施 效果评估 负责人 备注",
    "sop-steps": "流程步骤 责任部门/人 操作说明 输入文档/信息 输出文档/信息 时间要求 关键控制点",
    "sop-basic": "步骤编号 步骤名称",
    "standardisation": "流程名称 责任岗位 流程步骤 操作规范 输入要求 输出要求 时间节点 相关表单/工具",
    "task-assignment": "流程步骤 执行部门/岗位 负责人 协助人 完成时限 输出成果 验收标准",
    "version-log": "流程ID 流程名称 版本号 生效日期 修改内容摘要 修改人 审核人 备注",
    "process-inventory": "流程名称 所属部门 当前版本 流程负责人 关键节点（按顺序） 问题描述 优化建议",
}
# The same columns for an English reader, in the same order.
ENGLISH = {
    "as-is-survey": ["Process name", "Departments involved", "Current steps (in order)",
                     "Responsible post", "Time per step (minutes)", "Problems found",
                     "Problem details"],
    "matrix": ["Problem", "Scope of impact", "Urgency", "Quadrant"],
    "design": ["Optimisation goal", "Problem point", "Specific optimisation measure",
               "Responsible department", "Completion date", "Expected effect (quantified)"],
    "pilot-evaluation": ["Pilot process", "Pilot scope", "Key indicator", "Data before",
                         "Data after", "Difference rate", "Satisfaction (1-5)",
                         "Unmet problems and causes"],
    "risks": ["Risk", "Risk manifestation", "Response strategy"],
    "kpi-monitoring": ["Indicator name", "Formula", "Data source", "Monitoring frequency",
                       "Target value", "Actual value", "Responsible department"],
    "optimisation-log": ["Optimisation date", "Process name", "Optimisation background",
                         "Specific measures", "Effect evaluation", "Person in charge", "Remarks"],
    "sop-steps": ["Process step", "Responsible department/person", "Operating instructions",
                  "Input documents/information", "Output documents/information",
                  "Time requirement", "Key control point"],
    "sop-basic": ["Step number", "Step name"],
    "standardisation": ["Process name", "Responsible post", "Process step", "Operating standard",
                        "Input requirements", "Output requirements", "Time node",
                        "Related forms/tools"],
    "task-assignment": ["Process step", "Executing department/post", "Responsible person",
                        "Assisting person", "Time limit", "Output", "Acceptance criterion"],
    "version-log": ["Process ID", "Process name", "Version number", "Effective date",
                    "Summary of changes", "Changed by", "Reviewed by", "Remarks"],
    "process-inventory": ["Process name", "Department", "Current version", "Process owner",
                          "Key nodes (in order)", "Problem description",
                          "Optimisation suggestions"],
}  # fmt: skip
# seed 001's labelled block above its steps, in order
BLOCK = {
    "zh-CN": "流程名称 流程编号 版本号 生效日期 编制人 审核人 批准人 适用范围".split(),
    "en": ["Process name", "Process number", "Version number", "Effective date", "Prepared by",
           "Reviewed by", "Approved by", "Scope of application"],
}  # fmt: skip
# the RACI grid has no seed of its own: a step a row (after its number), a role a column (the
# roles' own names), the rule's problems last
RACI = {"zh-CN": ("编号", "步骤", "问题"), "en": ("No.", "Step", "Problems")}
INITIATIVE_TABLES = [
    "as-is-survey",
    "matrix",
    "design",
    "pilot-evaluation",
    "risks",
    "kpi-monitoring",
    "optimisation-log",
]
_numbers = itertools.count(1)  # SOP numbers are unique in an organisation
SOP_TABLES = ["sop-steps", "sop-basic", "standardisation", "task-assignment", "version-log"]


async def _programme(org) -> tuple[int, int]:
    """An initiative with a row in every register, and a revised SOP (V1.0, V1.1)."""
    initiative = await make_initiative(org, phase=4, name="投诉处理优化", departments="客服部")
    o, today = org.id, date.today()
    problem = (
        await Problem.insert(
            Problem(
                org=o, initiative=initiative, title="审批环节多", description="三级签字",
                category="efficiency", impact=4, urgency=5,
            )
        )
    )[0]["id"]  # fmt: skip
    await AsIsStep.insert(
        AsIsStep(org=o, problem=problem, position=1, step="接收投诉", role="客服专员", minutes=10,
                 kinds="efficiency,coordination"),
        AsIsStep(org=o, problem=problem, position=2, step="分类分级", role="主管", minutes=30,
                 kinds="quality"),
        AsIsStep(org=o, problem=problem, position=3, step="归档", role="客服专员", minutes=5),
    )  # fmt: skip
    await Measure.insert(
        Measure(
            org=o, initiative=initiative, goal="缩短处理时长", problem=problem,
            measure="合并审批", department="客服部", completion_date=today,
            expected_effect="时长缩短30%",
        )
    )  # fmt: skip
    await Risk.insert(
        Risk(
            org=o, initiative=initiative, description="高层支持不足", category="organisation",
            likelihood=3, impact=5, mitigation="定期汇报",
        )
    )  # fmt: skip
    pilot = (
        await Pilot.insert(
            Pilot(
                org=o, initiative=initiative, process="投诉处理", scope="华东区", start_date=today
            )
        )
    )[0]["id"]
    await PilotMetric.insert(
        PilotMetric(org=o, pilot=pilot, name="处理时长", direction="lower", baseline=48, result=24)
    )
    kpi = (
        await Kpi.insert(
            Kpi(
                org=o, initiative=initiative, name="投诉处理时长", formula="总时长/件数",
                data_source="工单系统", frequency="weekly", target=24, threshold=30,
                department="客服部",
            )
        )
    )[0]["id"]  # fmt: skip
    await KpiMeasurement.insert(
        KpiMeasurement(org=o, kpi=kpi, measured_on=today - timedelta(days=7), value=28.5),
        KpiMeasurement(org=o, kpi=kpi, measured_on=today, value=26.0),
    )
    await OptimisationEntry.insert(
        OptimisationEntry(
            org=o, initiative=initiative, logged_on=today, process="投诉处理",
            background="时长过长", measures="合并审批", effect="缩短一半", owner="张三",
        )
    )  # fmt: skip
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    document = await seed_sop(o, initiative, f"SOP-ST-{next(_numbers):04d}", "客户投诉处理", people, today, "revised", lang="zh_Hans")  # fmt: skip
    version = await SopVersion.select(SopVersion.id).where(SopVersion.document == document).order_by(SopVersion.minor, ascending=False).first()  # fmt: skip
    assert version is not None
    return initiative, version["id"]


def _csv_header(content: bytes, first: str) -> list[str]:
    assert content.startswith("\ufeff".encode())  # a byte-order mark: Excel reads UTF-8
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return next(line for line in lines if line and line[0] == first)


def _xlsx_header(content: bytes, first: str) -> tuple[list, object]:
    """The header row (which must stay in view: the panes are frozen below it) and the sheet."""
    sheet = load_workbook(io.BytesIO(content)).active
    for line, row in enumerate(sheet.iter_rows(), start=1):
        values = [c.value for c in row]
        if values and values[0] == first:
            assert sheet.freeze_panes == f"A{line + 1}"
            return [v for v in values if v is not None], sheet
    raise AssertionError(f"no header starting with {first}")


def _url(key: str, initiative: int, version: int, format: str) -> str:
    if key == "raci":
        return f"/o/alpha/sop-versions/{version}/raci.{format}"
    if key in SOP_TABLES:
        return f"/o/alpha/sop-versions/{version}/tables/{key}?format={format}"
    if key == "process-inventory":
        return f"/o/alpha/tables/process-inventory?format={format}"
    return f"/o/alpha/initiatives/{initiative}/tables/{key}?format={format}"


async def _expected(key: str, language: str, version: int) -> list[str]:
    if key == "raci":
        roles = await RaciRole.select(RaciRole.name).where(RaciRole.version == version).order_by(RaciRole.position)  # fmt: skip
        number, step, problems = RACI[language]
        return [number, step, *(r["name"] for r in roles), problems]
    return CHINESE[key].split() if language == "zh-CN" else ENGLISH[key]


ALL_TABLES = [*INITIATIVE_TABLES, *SOP_TABLES, "process-inventory", "raci"]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("key", ALL_TABLES)
async def test_each_table_has_the_seeds_columns_in_order_in_both_languages(world, key, language):
    """Every table of issue 18's list, as XLSX and as CSV (UTF-8 with a byte-order mark):
    the seed's columns in the seed's order, in the reader's language."""
    initiative, version = await _programme(world.a)
    expected = await _expected(key, language, version)
    headers = {"accept-language": language}
    async with world.client(world.a, "viewer") as client:
        xlsx = await client.get(_url(key, initiative, version, "xlsx"), headers=headers)
        csv_response = await client.get(_url(key, initiative, version, "csv"), headers=headers)
    for response in (xlsx, csv_response):
        assert response.status_code == 200, (key, response.text[:300])
        assert "attachment" in response.headers["content-disposition"]
    header, sheet = _xlsx_header(xlsx.content, expected[0])
    assert header[: len(expected)] == expected
    assert sheet.max_row >= int(sheet.freeze_panes[1:])  # a row of data below the header
    assert _csv_header(csv_response.content, expected[0])[: len(expected)] == expected
    if key == "sop-basic":  # seed 001: the labelled block above the steps, in its order
        labels = [r[0] for r in csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))) if r]  # fmt: skip
        at = labels.index(BLOCK[language][0])
        assert labels[at : at + len(BLOCK[language])] == BLOCK[language]


async def test_values_land_in_their_columns_as_dates_and_numbers(world):
    initiative, version = await _programme(world.a)
    zh = {"accept-language": "zh-CN"}
    async with world.client(world.a, "lead") as client:
        kpis = await client.get(
            f"/o/alpha/initiatives/{initiative}/tables/kpi-monitoring", headers=zh
        )
        design = await client.get(f"/o/alpha/initiatives/{initiative}/tables/design", headers=zh)
        basic = await client.get(f"/o/alpha/sop-versions/{version}/tables/sop-basic", headers=zh)
    _, sheet = _xlsx_header(kpis.content, "指标名称")
    row = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "投诉处理时长")]
    assert row[:7] == ["投诉处理时长", "总时长/件数", "工单系统", "每周", 24, 26, "客服部"]
    _, sheet = _xlsx_header(design.content, "优化目标")
    row = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "缩短处理时长")]
    assert row[1:4] == ["审批环节多", "合并审批", "客服部"]
    assert row[4].date() == date.today()  # a date cell, not text
    # seed 001: the labelled block above the steps
    sheet = load_workbook(io.BytesIO(basic.content)).active
    block = {r[0].value: r[1].value for r in sheet.iter_rows() if r[0].value and len(r) > 1}
    assert block["流程编号"].startswith("SOP-ST-") and block["版本号"] == "V1.1"
    assert block["流程名称"] == "客户投诉处理"


async def test_the_programme_file_has_a_sheet_per_table_with_data_named_as_in_the_seeds(world):
    initiative, _ = await _programme(world.a)
    async with world.client(world.a, "viewer") as client:
        response = await client.get(
            f"/o/alpha/initiatives/{initiative}/programme.xlsx",
            headers={"accept-language": "zh-CN"},
        )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    names = book.sheetnames
    for title in ("运营流程现状调研表", "流程优化方案设计表", "试点效果评估表", "流程监控指标表"):
        assert title in names, names
    assert any(n.startswith("流程基本信息") for n in names)
    assert any(n.startswith("流程优化记录表（版本管理）") for n in names)
    # the RACI grid of the SOP, and the initiative's rows of the process inventory
    raci = next(book[n] for n in names if n.startswith("RACI"))
    header = next(r for r in raci.iter_rows(values_only=True) if r[0] == "编号")
    assert header[:2] == ("编号", "步骤") and header[-1] == "问题"
    processes = book["业务流程梳理表"]
    rows = [r for r in processes.iter_rows(values_only=True) if r[0] == "客户投诉处理"]
    assert len(rows) == 1  # this initiative's process, none of another initiative
    for sheet in book.worksheets:
        assert sheet.freeze_panes, sheet.title  # headers stay in view


async def test_an_initiative_without_records_gives_blank_forms_to_fill_in(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        response = await client.get(f"/o/alpha/initiatives/{initiative}/programme.xlsx")
        empty = await client.get(f"/o/alpha/initiatives/{initiative}/tables/design?format=csv")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(INITIATIVE_TABLES)
    assert all(sheet.max_row == 3 for sheet in book.worksheets)  # title, initiative, header
    assert _csv_header(empty.content, "Optimisation goal")  # the header, no rows


async def test_outsiders_unknown_tables_and_formats_get_404(world):
    initiative, version = await _programme(world.a)
    found = await SopVersion.select(SopVersion.document.number).where(SopVersion.id == version).first()  # fmt: skip
    assert found is not None
    number = found["document.number"]
    async with world.client(world.b, "admin") as client:
        for key in ALL_TABLES:
            for format in ("xlsx", "csv"):
                url = _url(key, initiative, version, format).replace("alpha", "beta")
                if key == "process-inventory":  # beta's own processes, none of alpha's
                    own = await client.get(url)
                    assert own.status_code == 200 and number.encode() not in own.content
                    continue
                assert (await client.get(url)).status_code == 404, url
        assert (await client.get(f"/o/beta/initiatives/{initiative}/programme.xlsx")).status_code == 404  # fmt: skip
    async with world.client(world.a, "admin") as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}/tables/nope")).status_code == 404  # fmt: skip
        assert (await client.get(f"/o/alpha/sop-versions/{version}/tables/design")).status_code == 404  # fmt: skip
        bad_format = f"/o/alpha/initiatives/{initiative}/tables/design?format=pdf"
        assert (await client.get(bad_format)).status_code == 404


async def test_the_pages_link_their_seed_tables(world):
    """Each table downloads, as XLSX and as CSV, from the page where it lives."""
    initiative, version = await _programme(world.a)
    i, v = f"/o/alpha/initiatives/{initiative}", f"/o/alpha/sop-versions/{version}"
    pages = {
        f"{i}/problems": ["as-is-survey"],
        f"{i}/matrix": ["matrix"],
        f"{i}/measures": ["design"],
        f"{i}/pilots": ["pilot-evaluation"],
        f"{i}/risks": ["risks"],
        f"{i}/kpis": ["kpi-monitoring", "optimisation-log"],
        v: [*SOP_TABLES, "raci"],
        "/o/alpha/sops": ["process-inventory"],
        "/o/alpha/processes": ["process-inventory"],
    }
    async with world.client(world.a, "viewer") as client:
        for page, keys in pages.items():
            response = await client.get(page)
            assert response.status_code == 200, page
            for key in keys:
                for format in ("xlsx", "csv"):
                    link = _url(key, initiative, version, format)
                    assert f'href="{link}"' in response.text, (page, link)
                    assert (await client.get(link)).status_code == 200, link
        programme = await client.get(i)
        assert f'href="{i}/programme.xlsx"' in programme.text


async def test_the_sop_version_as_a_word_document_holds_its_steps_in_the_seeds_layout(world):
    from docx import Document

    _, version = await _programme(world.a)
    async with world.client(world.a, "viewer") as client:
        response = await client.get(
            f"/o/alpha/sop-versions/{version}/document.docx", headers={"accept-language": "zh-CN"}
        )
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "流程基本信息" in text and "流程优化记录表（版本管理）" in text
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    basic = {row[0]: row[1] for row in tables[0]}
    assert basic["流程名称"] == "客户投诉处理" and basic["版本号"] == "V1.1"
    steps = tables[1]
    assert steps[0] == CHINESE["sop-steps"].split() and len(steps) > 2
    log = tables[-1]
    assert log[0] == CHINESE["version-log"].split()
    assert [row[2] for row in log[1:]] == ["V1.0", "V1.1"]
    async with world.client(world.b, "admin") as client:
        outsider = await client.get(f"/o/beta/sop-versions/{version}/document.docx")
    assert outsider.status_code == 404


async def test_the_sop_version_as_pdf_holds_its_chinese_steps_with_embedded_fonts(world):
    from pypdf import PdfReader

    _, version = await _programme(world.a)
    async with world.client(world.a, "viewer") as client:
        response = await client.get(
            f"/o/alpha/sop-versions/{version}/document.pdf", headers={"accept-language": "zh-CN"}
        )
    async with world.client(world.b, "admin") as client:
        outsider = await client.get(f"/o/beta/sop-versions/{version}/document.pdf")
    assert outsider.status_code == 404
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "客户投诉处理" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor") or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]  # fmt: skip
            descriptor = descriptor.get_object()
            fonts.add(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts == {True}  # every font embedded: the PDF prints the same anywhere


async def test_the_programme_file_and_the_word_document_open_in_libreoffice(world, tmp_path):
    """A real office suite opens them: LibreOffice headless converts each to PDF."""
    import asyncio
    import shutil
    import subprocess

    from pypdf import PdfReader

    from tests.conftest import need

    soffice = shutil.which("soffice")
    need("LibreOffice (soffice)", soffice is not None)
    initiative, version = await _programme(world.a)
    async with world.client(world.a, "viewer") as client:
        zh = {"accept-language": "zh-CN"}
        workbook = await client.get(f"/o/alpha/initiatives/{initiative}/programme.xlsx", headers=zh)  # fmt: skip
        document = await client.get(f"/o/alpha/sop-versions/{version}/document.docx", headers=zh)  # fmt: skip
    (tmp_path / "programme.xlsx").write_bytes(workbook.content)
    (tmp_path / "sop.docx").write_bytes(document.content)
    sheets = len(load_workbook(io.BytesIO(workbook.content)).sheetnames)
    for name in ("programme.xlsx", "sop.docx"):
        done = await asyncio.to_thread(
            subprocess.run,
            [soffice, "--headless", "--norestore",
             f"-env:UserInstallation=file://{tmp_path}/profile",
             "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / name)],
            capture_output=True, timeout=180, check=False,
        )  # fmt: skip
        pdf = tmp_path / name.replace(".xlsx", ".pdf").replace(".docx", ".pdf")
        assert done.returncode == 0 and pdf.exists(), done.stderr
        reader = PdfReader(str(pdf))
        assert len(reader.pages) >= (sheets if name.endswith("xlsx") else 1)
        text = "".join(page.extract_text() for page in reader.pages)
        assert "客户投诉处理" in text or "投诉处理" in text
