from tracker.accounts.tables import Person


async def test_person_choice_is_kept_and_wins_over_browser(world):
    async with world.client(world.a, "committee") as client:
        response = await client.post("/language", data={"language": "zh_Hans", "next": "/o/alpha/"})
        assert response.status_code == 303 and response.headers["location"] == "/o/alpha/"
        board = await client.get("/o/alpha/", headers={"accept-language": "en"})
        assert "项目组合看板" in board.text
        await client.post("/language", data={"language": "en", "next": "/"})
        board = await client.get("/o/alpha/", headers={"accept-language": "zh-CN"})
        assert "Portfolio board" in board.text
    row = (
        await Person.select(Person.language).where(Person.id == world.a.people["committee"]).first()
    )
    assert row["language"] == "en"


async def test_anonymous_choice_lives_in_a_cookie(world):
    async with world.client() as client:
        response = await client.post("/language", data={"language": "zh_Hans", "next": "/login"})
        assert response.cookies["tracker_lang"] == "zh_Hans"
        page = await client.get("/login")
    assert "登录" in page.text


async def test_unknown_language_is_refused(world):
    async with world.client() as client:
        response = await client.post("/language", data={"language": "klingon"})
    assert response.status_code == 400
