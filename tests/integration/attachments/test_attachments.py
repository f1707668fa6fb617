"""Attachments on both databases and both storage back-ends: byte-for-byte round trips (a
20 MiB file too, with the app's memory measured), refusals with a clear message beside the
field (21 MiB, HTML named .pdf, binary text, NUL bytes), odd names, the headers of a download,
an outsider's 404, the roles, the permanent gate record and published SOP versions, and the
bytes removed with the attachment."""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import make_initiative
from tests.integration.attachments import files
from tests.integration.attachments.files import MIB, Body, call, upload
from tracker.attachments.tables import Attachment
from tracker.gates.tables import GateReview
from tracker.settings import get_settings
from tracker.sops.tables import SopVersion
from tracker.uploads import blobs
from tracker.uploads.tables import StoredFile, StoredFileChunk


@pytest.fixture(params=["database", "directory"])
def backend(request, monkeypatch, tmp_path) -> Path | None:
    """The storage back-end new files go to, as the settings choose it."""
    root = tmp_path / "attachments" if request.param == "directory" else None
    settings = replace(get_settings(), attachments_dir=root)
    monkeypatch.setattr(blobs, "get_settings", lambda: settings)
    return root


async def kept(org) -> list[dict]:
    return (
        await Attachment.select(
            Attachment.id,
            Attachment.item,
            Attachment.created_by,
            Attachment.file,
            Attachment.file.filename,
            Attachment.file.size,
            Attachment.file.sha256,
            Attachment.file.storage,
        )
        .where(Attachment.org == org.id)
        .order_by(Attachment.id)
    )


async def clean(org) -> None:
    await Attachment.delete().where(Attachment.org == org.id)
    await StoredFileChunk.delete().where(StoredFileChunk.org == org.id)
    await StoredFile.delete().where(StoredFile.org == org.id)


async def test_files_round_trip_byte_for_byte_with_safe_headers(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    criteria = await files.criteria(ids["review"])
    gbk = "工序,时长\n受理,30\n".encode("gbk")
    cases = [
        ("problem", "证据 报告.pdf", files.pdf(), {}),
        ("pilot", "问卷结果.csv", gbk, {}),
        ("review", "scan.png", files.png(), {"item": str(criteria[1])}),
        ("sop_version", "form.docx", files.docx(), {}),
    ]
    for kind, name, data, fields in cases:
        answer = await upload(world, org, "member", kind, ids[kind], Body(name, data, fields))
        assert answer.status == 303, answer.text
        assert answer.headers["location"].endswith("#attachments")
    rows = await kept(org)
    assert [r["file.filename"] for r in rows] == [c[1] for c in cases]
    assert rows[2]["item"] == criteria[1]
    assert {r["file.storage"] for r in rows} == {"directory" if backend else "database"}
    for row, (_kind, _name, data, _fields) in zip(rows, cases, strict=True):
        got = await call(world, org, "viewer", "GET", f"/o/alpha/attachments/{row['id']}")
        assert got.status == 200
        assert got.size == len(data) and got.sha256 == row["file.sha256"]
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-security-policy"].startswith("sandbox")
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=")
        assert "filename*=UTF-8''" in disposition
    assert (
        "filename*=UTF-8''%E8%AF%81%E6%8D%AE%20%E6%8A%A5%E5%91%8A.pdf"
        in (
            await call(world, org, "viewer", "GET", f"/o/alpha/attachments/{rows[0]['id']}")
        ).headers["content-disposition"]
    )
    text = await call(world, org, "viewer", "GET", f"/o/alpha/attachments/{rows[1]['id']}")
    assert text.headers["content-type"] == "text/plain; charset=gbk"
    preview = await call(
        world, org, "viewer", "GET", f"/o/alpha/attachments/{rows[2]['id']}?view=inline"
    )
    assert preview.headers["content-disposition"].startswith("inline;")
    assert preview.headers["content-type"] == "image/png"
    office = await call(
        world, org, "viewer", "GET", f"/o/alpha/attachments/{rows[3]['id']}?view=inline"
    )
    assert office.headers["content-disposition"].startswith("attachment;")  # never inline
    page = await call(
        world, org, "viewer", "GET", f"/o/alpha/attachments/on/review/{ids['review']}"
    )
    assert "scan.png" in page.text and "Questionnaire results" in page.text
    assert "Member of alpha" in page.text  # who attached it
    assert 'type="file"' not in page.text  # a viewer downloads, never uploads
    await clean(org)


async def test_a_20_mib_file_round_trips_without_the_memory_growing(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    size = 20 * MIB
    body = Body("big.pdf", files.large_pdf_chunks(size), file_size=size)
    gc.collect()
    tracemalloc.start()
    try:
        answer = await upload(world, org, "lead", "problem", ids["problem"], body)
        _current, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        row = (await kept(org))[0]
        got = await call(world, org, "viewer", "GET", f"/o/alpha/attachments/{row['id']}")
        _current, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.status == 303, answer.text
    assert body.size == size and row["file.size"] == size and row["file.sha256"] == body.sha256
    assert got.status == 200 and got.size == size and got.sha256 == body.sha256
    print(f"upload peak {upload_peak / MIB:.1f} MiB, download peak {download_peak / MIB:.1f} MiB")
    assert upload_peak < 4 * MIB  # streamed to a temporary file, kept chunk by chunk
    assert download_peak < 4 * MIB  # read chunk by chunk, sent as read (behind the wall too)
    if backend is None:
        chunks = await StoredFileChunk.count().where(StoredFileChunk.file == row["file"])
        assert chunks == size // blobs.CHUNK
    else:
        assert (
            backend / str(org.id) / row["file.sha256"][:2] / row["file.sha256"]
        ).stat().st_size == size
    await clean(org)


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "streamed"])
async def test_a_21_mib_file_is_refused_with_a_clear_message(world, backend, announce):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    size = 21 * MIB
    body = Body("big.pdf", files.large_pdf_chunks(size), file_size=size)
    answer = await upload(world, org, "lead", "problem", ids["problem"], body, announce=announce)
    assert answer.status == 413
    assert "The file is larger than 20 MB." in answer.text
    assert 'id="attach-file-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert await kept(org) == []
    assert not await StoredFile.exists().where(StoredFile.org == org.id)
    if backend is not None:
        assert not backend.exists() or not any(p.is_file() for p in backend.rglob("*"))


REFUSALS = [
    ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "a web page"),
    ("report.txt", b"<html><body>hello</body></html>", "a web page"),
    ("photo.png", files.pdf(), "its content is PDF"),
    ("notes.txt", b"abc\x00def\n", "binary bytes such as NUL"),
    ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00", "cannot be attached"),
    ("empty.csv", b"", "The file is empty."),
    ("broken.docx", b"PK\x03\x04garbage", "not a readable DOCX file"),
    ("cut.pdf", b"%PDF-1.7\n1 0 obj", "not a readable PDF file"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_content_decides_not_the_name(world, backend, name, data, message):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    answer = await upload(world, org, "member", "pilot", ids["pilot"], Body(name, data))
    assert answer.status == 422
    assert message in answer.text
    assert await kept(org) == []


async def test_odd_names_are_kept_safely(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    odd = [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\报告 “终稿”.txt", "报告 “终稿”.txt"),
        ('a"b;c\r\nX-Evil: 1.txt', 'a"b;cX-Evil: 1.txt'),
        ("tab\tname\x7f.txt", "tabname.txt"),
    ]
    for name, _ in odd:
        answer = await upload(world, org, "member", "problem", ids["problem"], Body(name, b"ok\n"))
        assert answer.status == 303, (name, answer.text)
    rows = await kept(org)
    assert [r["file.filename"] for r in rows] == [k for _, k in odd]
    evil = await call(world, org, "member", "GET", f"/o/alpha/attachments/{rows[2]['id']}")
    assert "x-evil" not in evil.headers
    assert evil.headers["content-disposition"].startswith('attachment; filename="a_b_c')
    same = await call(
        world, org, "member", "GET", f"/o/alpha/attachments/on/problem/{ids['problem']}"
    )
    assert "a&#34;b;cX-Evil: 1.txt" in same.text or "a&quot;b;cX-Evil: 1.txt" in same.text
    nul_field = await upload(
        world, org, "member", "review", ids["review"], Body("a.txt", b"x\n", {"item": "1\x002"})
    )
    assert nul_field.status == 400
    await clean(org)


async def test_outsiders_get_404_and_change_nothing(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    await upload(world, org, "member", "problem", ids["problem"], Body("a.pdf", files.pdf()))
    row = (await kept(org))[0]
    outsider = world.b
    for method, path, body in [
        ("GET", f"/o/beta/attachments/{row['id']}", None),
        ("GET", f"/o/beta/attachments/{row['id']}?view=inline", None),
        ("POST", f"/o/beta/attachments/{row['id']}/delete", None),
        ("GET", f"/o/beta/attachments/on/problem/{ids['problem']}", None),
        ("POST", f"/o/beta/attachments/on/problem/{ids['problem']}", Body("x.pdf", files.pdf())),
        ("GET", f"/o/alpha/attachments/{row['id']}", None),
    ]:
        answer = await call(world, outsider, "admin", method, path, body, csrf_header=True)
        assert answer.status == 404, (method, path, answer.status)
    assert [r["id"] for r in await kept(org)] == [row["id"]]
    assert not await Attachment.exists().where(Attachment.org == outsider.id)
    await clean(org)


async def test_roles_upload_download_and_remove(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    problem = ids["problem"]
    for role in ("admin", "lead", "committee", "member"):
        answer = await upload(world, org, role, "problem", problem, Body(f"{role}.txt", b"hi\n"))
        assert answer.status == 303, role
    refused = await upload(world, org, "viewer", "problem", problem, Body("v.txt", b"hi\n"))
    assert refused.status == 403
    rows = {r["file.filename"]: r for r in await kept(org)}
    assert set(rows) == {"admin.txt", "lead.txt", "committee.txt", "member.txt"}
    viewer_page = await call(
        world, org, "viewer", "GET", f"/o/alpha/attachments/on/problem/{problem}"
    )
    assert "Remove" not in viewer_page.text and "admin.txt" in viewer_page.text
    for role in ("viewer", "member", "committee"):
        answer = await call(
            world, org, role, "GET", f"/o/alpha/attachments/{rows['lead.txt']['id']}"
        )
        assert answer.status == 200 and answer.size == 3
    delete = "/o/alpha/attachments/{}/delete"

    async def remove(role: str, name: str) -> int:
        return (
            await call(world, org, role, "POST", delete.format(rows[name]["id"]), csrf_header=True)
        ).status

    assert await remove("viewer", "member.txt") == 403
    assert await remove("member", "lead.txt") == 403  # not theirs
    assert await remove("committee", "member.txt") == 403
    assert await remove("member", "member.txt") == 303  # their own
    assert await remove("lead", "committee.txt") == 303  # a lead removes anyone's
    assert await remove("admin", "lead.txt") == 303
    assert {r["file.filename"] for r in await kept(org)} == {"admin.txt"}
    no_token = await call(world, org, "admin", "POST", delete.format(rows["admin.txt"]["id"]))
    assert no_token.status == 403
    await clean(org)


async def test_the_upload_needs_the_csrf_token_before_the_file(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    without = Body("a.txt", b"hi\n", csrf=False)
    answer = await upload(world, org, "admin", "problem", ids["problem"], without)
    assert answer.status == 403
    forged = Body("a.txt", b"hi\n", {"_csrf_token": "x" * 80}, csrf=False)
    assert (await upload(world, org, "admin", "problem", ids["problem"], forged)).status == 403
    header_only = Body("a.txt", b"hi\n", csrf=False)
    answer = await upload(
        world, org, "admin", "problem", ids["problem"], header_only, csrf_header=True
    )
    assert answer.status == 303
    assert len(await kept(org)) == 1
    await clean(org)


async def test_files_of_a_decided_review_and_a_published_version_are_permanent(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    criteria = await files.criteria(ids["review"])
    evidence = Body("evidence.pdf", files.pdf(), {"item": str(criteria[0])})
    await upload(world, org, "lead", "review", ids["review"], evidence)
    await upload(
        world, org, "lead", "sop_version", ids["sop_version"], Body("form.pdf", files.pdf())
    )
    await GateReview.update({GateReview.status: "decided"}).where(GateReview.id == ids["review"])
    await SopVersion.update({SopVersion.status: "published"}).where(
        SopVersion.id == ids["sop_version"]
    )
    rows = await kept(org)
    for row in rows:
        gone = await call(
            world,
            org,
            "admin",
            "POST",
            f"/o/alpha/attachments/{row['id']}/delete",
            csrf_header=True,
        )
        assert gone.status == 409
        assert "permanent" in gone.text or "never changes" in gone.text
    for kind in ("review", "sop_version"):
        page = await call(world, org, "admin", "GET", f"/o/alpha/attachments/on/{kind}/{ids[kind]}")
        assert page.status == 200 and "Remove" not in page.text and 'type="file"' not in page.text
        more = await upload(world, org, "admin", kind, ids[kind], Body("more.pdf", files.pdf()))
        assert more.status == 409
    assert [r["id"] for r in await kept(org)] == [r["id"] for r in rows]
    got = await call(world, org, "viewer", "GET", f"/o/alpha/attachments/{rows[0]['id']}")
    assert got.status == 200 and got.sha256 == rows[0]["file.sha256"]
    await clean(org)


async def test_removing_removes_the_bytes_and_shared_content_stays_while_used(world, backend):
    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    data = files.pdf(b"shared content\n")
    for kind in ("problem", "pilot"):
        assert (
            await upload(world, org, "lead", kind, ids[kind], Body("same.pdf", data))
        ).status == 303
    first, second = await kept(org)
    assert first["file.sha256"] == second["file.sha256"]
    path = (
        backend / str(org.id) / first["file.sha256"][:2] / first["file.sha256"] if backend else None
    )
    delete = "/o/alpha/attachments/{}/delete"
    assert (
        await call(world, org, "lead", "POST", delete.format(first["id"]), csrf_header=True)
    ).status == 303
    assert not await StoredFile.exists().where(StoredFile.id == first["file"])
    assert not await StoredFileChunk.exists().where(StoredFileChunk.file == first["file"])
    if path is not None:
        assert path.exists()  # the other attachment still holds this content
    else:
        assert await StoredFileChunk.exists().where(StoredFileChunk.file == second["file"])
    assert (
        await call(world, org, "lead", "POST", delete.format(second["id"]), csrf_header=True)
    ).status == 303
    if path is not None:
        assert not path.exists()
    assert not await StoredFileChunk.exists().where(StoredFileChunk.org == org.id)
    assert not await StoredFile.exists().where(StoredFile.org == org.id)


async def test_attachments_count_against_the_storage_quota(world, backend, monkeypatch):
    from tracker.uploads import storage

    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    monkeypatch.setattr(storage, "quota_bytes", lambda: 100)
    answer = await upload(
        world, org, "lead", "problem", ids["problem"], Body("a.pdf", files.pdf(b"x" * 200))
    )
    assert answer.status == 422
    assert "storage for uploaded files is full" in answer.text
    assert await kept(org) == []
    monkeypatch.undo()
    await upload(world, org, "lead", "problem", ids["problem"], Body("a.pdf", files.pdf()))
    admin_files = await call(world, org, "admin", "GET", "/o/alpha/settings/files")
    assert "a.pdf" in admin_files.text
    file_id = (await kept(org))[0]["file"]
    removed = await call(
        world, org, "admin", "POST", f"/o/alpha/settings/files/{file_id}/delete", csrf_header=True
    )
    assert removed.status == 303
    assert len(await kept(org)) == 1  # an attachment is removed where it is attached
    await clean(org)


async def test_the_files_panel_and_its_pages_make_a_fixed_number_of_queries(world):
    """The panel (alone, and as htmx loads it into the page) and the subject's own page: the
    same number of queries with one file as with twelve."""
    from tracker.db import count_queries

    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    criteria = await files.criteria(ids["review"])
    paths = {
        "panel": f"/o/alpha/attachments/on/review/{ids['review']}",
        "review": f"/o/alpha/reviews/{ids['review']}",
        "problem": f"/o/alpha/problems/{ids['problem']}",
    }

    async def counts() -> dict[str, int]:
        result = {}
        async with world.client(org, "admin") as client:
            for name, path in paths.items():
                for fragment in (False, True):
                    headers = {"HX-Request": "true"} if fragment else {}
                    with count_queries() as counted:
                        response = await client.get(path, headers=headers)
                    assert response.status_code == 200, path
                    result[f"{name}{'-fragment' if fragment else ''}"] = counted.count
        return result

    async def attach(n: int) -> None:
        for i in range(n):
            item = {"item": str(criteria[i % 2])}
            body = Body(f"f{i}.pdf", files.pdf(), item)
            assert (await upload(world, org, "member", "review", ids["review"], body)).status == 303
            body = Body(f"p{i}.txt", b"x\n")
            assert (
                await upload(world, org, "member", "problem", ids["problem"], body)
            ).status == 303

    await attach(1)
    few = await counts()
    await attach(11)
    many = await counts()
    assert many == few, (few, many)
    await clean(org)


async def test_the_files_of_many_subjects_come_in_one_query(world, backend):
    """For a thread (the comments, at merge): every subject's files at once, none of another
    organisation's."""
    from tracker.attachments import service
    from tracker.db import count_queries
    from tracker.tenancy import TenantScope

    org = world.a
    await clean(org)
    ids = await files.subjects(org, await make_initiative(org))
    other = await files.subjects(org, await make_initiative(org))
    for problem, name in (
        (ids["problem"], "a.txt"),
        (ids["problem"], "b.txt"),
        (other["problem"], "c.txt"),
    ):
        assert (
            await upload(world, org, "member", "problem", problem, Body(name, b"x\n"))
        ).status == 303
    with count_queries() as counted:
        found = await service.for_subjects(
            TenantScope(org.id), "problem", [ids["problem"], other["problem"], 0]
        )
    assert counted.count == 1
    assert [r["file.filename"] for r in found[ids["problem"]]] == ["a.txt", "b.txt"]
    assert [r["file.filename"] for r in found[other["problem"]]] == ["c.txt"]
    assert found[0] == []
    assert (await service.for_subjects(TenantScope(world.b.id), "problem", [ids["problem"]])) == {
        ids["problem"]: []
    }
    await clean(org)
