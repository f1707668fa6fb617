"""The suite's PostgreSQL half is the production path: requests run as the walled role."""

from tracker import db


async def test_requests_run_behind_the_wall_and_the_tests_read_as_the_owner(world):
    async with world.client() as client:
        ready = (await client.get("/readyz")).json()
    if world.backend == "sqlite":
        assert "tenant_wall" not in ready  # the embedded default has no wall
        return
    assert ready["tenant_wall"] == "on (tracker_app)"
    # the test's own reads go through the owner's pool: they see every organisation
    rows = await db.current_engine().run_ddl("SELECT current_user AS role")
    assert rows[0]["role"] != "tracker_app"
    orgs = await db.fetch(
        "SELECT id FROM organisation WHERE id IN ({}, {})", world.a.id, world.b.id
    )
    assert len(orgs) == 2


async def test_a_request_sees_only_its_own_organisation_at_the_database(world):
    """Behind the wall the database itself refuses another organisation's rows: a request
    for alpha's board counts only alpha's initiatives even through hand-written SQL."""
    if world.backend == "sqlite":
        return
    async with db.tenant_transaction(world.a.id):
        seen = await db.fetch("SELECT DISTINCT org FROM membership")
    assert [row["org"] for row in seen] == [world.a.id]
