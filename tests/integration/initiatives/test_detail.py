from tests.helpers import make_initiative


async def test_initiative_page_shows_goal_scope_team_and_timeline(world):
    initiative = await make_initiative(
        world.a,
        phase=3,
        age_days=60,
        name="Order fulfilment 订单履约",
        goal_baseline=3.5,
        goal_target=2.8,
        goal_unit="days",
        scope_in="Online orders",
        sponsor="COO",
    )
    async with world.client(world.a, "viewer") as client:
        response = await client.get(f"/o/alpha/initiatives/{initiative}")
    assert response.status_code == 200
    html = response.text
    assert "Order fulfilment 订单履约" in html
    assert "3.5" in html and "2.8" in html and "-20 %" in html
    assert "Online orders" in html and "COO" in html and "Lead of alpha" in html
    assert "Phase 3 of 6: Design" in html
    assert html.count("Done") >= 2 and "Not started" in html
    assert '<svg class="timeline"' in html
    assert "/edit" not in html  # viewers get no edit button


async def test_outsider_and_missing_ids_are_404(world):
    initiative = await make_initiative(world.a)
    async with world.client(world.b, "admin") as client:
        assert (await client.get(f"/o/alpha/initiatives/{initiative}")).status_code == 404
        assert (await client.get(f"/o/beta/initiatives/{initiative}")).status_code == 404
    async with world.client(world.a, "admin") as client:
        missing = await client.get("/o/alpha/initiatives/999999999")
        assert missing.status_code == 404
        assert (await client.get("/o/alpha/initiatives/not-a-number")).status_code in (400, 404)


async def test_chinese_initiative_page(world):
    initiative = await make_initiative(world.a, phase=4, age_days=90)
    async with world.client(world.a, "member") as client:
        response = await client.get(
            f"/o/alpha/initiatives/{initiative}", headers={"accept-language": "zh-CN"}
        )
    assert "第 4/6 阶段：试点运行" in response.text and "阶段时间线" in response.text
