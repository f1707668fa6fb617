import pytest

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


async def test_signup_creates_person_org_and_admin_membership_after_confirmation(world):
    email = f"founder-{world.backend}@example.com"
    async with world.client() as client:
        response = await client.post(
            "/signup", data=signup_form(email=email, org_name=f"Founders {world.backend}")
        )
        assert response.status_code == 200 and "Check your e-mail" in response.text
        assert "tracker_session" not in response.cookies  # nothing opens before confirmation
        slug = f"founders-{world.backend}"
        person = await Person.select().where(Person.email == email).first()
        assert person["password_hash"].startswith("$argon2")
        assert not person["email_confirmed"]
        assert person["language"] == "en"  # the confirmation mail's language
        org = await Organisation.select().where(Organisation.slug == slug).first()
        membership = await Membership.select().where(Membership.org == org["id"]).first()
        assert membership["person"] == person["id"] and membership["role"] == "admin"
        # an unconfirmed account cannot log in, even with the right password
        login = await client.post(
            "/login", data={"email": email, "password": "correct horse battery"}
        )
        assert login.status_code == 403 and "not confirmed yet" in login.text
        assert "tracker_session" not in login.cookies
        link = await mailed_link(person["id"], "confirm")
        assert (await client.get(link)).status_code == 200  # a button, not a change on GET
        response = await client.post(link)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.cookies.get("tracker_session")
    assert cookie and "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    async with world.client() as client:
        client.cookies.set("tracker_session", cookie)
        home = await client.get("/")
        assert home.headers["location"] == f"/o/{slug}/"
        board = await client.get(f"/o/{slug}/")
    assert board.status_code == 200 and "Portfolio board" in board.text
    async with world.client() as client:
        response = await client.post(link.replace("/confirm/", "/confirm/9") + "x")
    assert response.status_code == 404


async def mailed_link(person_id: int, kind: str) -> str:
    """The link of the account mail that was queued (rendered as when it is sent)."""
    from tracker.accounts import mail
    from tracker.accounts.tables import AccountMail

    row = (
        await AccountMail.select()
        .where(AccountMail.person == person_id, AccountMail.kind == kind)
        .first()
    )
    assert row is not None
    person = await Person.select().where(Person.id == person_id).first()
    _subject, text = mail.render(kind, person)
    url = next(word for word in text.split() if "/confirm/" in word or "/unlock/" in word)
    return url.rstrip(".").removeprefix("http://127.0.0.1:8000")


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
    assert "Use at least 12 characters." in html
    assert "Name the organisation." in html
    assert 'value="Wang &lt;b&gt;Wei&lt;/b&gt;"' in html  # kept, and escaped
    assert 'value="not-an-email"' in html
    assert 'aria-describedby="email-error"' in html
    assert "correct horse" not in html  # passwords are never echoed
    assert await Person.count() == before


async def test_a_refused_signup_shows_the_address_and_organisation_address_as_read(world):
    """The service reads the address in lower case and makes the organisation's address from
    its name; a form that comes back shows them so (and nothing is written)."""
    from tracker.accounts import service
    from tracker.errors import Invalid
    from tracker.values import Submitted

    email = f"Mixed.Case-{world.backend}@Example.COM"
    values = signup_form(email=email, password="short", org_name=f"Kept Values {world.backend}")
    with pytest.raises(Invalid) as refused:
        await service.signup(Submitted.of(values))
    assert set(refused.value.fields) == {"password"}
    assert refused.value.values == {
        "email": email.lower(),
        "org_slug": f"kept-values-{world.backend}",
    }
    async with world.client() as client:
        response = await client.post("/signup", data=values)
    assert response.status_code == 422
    assert f'value="{email.lower()}"' in response.text
    assert f'value="kept-values-{world.backend}"' in response.text
    assert not await Person.exists().where(Person.email == email.lower())


async def test_signup_answers_the_same_for_a_taken_address(world):
    """Finding 7: no "already has an account"; the owner is told by mail instead."""
    from tracker.accounts.tables import AccountMail

    taken = world.a.emails["lead"]
    fresh = f"newcomer-{world.backend}@example.com"
    async with world.client() as client:
        first = await client.post(
            "/signup", data=signup_form(email=taken, org_name=f"Taken {world.backend}")
        )
        second = await client.post(
            "/signup", data=signup_form(email=fresh, org_name=f"Fresh {world.backend}")
        )
    assert first.status_code == second.status_code == 200
    assert "This e-mail address already has an account" not in first.text
    assert first.text.replace(taken, fresh) == second.text.replace(
        f"Fresh {world.backend}", f"Taken {world.backend}"
    )
    assert not await Organisation.exists().where(Organisation.slug == f"taken-{world.backend}")
    lead = world.a.people["lead"]
    assert await AccountMail.exists().where(
        AccountMail.person == lead, AccountMail.kind == "signup_attempt"
    )
    from tracker.accounts import mail

    person = await Person.select().where(Person.id == lead).first()
    _subject, text = mail.render("signup_attempt", person)
    assert "tried to sign up with this e-mail address" in text and "/confirm/" not in text


async def test_signup_refuses_a_taken_organisation_address(world):
    async with world.client() as client:
        response = await client.post(
            "/signup",
            data=signup_form(email=f"new-{world.backend}@example.com", org_slug=world.a.slug),
        )
    assert response.status_code == 422
    assert "This address is taken" in response.text


@pytest.mark.parametrize("weak", ["password1234", "123456789012", "Passw0rd!!!!", "abcdabcdabcd"])
async def test_signup_refuses_guessable_passwords_with_the_reason(world, weak):
    """Finding 6: common and guessable passwords are refused, the reason beside the field."""
    email = f"guessable-{world.backend}@example.com"
    async with world.client() as client:
        response = await client.post("/signup", data=signup_form(email=email, password=weak))
        zh = await client.post(
            "/signup",
            data=signup_form(email=email, password=weak),
            headers={"accept-language": "zh-CN"},
        )
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert "easy to guess" in response.text or "common password" in response.text
    assert zh.status_code == 422 and "密码" in zh.text
    assert not await Person.exists().where(Person.email == email)


async def test_signup_page_in_chinese_from_the_browser(world):
    async with world.client() as client:
        response = await client.get("/signup", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200
    assert "注册" in response.text and 'lang="zh-Hans"' in response.text


async def test_account_mail_goes_out_with_its_link_made_at_sending(world, mailbox):
    from tracker.accounts.mail import deliver_account_mail, queue
    from tracker.accounts.tables import AccountMail

    person = world.b.people["viewer"]
    await queue(person, "signup_attempt", f"test-attempt:{world.backend}")
    await AccountMail.update({AccountMail.status: "held"}).where(
        AccountMail.key == f"test-attempt:{world.backend}"
    )  # held while SMTP was not configured
    await deliver_account_mail()
    sent = [m for rcpt, m in mailbox.messages if rcpt == [world.b.emails["viewer"]]]
    assert sent and "tried to sign up with this e-mail address" in sent[-1].get_content()
    row = await AccountMail.select().where(AccountMail.key == f"test-attempt:{world.backend}")
    assert row[0]["status"] == "sent"
