"""The audit trail: a change made through a page, the API or a hand-written query shows, field
by field and with who made it, on the record's History and on the admins' audit page; filters,
exports in English and Chinese, secrets never recorded, entries that cannot be changed, and
pages whose query count does not grow with the entries."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest

from tests.helpers import initiative_row, make_initiative
from tests.integration.api.test_api import api, token_for
from tests.integration.initiatives.test_edit import edit_form
from tests.integration.kpis.test_kpis import make_kpi
from tracker import db
from tracker.audit.tables import AuditEntry


async def entries_of(table: str, row_id: int) -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.table_name == table) & (AuditEntry.row_id == row_id))
        .order_by(AuditEntry.id)
    )


async def test_a_change_through_a_page_shows_on_the_history_and_the_audit_page(world):
    initiative = await make_initiative(world.a, name="Audit me", status="on_track")
    row = await initiative_row(initiative)
    async with world.client(world.a, "lead") as lead:
        saved = await lead.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, name="Audited 审计", status="at_risk"),
        )
        assert saved.status_code == 303
        history = await lead.get(f"/o/alpha/history/initiative/{initiative}")
    assert history.status_code == 200
    text = history.text
    assert "Lead of alpha" in text
    # the form's labels, the choice's label, old → new
    assert (
        '<span class="audit-field">Status</span>: <span class="audit-old">On track</span> → <span class="audit-new">At risk</span>'
        in text
    )
    assert (
        '<span class="audit-old">Audit me</span> → <span class="audit-new">Audited 审计</span>'
        in text
    )
    [update] = [e for e in await entries_of("initiative", initiative) if e["operation"] == "update"]
    assert update["person"] == world.a.people["lead"] and update["token"] is None
    async with world.client(world.a, "admin") as admin:
        page = await admin.get("/o/alpha/settings/audit")
        assert page.status_code == 200 and "Audited 审计" in page.text
        settings = await admin.get("/o/alpha/settings/members")
        assert "/o/alpha/settings/audit" in settings.text
        detail = await admin.get(f"/o/alpha/initiatives/{initiative}")
        assert f"/o/alpha/history/initiative/{initiative}" in detail.text
    async with world.client(
        world.a,
        "lead",
    ) as lead:
        zh = await lead.get(
            f"/o/alpha/history/initiative/{initiative}", headers={"accept-language": "zh-CN"}
        )
    assert "Lead of alpha" in zh.text and "历史" in zh.text


async def test_a_change_through_the_api_names_the_token(world):
    initiative = await make_initiative(world.a)
    kpi = await make_kpi(world, world.a, initiative)
    writer = await token_for(world, world.a, "write", name="ERP audit")
    day = (date.today() - timedelta(days=3)).isoformat()
    async with api(world, writer) as client:
        written = await client.post(
            f"/kpis/{kpi}/measurements",
            json={"measurements": [{"measured_on": day, "value": 2.75}]},
        )
    assert written.status_code == 201, written.text
    async with world.client(world.a, "viewer") as viewer:
        history = await viewer.get(f"/o/alpha/history/kpi/{kpi}")
    assert history.status_code == 200
    assert "API · ERP audit" in history.text and "2.75" in history.text and day in history.text
    rows = await AuditEntry.select().where(  # this KPI's: other tests (the demo) write 2.75 too
        AuditEntry.table_name == "kpi_measurement",
        AuditEntry.subject_table == "kpi",
        AuditEntry.subject_id == kpi,
    )
    mine = [r for r in rows if "2.75" in str(r["changes"])]
    assert len(mine) == 1 and mine[0]["token"] is not None and mine[0]["person"] is None
    async with world.client(world.a, "admin") as admin:
        page = await admin.get("/o/alpha/settings/audit", params={"kind": "kpis"})
    assert "API · ERP audit" in page.text


async def test_a_hand_written_query_is_recorded_too(world):
    initiative = await make_initiative(world.a)
    with db.acting(world.a.people["member"]):
        await db.fetch(
            "UPDATE initiative SET sponsor = {} WHERE id = {}", "Raw SQL sponsor", initiative
        )
    [entry] = [e for e in await entries_of("initiative", initiative) if e["operation"] == "update"]
    assert "Raw SQL sponsor" in str(entry["changes"])
    if world.backend == "sqlite":  # on PostgreSQL the actor comes from the request's transaction
        assert entry["person"] == world.a.people["member"]


async def test_secrets_are_recorded_as_changed_without_values(world):
    token = await token_for(world, world.a, "read", name="Secret check")
    [entry] = [
        e
        for e in await AuditEntry.select().where(AuditEntry.table_name == "api_token")
        if "Secret check" in str(e["changes"])
    ]
    stored = str(entry["changes"])
    assert '"token_hash": "secret"' in stored.replace('":"', '": "')
    from tracker.api.tokens import hash_token

    assert hash_token(token) not in stored and token not in stored
    async with world.client(world.a, "admin") as admin:
        page = await admin.get("/o/alpha/settings/audit", params={"kind": "api_tokens"})
    assert "changed (secret, not recorded)" in page.text and hash_token(token) not in page.text


async def test_outsiders_and_other_roles(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get("/o/alpha/settings/audit")).status_code == 404
        assert (await outsider.get("/o/alpha/settings/audit/export/csv")).status_code == 404
        assert (await outsider.get(f"/o/alpha/history/initiative/{initiative}")).status_code == 404
        # another organisation's record through one's own organisation: a missing record
        assert (await outsider.get(f"/o/beta/history/initiative/{initiative}")).status_code == 404
        assert (await outsider.get("/o/beta/history/nothing/1")).status_code == 404
        assert (await outsider.get("/o/beta/history/kpi/99999999999")).status_code == 404
    for role in ("lead", "committee", "member", "viewer"):
        async with world.client(world.a, role) as client:
            assert (await client.get("/o/alpha/settings/audit")).status_code == 403, role
            export = await client.get("/o/alpha/settings/audit/export/xlsx")
            assert export.status_code == 403, role
            history = await client.get(f"/o/alpha/history/initiative/{initiative}")
            assert history.status_code == 200, role


async def test_filters_by_person_kind_and_dates(world):
    initiative = await make_initiative(world.a, name="Filter target")
    row = await initiative_row(initiative)
    async with world.client(world.a, "admin") as admin:
        await admin.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, sponsor="Sponsor by admin"),
        )
        by_admin = await admin.get(
            "/o/alpha/settings/audit", params={"person": world.a.people["admin"]}
        )
        by_viewer = await admin.get(
            "/o/alpha/settings/audit", params={"person": world.a.people["viewer"]}
        )
        other_kind = await admin.get("/o/alpha/settings/audit", params={"kind": "risks"})
        today = date.today().isoformat()
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        within = await admin.get("/o/alpha/settings/audit", params={"since": yesterday})
        before = await admin.get("/o/alpha/settings/audit", params={"until": yesterday})
        bad = await admin.get("/o/alpha/settings/audit", params={"since": "last week"})
        backwards = await admin.get(
            "/o/alpha/settings/audit", params={"since": today, "until": yesterday}
        )
    assert "Sponsor by admin" in by_admin.text
    assert "Sponsor by admin" not in by_viewer.text
    assert "Sponsor by admin" not in other_kind.text
    assert "Sponsor by admin" in within.text and "Sponsor by admin" not in before.text
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text
    assert backwards.status_code == 422 and 'value="last week"' not in backwards.text


async def test_exports_in_english_and_chinese(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)
    async with world.client(world.a, "admin") as admin:
        await admin.post(
            f"/o/alpha/initiatives/{initiative}/edit",
            data=edit_form(world, row, sponsor="=HYPERLINK(1)"),
        )
        csv_en = await admin.get(
            "/o/alpha/settings/audit/export/csv", params={"kind": "initiatives"}
        )
        csv_zh = await admin.get(
            "/o/alpha/settings/audit/export/csv", headers={"accept-language": "zh-CN"}
        )
        xlsx = await admin.get(
            "/o/alpha/settings/audit/export/xlsx", headers={"accept-language": "zh-CN"}
        )
        assert (await admin.get("/o/alpha/settings/audit/export/pdf")).status_code == 404
    assert csv_en.status_code == 200 and csv_en.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_en.headers["content-disposition"]
    lines = csv_en.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "When (UTC),Who,Record,Record id,Change,Field,Before,After"
    assert "'=HYPERLINK(1)" in csv_en.text  # formula-safe, through the one writer
    assert "Admin of alpha" in csv_en.text
    header_zh = csv_zh.content.decode("utf-8-sig").splitlines()[0]
    assert header_zh.startswith("时间") and "Who" not in header_zh
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    first = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert first[0].startswith("时间") and len(first) == 8


async def test_entries_cannot_be_changed_or_removed(world):
    await make_initiative(world.a)
    if world.backend == "postgres":
        import asyncpg

        connection = await asyncpg.connect(world.database_url)
        try:
            async with connection.transaction():
                await connection.execute("SET LOCAL ROLE tracker_app")
                await connection.execute(
                    "SELECT set_config('app.tenant_id', $1, true)", str(world.a.id)
                )
                seen = await connection.fetchval("SELECT count(*) FROM audit_entry")
                assert seen > 0  # the app's role reads its organisation's entries
                for statement in (
                    "UPDATE audit_entry SET changes = '{}'",
                    "DELETE FROM audit_entry",
                ):
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        async with connection.transaction():
                            await connection.execute(statement)
        finally:
            await connection.close()
    else:
        for statement in ("UPDATE audit_entry SET changes = '{}'", "DELETE FROM audit_entry"):
            with pytest.raises(Exception, match="audit entries cannot be"):
                await db.fetch(statement)
    assert await AuditEntry.count() > 0


async def test_page_queries_do_not_grow_with_the_entries(world):
    initiative = await make_initiative(world.a)
    row = await initiative_row(initiative)

    async def queries(path: str) -> int:
        async with world.client(world.a, "admin") as admin:
            with db.count_queries() as counter:
                page = await admin.get(path)
            assert page.status_code == 200
        return counter.count

    async def edits(n: int) -> None:
        nonlocal row
        async with world.client(world.a, "admin") as admin:
            for i in range(n):
                row = await initiative_row(initiative)
                owner = world.a.people["admin" if i % 2 else "lead"]
                saved = await admin.post(
                    f"/o/alpha/initiatives/{initiative}/edit",
                    data=edit_form(world, row, sponsor=f"Sponsor {i}", owner=str(owner)),
                )
                assert saved.status_code == 303, (
                    i,
                    [line for line in saved.text.splitlines() if "error" in line],
                )

    await edits(2)
    paths = [f"/o/alpha/history/initiative/{initiative}", "/o/alpha/settings/audit"]
    small = [await queries(p) for p in paths]
    await edits(60)  # more than a page: the next page is a keyset link
    large = [await queries(p) for p in paths]
    assert small == large, (small, large)
    async with world.client(world.a, "admin") as admin:
        first = await admin.get(paths[0])
        assert 'rel="next"' in first.text
        next_link = first.text.split('href="?after=')[1].split('"')[0]
        second = await admin.get(f"{paths[0]}?after={next_link}")
    assert second.status_code == 200 and "Sponsor 0" in second.text + first.text
