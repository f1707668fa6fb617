"""Issue 17, finding 1: the CSRF exemptions of the app's own paths (/healthz, /readyz, /static,
/api/) must not reach an organisation whose address contains those words, and addresses that
collide with the app's own paths are refused."""

import re

import httpx
import pytest
import pytest_asyncio

from tests.conftest import make_org
from tracker.accounts.rules import RESERVED_SLUGS, is_valid_slug
from tracker.accounts.tables import Invitation, Organisation
from tracker.api.tables import ApiToken

# Addresses the old unanchored patterns matched; created behind the app's back (as an
# organisation made before the reservation would be).
LOOK_ALIKES = ("healthz", "static-co", "readyz-inc", "api")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def look_alikes(world):
    from tracker.auth import hash_password

    password_hash = await hash_password(world.password)
    orgs = {}
    for slug in LOOK_ALIKES:
        if not await Organisation.exists().where(Organisation.slug == slug):
            orgs[slug] = await make_org(slug, password_hash)
    return orgs


def no_csrf_client(world, org):
    """Signed in as the organisation's admin, with no CSRF cookie or token at all."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app),
        base_url="http://testserver",
        cookies={"tracker_session": org.tokens["admin"]},
    )


@pytest.mark.parametrize("slug", LOOK_ALIKES)
async def test_a_post_without_csrf_token_is_refused_whatever_the_address(world, look_alikes, slug):
    org = look_alikes[slug]
    async with no_csrf_client(world, org) as client:
        token = await client.post(
            f"/o/{slug}/settings/api-tokens", data={"name": "x", "scope": "write"}
        )
        invite = await client.post(
            f"/o/{slug}/settings/invitations", data={"email": "evil@example.com", "role": "admin"}
        )
    assert token.status_code == 403, token.text[:300]
    assert invite.status_code == 403
    assert "Your form has expired" in token.text
    assert await ApiToken.count().where(ApiToken.org == org.id) == 0
    assert await Invitation.count().where(Invitation.org == org.id) == 0


@pytest.mark.parametrize("slug", ["healthz", "readyz", "static", "api", "login", "orgs"])
async def test_an_address_of_the_app_s_own_paths_is_refused_with_a_reason(world, slug):
    before = await Organisation.count()
    async with world.client(world.a, "member") as client:
        response = await client.post("/orgs", data={"org_name": "Look-alike", "org_slug": slug})
    assert response.status_code == 422
    assert "This address is reserved by the application; choose another." in response.text
    assert await Organisation.count() == before


def test_reserved_addresses_cover_every_top_level_path_of_the_app():
    from tracker.app import create_app

    app = create_app()
    tops = set()
    for route in app.routes:
        top = route.path.strip("/").split("/")[0]
        if top and not top.startswith("{"):
            tops.add(top)
    assert tops <= RESERVED_SLUGS, tops - RESERVED_SLUGS
    for slug in ("static-co", "readyz-inc", "healthz-team", "api-group"):
        assert is_valid_slug(slug)  # merely containing a word is allowed, and harmless


def test_the_exemption_patterns_match_only_the_app_s_own_paths():
    from tracker.app import CSRF_EXEMPT

    pattern = re.compile("|".join(CSRF_EXEMPT))
    for path in ("/healthz", "/readyz", "/static/app.css", "/api/v1/kpis/1/measurements"):
        assert pattern.findall(path), path
    for slug in (*LOOK_ALIKES, "readyz", "x-api"):
        for rest in ("settings/api-tokens", "api/", "static/x", "healthz"):
            assert not pattern.findall(f"/o/{slug}/{rest}"), (slug, rest)
