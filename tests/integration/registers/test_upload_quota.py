"""Uploads within a per-organisation storage quota: each import keeps its file, a file that
does not fit is refused with a clear message (nothing imported), admins see the usage and
remove files to make room; another organisation's files are out of reach."""

import base64

import pytest

from tests.helpers import make_initiative
from tests.integration.registers.test_export_import import PROBLEMS_CSV, confirm, upload
from tracker.problems.tables import Problem
from tracker.uploads import storage
from tracker.uploads.tables import StoredFile


@pytest.fixture
def small_quota(monkeypatch):
    size = len(PROBLEMS_CSV.encode())
    monkeypatch.setattr(storage, "quota_bytes", lambda: size + size // 2)
    return size


async def test_imports_keep_their_file_within_the_quota(world, small_quota):
    await StoredFile.delete().where(StoredFile.org == world.a.id)
    first = await make_initiative(world.a)
    second = await make_initiative(world.a)
    async with world.client(world.a, "lead") as lead:
        path = f"/o/alpha/initiatives/{first}/import/problems"
        done = await confirm(
            lead, path, await upload(lead, path, "problems.csv", PROBLEMS_CSV.encode())
        )
        assert done.status_code == 303
        kept = await StoredFile.select().where(StoredFile.org == world.a.id)
        assert [(f["filename"], f["size"], f["kind"]) for f in kept] == [
            ("problems.csv", small_quota, "import")
        ]
        assert kept[0]["content"] == PROBLEMS_CSV.encode()
        path = f"/o/alpha/initiatives/{second}/import/problems"
        full = await upload(lead, path, "problems.csv", PROBLEMS_CSV.encode())
        assert full.status_code == 422
        assert "storage for uploaded files is full" in full.text
        assert "Settings › Uploaded files" in full.text
        payload = base64.b64encode(PROBLEMS_CSV.encode()).decode()
        forced = await lead.post(
            path, data={"payload": payload, "filename": "problems.csv", "confirm": "1"}
        )
        assert forced.status_code == 422
    assert not await Problem.exists().where(Problem.initiative == second)
    async with world.client(world.b, "admin") as outsider:
        foreign = await outsider.post(f"/o/beta/settings/files/{kept[0]['id']}/delete")
        assert foreign.status_code == 404
    async with world.client(world.a, "member") as member:
        assert (await member.get("/o/alpha/settings/files")).status_code == 403
    async with world.client(world.a, "admin") as admin:
        page = await admin.get("/o/alpha/settings/files")
        assert page.status_code == 200 and "problems.csv" in page.text
        removed = await admin.post(f"/o/alpha/settings/files/{kept[0]['id']}/delete")
        assert removed.status_code == 303
    assert not await StoredFile.exists().where(StoredFile.org == world.a.id)
    async with world.client(world.a, "lead") as lead:
        again = await upload(lead, path, "problems.csv", PROBLEMS_CSV.encode())
        assert again.status_code == 200


async def test_the_number_of_kept_files_is_limited_too(world, monkeypatch):
    from tracker.tenancy import TenantScope

    monkeypatch.setattr(storage, "MAX_FILES", 1)
    scope = TenantScope(world.b.id)
    await StoredFile.delete().where(StoredFile.org == world.b.id)
    await storage.keep(scope, "import", "a.csv", b"a\n", world.b.people["admin"])
    with pytest.raises(storage.QuotaExceeded) as full:
        await storage.keep(scope, "import", "b.csv", b"b\n", world.b.people["admin"])
    assert "keeps 1 files, the most it may" in full.value.message
    assert await storage.usage(scope) == 2
    await StoredFile.delete().where(StoredFile.org == world.b.id)
