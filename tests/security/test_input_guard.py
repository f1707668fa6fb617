"""Issue 17, finding 4: input the database cannot hold (a NUL byte) or a CSRF token that is
not ASCII answers 400 / 403 with a message, never 500, and the log gets one line, not a
traceback. Both databases (PostgreSQL's asyncpg refuses NUL in text)."""

import logging

import httpx

from tests.helpers import make_initiative
from tracker.accounts.tables import Person
from tracker.problems.tables import Problem

MESSAGE = "The request holds a character that is not allowed (a NUL byte)."


def no_traceback(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_nul_byte_in_the_board_search_answers_400(world, caplog):
    async with world.client(world.a, "viewer") as client:
        page = await client.get("/o/alpha/", params={"q": "order\x00"})
        fragment = await client.get(
            "/o/alpha/", params={"q": "\x00", "owner": "1"}, headers={"hx-request": "true"}
        )
        api_like = await client.get("/o/alpha/?q=%00", headers={"accept": "application/json"})
    assert page.status_code == fragment.status_code == api_like.status_code == 400
    assert MESSAGE in page.text
    assert api_like.json() == {"status_code": 400, "detail": MESSAGE}
    no_traceback(caplog)
    refused = [r for r in caplog.records if "NUL" in r.getMessage()]
    assert len(refused) == 3  # one line per refused request


async def test_a_nul_byte_in_a_text_field_answers_400_and_writes_nothing(world, caplog):
    initiative = await make_initiative(world.a)
    async with world.client(world.a, "lead") as client:
        response = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data={"title": "Orders\x00 keyed twice", "category": "quality"}
            | {"impact": "3", "urgency": "3"},
        )
        multipart = await client.post(
            f"/o/alpha/initiatives/{initiative}/problems",
            data={"title": "x", "description": "a\x00b", "category": "quality"}
            | {"impact": "3", "urgency": "3"},
            files={"unused": ("a.txt", b"\x00binary is fine in a file")},
        )
    assert response.status_code == multipart.status_code == 400
    assert MESSAGE in response.text
    assert not await Problem.exists().where(Problem.initiative == initiative)
    no_traceback(caplog)


async def test_a_nul_byte_in_the_log_in_e_mail_answers_400(world, caplog):
    async with world.client() as client:
        response = await client.post(
            "/login", data={"email": f"{world.a.emails['admin']}\x00", "password": "x" * 12}
        )
        signup = await client.post(
            "/signup",
            data={"name": "N\x00", "email": "nul@example.com", "password": "correct horse 2"}
            | {"org_name": "Nul", "org_slug": ""},
        )
    assert response.status_code == signup.status_code == 400
    assert MESSAGE in response.text
    assert not await Person.exists().where(Person.email == "nul@example.com")
    no_traceback(caplog)


async def test_a_nul_byte_in_the_path_or_an_api_query_answers_400(world, caplog):
    async with world.client(world.a, "admin") as client:
        path = await client.get("/o/al%00pha/")
        api = await client.get("/api/v1/initiatives?status=%00")
    assert path.status_code == 400 and MESSAGE in path.text
    assert api.status_code == 400 and api.json()["detail"] == MESSAGE
    no_traceback(caplog)


async def test_a_csrf_token_of_the_right_length_with_non_ascii_characters_is_refused(world, caplog):
    from tests import conftest

    good = conftest.CSRF_TOKEN
    bad = "é" * len(good)
    before = await Problem.count()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app), base_url="http://testserver"
    ) as client:
        as_header = await client.post(
            "/login",
            data={"email": "a@b.co", "password": "x"},
            headers={"x-csrftoken": bad.encode(), "cookie": f"csrftoken={good}"},
        )
        as_field = await client.post(
            "/login",
            data={"email": "a@b.co", "password": "x", "_csrf_token": bad},
            headers={"cookie": f"csrftoken={good}"},
        )
        as_cookie = await client.post(
            "/login",
            data={"email": "a@b.co", "password": "x", "_csrf_token": good},
            headers={"cookie": f"csrftoken={bad}".encode()},
        )
    for response in (as_header, as_field, as_cookie):
        assert response.status_code in (400, 403), response.text[:300]
        assert "Your form has expired" in response.text
    assert await Problem.count() == before
    no_traceback(caplog)
