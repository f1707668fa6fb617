import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.helpers import make_initiative
from tracker.problems.tables import Problem
from tracker.risks.tables import Risk

PROBLEMS_CSV = (
    "title,category,impact,urgency,root cause category,5 whys,status,owner e-mail\n"
    "Approval has too many steps,efficiency,4,5,method,Slow; three sign-offs,open,lead@alpha.example.com\n"
    "Orders keyed twice,quality,3,2,people,,analysing,\n"
)


def _zip_without_workbook() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


ZIP_WITHOUT_WORKBOOK = _zip_without_workbook()


async def upload(client, path, filename, data, **extra):
    return await client.post(path, files={"file": (filename, data)}, data=extra)


async def confirm(client, path, preview):
    import re

    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)
    filename = re.search(r'name="filename" value="([^"]*)"', preview.text).group(1)
    return await client.post(path, data={"payload": payload, "filename": filename, "confirm": "1"})


async def test_problem_import_previews_then_writes_and_never_duplicates(world):
    initiative = await make_initiative(world.a)
    path = f"/o/alpha/initiatives/{initiative}/import/problems"
    async with world.client(world.a, "member") as client:
        assert (await client.get(path)).status_code == 200
        preview = await upload(client, path, "problems.csv", PROBLEMS_CSV.encode())
        assert preview.status_code == 200 and "2 rows are ready to import" in preview.text
        assert not await Problem.exists().where(
            Problem.initiative == initiative
        )  # preview writes nothing
        done = await confirm(client, path, preview)
        assert done.status_code == 303
        again = await upload(
            client, path, "problems.csv", PROBLEMS_CSV.replace(",4,5,", ",2,5,").encode()
        )
        assert (
            "1 updates an existing row" not in again.text and "2 update existing rows" in again.text
        )
        await confirm(client, path, again)
    rows = await Problem.select().where(Problem.initiative == initiative).order_by(Problem.title)
    assert len(rows) == 2
    assert rows[0]["impact"] == 2 and rows[0]["owner"] == world.a.people["lead"]
    assert rows[0]["whys"] == "Slow\nthree sign-offs"


async def test_gbk_encoded_chinese_csv(world):
    initiative = await make_initiative(world.a)
    text = "问题,问题类别,影响范围,紧急程度,根因类别,状态\n审批环节过多,效率,4,5,法,未解决\n报表格式调整,质量,1,1,人,暂缓\n"
    path = f"/o/alpha/initiatives/{initiative}/import/problems"
    async with world.client(world.a, "lead") as client:
        preview = await upload(client, path, "问题.csv", text.encode("gbk"))
        assert preview.status_code == 200, preview.text
        await confirm(client, path, preview)
    rows = {r["title"]: r for r in await Problem.select().where(Problem.initiative == initiative)}
    assert (
        rows["审批环节过多"]["category"] == "efficiency"
        and rows["审批环节过多"]["fishbone"] == "method"
    )
    assert rows["报表格式调整"]["status"] == "deferred"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("p.csv", b"name,colour\nx,y\n", "This column is missing."),
        ("p.csv", b"title,category,impact,urgency\nA,efficiency,four,9\n", "Score from 1 to 5."),
        (
            "p.csv",
            b"title,category,impact,urgency\n=cmd|' /C calc'!A0,efficiency,3,3\n",
            "Formulas are not accepted",
        ),
        (
            "p.csv",
            b"title,category,impact,urgency\nA,efficiency,3,3\nA,quality,2,2\n",
            "appears twice",
        ),
        ("p.csv", b"\xff\xfe\x81\x9f", "neither UTF-8 nor GBK"),
        ("p.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text file"),
        ("p.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "This is not a text file"),
        ("p.xlsx", ZIP_WITHOUT_WORKBOOK, "not a readable XLSX"),
        ("p.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("p.xlsx", b"not a zip", "not a readable XLSX"),
        (
            "p.csv",
            b"title,category,impact,urgency\n" + b"x,efficiency,3,3\n" * 150_000,
            "larger than 2 MB",
        ),
        (
            "p.csv",
            b"title,category,impact,urgency,owner\nA,efficiency,3,3,stranger@example.com\n",
            "No member",
        ),
    ],
)
async def test_bad_files_write_nothing(world, filename, data, message):
    initiative = await make_initiative(world.a)
    path = f"/o/alpha/initiatives/{initiative}/import/problems"
    async with world.client(world.a, "lead") as client:
        response = await upload(client, path, filename, data)
        # a forged confirmation of an invalid file writes nothing either
        import base64

        forged = await client.post(
            path,
            data={"payload": base64.b64encode(data).decode(), "filename": filename, "confirm": "1"},
        )
    assert response.status_code == 422 and message in response.text
    assert forged.status_code == 422
    assert not await Problem.exists().where(Problem.initiative == initiative)


async def test_risk_import_from_xlsx(world):
    initiative = await make_initiative(world.a)
    book = Workbook()
    sheet = book.active
    sheet.append(["风险", "类别", "可能性", "影响程度", "应对策略", "复核日期"])
    sheet.append(["Data hard to collect", "data", 3, 4, "Name data owners", "2030-01-31"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = f"/o/alpha/initiatives/{initiative}/import/risks"
    async with world.client(world.a, "lead") as client:
        preview = await upload(client, path, "risks.xlsx", buffer.getvalue())
        assert preview.status_code == 200, preview.text
        await confirm(client, path, preview)
    risk = await Risk.select().where(Risk.initiative == initiative).first()
    assert (risk["likelihood"], risk["impact"], risk["review_date"].isoformat()) == (
        3,
        4,
        "2030-01-31",
    )


async def test_import_needs_write_rights_and_membership(world):
    initiative = await make_initiative(world.a)
    path = f"/o/alpha/initiatives/{initiative}/import/problems"
    async with world.client(world.a, "viewer") as client:
        assert (await client.get(path)).status_code == 403
        assert (
            await upload(client, path, "p.csv", PROBLEMS_CSV.encode(), confirm="1")
        ).status_code == 403
    async with world.client(world.b, "admin") as client:
        assert (
            await client.get(f"/o/beta/initiatives/{initiative}/import/problems")
        ).status_code == 404
        response = await upload(
            client,
            f"/o/beta/initiatives/{initiative}/import/problems",
            "p.csv",
            PROBLEMS_CSV.encode(),
        )
        assert response.status_code == 404
    assert not await Problem.exists().where(Problem.initiative == initiative)


@pytest.mark.parametrize(
    "register", ["problems", "measures", "pilots", "feedback", "risks", "resistance"]
)
async def test_every_register_exports_csv_and_xlsx_with_translated_headers(world, register):
    initiative = await make_initiative(world.a, name='=HYPERLINK("http://evil")')
    async with world.client(world.a, "lead") as client:
        await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data={
                "title": "=1+1 formula title",
                "category": "quality",
                "impact": "3",
                "urgency": "3",
            },
        )
        await client.post(
            f"/o/alpha/initiatives/{initiative}/risks",
            data={
                "description": "Weak support",
                "category": "organisation",
                "likelihood": "3",
                "impact": "5",
            },
        )
        csv_response = await client.get(
            f"/o/alpha/initiatives/{initiative}/export/{register}?format=csv"
        )
        xlsx_response = await client.get(
            f"/o/alpha/initiatives/{initiative}/export/{register}?format=xlsx",
            headers={"accept-language": "zh-CN"},
        )
    assert (
        csv_response.status_code == 200
        and "attachment" in csv_response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0]
    if register == "problems":
        assert (
            rows[0][:3] == ["Problem", "Description", "Category"]
            and rows[1][0] == "'=1+1 formula title"
        )
    if register == "pilots":
        assert rows[0] == [
            "Pilot process",
            "Pilot scope",
            "Key metric",
            "Before",
            "After",
            "Change %",
            "Target",
            "Target met",
            "Satisfaction (1–5)",
            "Unmet problems and cause",
        ]
    book = load_workbook(io.BytesIO(xlsx_response.content))
    header = [c.value for c in book.active[1]]
    assert all(isinstance(h, str) and h for h in header)
    if register == "risks":
        assert header[0] == "风险" and book.active["A2"].value == "Weak support"


async def test_export_outsider_and_unknown_register(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.b, "admin") as client:
        assert (
            await client.get(f"/o/beta/initiatives/{initiative}/export/problems")
        ).status_code == 404
    async with world.client(world.a, "viewer") as client:
        assert (
            await client.get(f"/o/alpha/initiatives/{initiative}/export/problems")
        ).status_code == 200
        assert (
            await client.get(f"/o/alpha/initiatives/{initiative}/export/secrets")
        ).status_code == 404
        assert (
            await client.get(f"/o/alpha/initiatives/{initiative}/export/problems?format=pdf")
        ).status_code == 404
