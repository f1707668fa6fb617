from tracker.accounts.tables import Membership, Organisation


async def test_orgs_page_lists_only_my_organisations(world):
    async with world.client(world.a, "lead") as client:
        response = await client.get("/orgs")
    assert response.status_code == 200
    assert "/o/alpha/" in response.text and "/o/beta/" not in response.text


async def test_create_another_organisation_and_switch(world):
    slug = f"second-{world.backend}"
    async with world.client(world.a, "member") as client:
        response = await client.post("/orgs", data={"org_name": "Second", "org_slug": slug})
        assert response.status_code == 303
        board = await client.get(f"/o/{slug}/")
        assert board.status_code == 200
        # the switcher lists both organisations with the role held in each
        assert "/o/alpha/" in board.text and f"/o/{slug}/" in board.text
        assert "Team member" in board.text and "Admin" in board.text
        home = await client.get("/")
        assert home.headers["location"] == "/orgs"  # several organisations: choose
    org = await Organisation.select().where(Organisation.slug == slug).first()
    role = await Membership.select(Membership.role).where(Membership.org == org["id"]).first()
    assert role["role"] == "admin"


async def test_create_organisation_errors(world):
    async with world.client(world.a, "member") as client:
        response = await client.post("/orgs", data={"org_name": "", "org_slug": "beta"})
    assert response.status_code == 422
    assert "Name the organisation." in response.text


async def test_unknown_and_foreign_slugs_look_the_same(world):
    async with world.client(world.a, "admin") as client:
        unknown = await client.get("/o/no-such-org/")
        foreign = await client.get("/o/beta/")
    assert unknown.status_code == foreign.status_code == 404
    assert "Org beta" not in foreign.text
