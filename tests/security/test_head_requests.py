"""Issue 17, finding 8: HEAD answers as GET does, without the body (not 405)."""

from tests.helpers import make_initiative


async def test_head_answers_like_get_without_a_body(world):
    initiative = await make_initiative(world.a)
    paths = ["/healthz", "/login", "/o/alpha/", f"/o/alpha/initiatives/{initiative}"]
    async with world.client(world.a, "viewer") as client:
        for path in paths:
            get = await client.get(path)
            head = await client.head(path)
            assert head.status_code == get.status_code == 200, path
            assert head.content == b"", path
            assert head.headers["content-type"] == get.headers["content-type"], path
        unknown = await client.head("/o/beta/")
        post_only = await client.head("/logout")
    assert unknown.status_code == 404 and unknown.content == b""
    assert post_only.status_code == 405


async def test_options_and_405_list_every_method_of_the_path(world):
    async with world.client(world.a, "viewer") as client:
        options = await client.options("/api/v1/kpis/1/measurements")
        refused = await client.delete("/api/v1/kpis/1/measurements")
        page = await client.put("/o/alpha/")
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert refused.status_code == 405 and "POST" in refused.headers["allow"]
    assert page.status_code == 405 and "HEAD" in page.headers["allow"]
