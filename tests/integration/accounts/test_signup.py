from tracker.accounts.tables import Membership, Organisation, Person


def signup_form(**overrides):
    form = {
        "name": "Li Na",
        "email": "li.na@signup.example.com",
        "password": "correct horse battery",
        "org_name": "Signup Co",
        "org_slug": "",
    }
    form.update(overrides)
    return form


async def test_signup_creates_person_org_and_admin_membership(world):
    email = f"founder-{world.backend}@example.com"
    async with world.client() as client:
        response = await client.post(
            "/signup", data=signup_form(email=email, org_name=f"Founders {world.backend}")
        )
    assert response.status_code == 303
    slug = f"founders-{world.backend}"
    assert response.headers["location"] == f"/o/{slug}/"
    cookie = response.cookies.get("tracker_session")
    assert cookie and "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    person = await Person.select().where(Person.email == email).first()
    assert person["password_hash"].startswith("$argon2")
    org = await Organisation.select().where(Organisation.slug == slug).first()
    membership = await Membership.select().where(Membership.org == org["id"]).first()
    assert membership["person"] == person["id"] and membership["role"] == "admin"
    async with world.client() as client:
        client.cookies.set("tracker_session", cookie)
        board = await client.get(f"/o/{slug}/")
    assert board.status_code == 200 and "Portfolio board" in board.text


async def test_signup_errors_come_back_beside_fields_with_input_kept(world):
    before = await Person.count()
    async with world.client() as client:
        response = await client.post(
            "/signup",
            data=signup_form(
                name="Wang <b>Wei</b>",
                email="not-an-email",
                password="short",
                org_name="",
                org_slug="Bad Slug",
            ),
        )
    assert response.status_code == 422
    html = response.text
    assert "Enter a valid e-mail address." in html
    assert "Use at least 10 characters." in html
    assert "Name the organisation." in html
    assert 'value="Wang &lt;b&gt;Wei&lt;/b&gt;"' in html  # kept, and escaped
    assert 'value="not-an-email"' in html
    assert 'aria-describedby="email-error"' in html
    assert "correct horse" not in html  # passwords are never echoed
    assert await Person.count() == before


async def test_signup_refuses_taken_email_and_slug(world):
    async with world.client() as client:
        response = await client.post("/signup", data=signup_form(email=world.a.emails["lead"]))
        assert response.status_code == 422
        assert "already has an account" in response.text
        response = await client.post(
            "/signup",
            data=signup_form(email=f"new-{world.backend}@example.com", org_slug=world.a.slug),
        )
        assert response.status_code == 422
        assert "This address is taken" in response.text


async def test_signup_page_in_chinese_from_the_browser(world):
    async with world.client() as client:
        response = await client.get("/signup", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200
    assert "注册" in response.text and 'lang="zh-Hans"' in response.text
