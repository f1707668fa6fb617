"""Malformed requests, missing CSRF tokens, security headers: clear errors, nothing written."""

import httpx

from tests.helpers import initiative_form
from tracker.initiatives.tables import Initiative


def bare_client(world, org=None, role=None, csrf=False):
    cookies = {}
    if org is not None:
        cookies["tracker_session"] = org.tokens[role]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi), base_url="http://testserver", cookies=cookies
    )


UNSAFE = [
    ("/signup", {}),
    ("/login", {}),
    ("/logout", {}),
    ("/account/password", {}),
    ("/language", {"language": "en"}),
    ("/orgs", {"org_name": "x"}),
    ("/o/alpha/initiatives", None),
    ("/o/alpha/initiatives/1/edit", None),
    ("/o/alpha/settings/invitations", {"email": "a@b.co", "role": "viewer"}),
    ("/o/alpha/settings/members/1/role", {"role": "admin"}),
    ("/o/alpha/settings/members/1/remove", {}),
    ("/o/alpha/settings/invitations/1/revoke", {}),
    ("/invite/sometoken", {}),
]


async def test_every_unsafe_route_refuses_a_missing_csrf_token(world):
    before = await Initiative.count()
    async with bare_client(world, world.a, "admin") as client:
        for path, data in UNSAFE:
            response = await client.post(
                path, data=data if data is not None else initiative_form(world.a)
            )
            assert response.status_code == 403, path
            assert "Your form has expired" in response.text
    assert await Initiative.count() == before


async def test_a_wrong_csrf_token_is_refused(world):
    async with bare_client(world, world.a, "admin") as client:
        client.cookies.set("csrftoken", "0" * 128)
        response = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a),
            headers={"x-csrftoken": "0" * 128},
        )
    assert response.status_code == 403


async def test_unknown_org_slug_and_unknown_routes(world):
    async with world.client(world.a, "admin") as client:
        assert (await client.get("/o/nope/")).status_code == 404
        assert (await client.get("/o/nope/initiatives/1")).status_code == 404
        assert (
            await client.post("/o/nope/initiatives", data=initiative_form(world.a))
        ).status_code == 404
        assert (await client.get("/no/such/page")).status_code == 404
        response = await client.get(
            "/o/alpha/initiatives/999999999", headers={"accept": "application/json"}
        )
        assert response.status_code == 404 and response.json()["status_code"] == 404


async def test_malformed_bodies_get_clear_errors(world):
    before = await Initiative.count()
    async with world.client(world.a, "lead") as client:
        empty = await client.post(
            "/o/alpha/initiatives",
            content=b"",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        garbage = await client.post(
            "/o/alpha/initiatives",
            content=b"%%%&&&===\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        huge_number = await client.post(
            "/o/alpha/initiatives",
            data=initiative_form(world.a, goal_baseline="1e400", goal_target="nan"),
        )
    assert empty.status_code == 422 and "Name the initiative." in empty.text
    assert garbage.status_code in (400, 422)
    assert huge_number.status_code == 422 and "Enter a number." in huge_number.text
    assert await Initiative.count() == before


async def test_security_headers_on_pages(world):
    async with world.client(world.a, "viewer") as client:
        response = await client.get("/o/alpha/")
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "unsafe-inline" not in csp
    )
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_health(world):
    async with world.client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
