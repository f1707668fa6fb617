"""The JSON API: tokens created by admins (shown once, stored hashed, revocable, scoped),
reads of initiatives and registers, measurement writes, JSON errors, and the wall between
organisations."""

import re
from datetime import date, timedelta

import httpx

from tests.helpers import make_initiative
from tests.integration.kpis.test_kpis import make_kpi
from tracker.api.tables import ApiToken
from tracker.kpis.tables import KpiAlert, KpiMeasurement


async def token_for(world, org, scope="read", name="Finance BI"):
    async with world.client(org, "admin") as client:
        page = await client.post(
            f"/o/{org.slug}/settings/api-tokens", data={"name": name, "scope": scope}
        )
    assert page.status_code == 201, page.text
    return re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)


def api(world, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi),
        base_url="http://testserver/api/v1",
        headers=headers,
    )


async def test_tokens_are_shown_once_stored_hashed_and_revocable(world):
    token = await token_for(world, world.a)
    row = await ApiToken.select().where(ApiToken.prefix == token[:10]).first()
    assert row["token_hash"] != token and token not in str(row)
    async with world.client(world.a, "admin") as client:
        listing = await client.get("/o/alpha/settings/api-tokens")
        assert token[:10] in listing.text and token not in listing.text
    async with api(world, token) as client:
        assert (await client.get("/initiatives")).status_code == 200
    async with world.client(world.a, "admin") as client:
        await client.post(f"/o/alpha/settings/api-tokens/{row['id']}/revoke")
    async with api(world, token) as client:
        refused = await client.get("/initiatives")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API token is not valid or has been revoked."
    async with world.client(world.a, "lead") as client:
        assert (await client.get("/o/alpha/settings/api-tokens")).status_code == 403
        made = await client.post("/o/alpha/settings/api-tokens", data={"name": "x"})
        assert made.status_code == 403
    async with world.client(world.b, "admin") as outsider:
        revoke = await outsider.post(f"/o/beta/settings/api-tokens/{row['id']}/revoke")
        assert revoke.status_code == 404


async def test_reads_are_scoped_to_the_token_organisation(world):
    mine = await make_initiative(world.a, phase=3, name="API visible 接口")
    theirs = await make_initiative(world.b, phase=2, name="Beta secret")
    token = await token_for(world, world.a)
    async with api(world, token) as client:
        listing = (await client.get("/initiatives", params={"limit": 200})).json()
        names = {i["name"] for i in listing["items"]}
        assert "API visible 接口" in names and "Beta secret" not in names
        detail = (await client.get(f"/initiatives/{mine}")).json()
        assert detail["current_phase"] == 3 and len(detail["phases"]) >= 3
        assert detail["goal"]["baseline"] == 48.0
        assert (await client.get(f"/initiatives/{mine}/phases")).status_code == 200
        assert (await client.get(f"/initiatives/{mine}/gate-decisions")).json() == []
        assert (await client.get(f"/initiatives/{mine}/problems")).status_code == 200
        assert (await client.get(f"/initiatives/{mine}/risks")).status_code == 200
        for path in ("", "/phases", "/gate-decisions", "/problems", "/risks", "/kpis"):
            other = await client.get(f"/initiatives/{theirs}{path}")
            assert other.status_code == 404, path
            assert other.json() == {
                "status_code": 404,
                "detail": "Not found in this organisation.",
            }
        by_phase = (await client.get("/initiatives", params={"phase": 3})).json()
        assert all(i["current_phase"] == 3 for i in by_phase["items"])


async def test_writing_measurements_needs_the_write_scope_and_is_all_or_nothing(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    reader = await token_for(world, world.a, "read")
    writer = await token_for(world, world.a, "write", name="ERP")
    days = [(date.today() - timedelta(days=k)).isoformat() for k in (3, 2, 1)]
    body = {
        "measurements": [
            {"measured_on": d, "value": v} for d, v in zip(days, (2.8, 3.6, 3.0), strict=True)
        ]
    }
    async with api(world, reader) as client:
        refused = await client.post(f"/kpis/{kpi}/measurements", json=body)
        assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    async with api(world, writer) as client:
        written = await client.post(f"/kpis/{kpi}/measurements", json=body)
        assert written.status_code == 201, written.text
        assert written.json()["created"] == 3 and written.json()["alerts_raised"] == 1
        again = await client.post(
            f"/kpis/{kpi}/measurements",
            json={
                "measurements": [
                    {"measured_on": date.today().isoformat(), "value": 1},
                    {"measured_on": days[0], "value": 1},
                ]
            },
        )
        assert again.status_code == 409 and "nothing was written" in again.json()["detail"]
        listing = (await client.get(f"/kpis/{kpi}/measurements")).json()
        assert [m["value"] for m in listing["items"]] == [2.8, 3.6, 3.0]
        assert [m["breached"] for m in listing["items"]] == [False, True, False]
        assert (await client.get(f"/initiatives/{initiative}/kpis")).json()[0]["open_alerts"] == 1
        everything = (await client.get("/kpis", params={"initiative_id": initiative})).json()
        assert everything["total"] == 1 and everything["items"][0]["id"] == kpi
        assert everything["items"][0]["open_alerts"] == 1
    assert await KpiMeasurement.count().where(KpiMeasurement.kpi == kpi) == 3
    assert await KpiAlert.count().where(KpiAlert.kpi == kpi) == 1
    assert await KpiMeasurement.count().where(KpiMeasurement.source == "api") >= 3


async def test_malformed_requests_get_json_errors(world):
    initiative = await make_initiative(world.a, phase=6)
    kpi = await make_kpi(world, world.a, initiative)
    writer = await token_for(world, world.a, "write")
    outsider = await token_for(world, world.b, "write")
    async with api(world) as client:
        missing = await client.get("/initiatives")
        assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    async with api(world, "trk_not-a-real-token") as client:
        assert (await client.get("/initiatives")).status_code == 401
    async with api(world, writer) as client:
        cases = [
            b"{not json",
            b'{"measurements": []}',
            b'{"measurements": [{"measured_on": "yesterday", "value": 1}]}',
            b'{"measurements": [{"measured_on": "2026-01-01", "value": "high"}]}',
            b'{"measurements": [{"measured_on": "2026-01-01", "value": 1, "extra": 1}]}',
            b"[]",
        ]
        for raw in cases:
            response = await client.post(
                f"/kpis/{kpi}/measurements",
                content=raw,
                headers={"content-type": "application/json"},
            )
            assert response.status_code == 400, (raw, response.text)
            detail = response.json()["detail"]
            assert detail and "Traceback" not in detail, raw
        future = (date.today() + timedelta(days=3)).isoformat()
        ahead = await client.post(
            f"/kpis/{kpi}/measurements",
            json={"measurements": [{"measured_on": future, "value": 1}]},
        )
        assert ahead.status_code == 422 and "future" in ahead.json()["detail"]
        as_text = await client.post(
            f"/kpis/{kpi}/measurements",
            content=b'{"measurements": [{"measured_on": "2026-01-01", "value": 1}]}',
            headers={"content-type": "text/plain"},
        )
        assert as_text.status_code == 415 and "application/json" in as_text.json()["detail"]
        huge = await client.post(
            f"/kpis/{kpi}/measurements",
            content=b'{"measurements": [' + b'{"measured_on": "2026-01-01", "value": 1},' * 3000,
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413 and "KiB" in huge.json()["detail"]
        too_many = await client.get("/initiatives", params={"limit": 5000})
        assert too_many.status_code == 400
        unknown = await client.get("/nowhere")
        assert unknown.status_code == 404 and unknown.json()["status_code"] == 404
    assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)
    async with api(world, outsider) as client:
        crossing = await client.post(
            f"/kpis/{kpi}/measurements",
            json={"measurements": [{"measured_on": "2026-01-01", "value": 1}]},
        )
        assert crossing.status_code == 404
        assert (await client.get(f"/kpis/{kpi}")).status_code == 404
        assert (await client.get(f"/kpis/{kpi}/measurements")).status_code == 404
        theirs = (await client.get("/kpis", params={"limit": 200})).json()["items"]
        assert kpi not in {k["id"] for k in theirs}
    assert not await KpiMeasurement.exists().where(KpiMeasurement.kpi == kpi)


async def test_openapi_document_and_docs_page(world):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi), base_url="http://testserver"
    ) as client:
        document = (await client.get("/api/v1/schema/openapi.json")).json()
        docs = await client.get("/api/v1/docs")
    assert document["info"]["title"] == "Improvement tracker API"
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    assert "post" in document["paths"]["/api/v1/kpis/{kpi_id}/measurements"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert docs.status_code == 200 and "GET /api/v1/initiatives" in docs.text
    # every answer the API gives is declared (issue 17, finding 8)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"200" if method == "get" else "201", "400", "401"} <= declared, path
            if "{" in path:
                assert "404" in declared, path
    post = document["paths"]["/api/v1/kpis/{kpi_id}/measurements"]["post"]
    assert {"403", "409", "413", "415", "422"} <= set(post["responses"])
    direction = document["components"]["schemas"]["Goal"]["properties"]["direction"]
    assert direction["enum"] == ["lower", "higher"] and "oneOf" not in direction
    assert document["components"]["schemas"]["NewMeasurement"]["additionalProperties"] is False
