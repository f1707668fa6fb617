"""Sessions (ASVS V3): a configurable lifetime and idle timeout, enforced; the list of a
person's active sessions with "log out that device" and "log out everywhere else"; HSTS."""

from datetime import UTC, datetime, timedelta

from tracker.accounts.tables import Session
from tracker.auth import start_session, token_hash
from tracker.settings import load_settings


async def signed_in_status(world, token: str) -> int:
    async with world.client() as client:
        client.cookies.set("tracker_session", token)
        return (await client.get("/o/beta/")).status_code


async def test_idle_and_lifetime_limits_end_a_session(world):
    person = world.b.people["viewer"]
    idle = await start_session(person)
    old = await start_session(person)
    fresh = await start_session(person)
    assert await signed_in_status(world, idle) == 200
    now = datetime.now(UTC)
    row = await Session.select().where(Session.token_hash == token_hash(idle)).first()
    await Session.update(
        {Session.last_seen_at: now - timedelta(seconds=row["idle_seconds"] + 5)}
    ).where(Session.token_hash == token_hash(idle))
    await Session.update({Session.expires_at: now - timedelta(seconds=1)}).where(
        Session.token_hash == token_hash(old)
    )
    assert await signed_in_status(world, idle) == 303  # idle too long: log in again
    assert await signed_in_status(world, old) == 303  # past its lifetime
    # a session in use moves its last-seen time on (at most once a minute)
    await Session.update({Session.last_seen_at: now - timedelta(minutes=30)}).where(
        Session.token_hash == token_hash(fresh)
    )
    assert await signed_in_status(world, fresh) == 200
    row = await Session.select().where(Session.token_hash == token_hash(fresh)).first()
    assert row["last_seen_at"] > now - timedelta(minutes=1)


def test_lifetime_and_idle_timeout_are_settings():
    settings = load_settings({"SESSION_LIFETIME_HOURS": "12", "SESSION_IDLE_MINUTES": "30"})
    assert settings.session_lifetime_hours == 12 and settings.session_idle_minutes == 30
    defaults = load_settings({})
    assert defaults.session_lifetime_hours == 336 and defaults.session_idle_minutes == 480
    production = load_settings(
        {
            "TRACKER_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": "postgresql://tracker@db/tracker",
        }
    )  # ASVS 3.3.2 level 2 by default in production
    assert production.session_lifetime_hours == 12 and production.session_idle_minutes == 30


async def test_new_sessions_take_the_configured_limits(world, monkeypatch):
    from tracker import settings as settings_module

    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "2")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    settings_module.get_settings.cache_clear()
    try:
        token = await start_session(world.b.people["viewer"])
    finally:
        monkeypatch.undo()
        settings_module.get_settings.cache_clear()
    row = await Session.select().where(Session.token_hash == token_hash(token)).first()
    assert row["idle_seconds"] == 15 * 60
    lifetime = row["expires_at"] - row["created_at"]
    assert timedelta(hours=1, minutes=59) < lifetime <= timedelta(hours=2, seconds=5)


async def test_list_of_sessions_and_logging_out_devices(world):
    from tracker.accounts.tables import Person

    # a person of their own: logging out "everywhere else" must not end the standing sessions
    person = (
        await Person.insert(
            Person(email=f"devices-{world.backend}@example.com", name="Devices", password_hash="x")
        )
    )[0]["id"]
    phone = await start_session(
        person, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile", "10.1.2.3"
    )
    laptop = await start_session(
        person,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko Firefox/133.0",
        "10.9.9.9",
    )
    here = await start_session(person, "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "10.0.0.1")
    async with world.client() as client:
        client.cookies.set("tracker_session", here)
        page = await client.get("/account/security")
        assert page.status_code == 200
        assert "Chrome · Android" in page.text and "Firefox · Windows" in page.text
        assert "10.1.2.3" in page.text and "(this device)" in page.text
        phone_id = (
            await Session.select(Session.id).where(Session.token_hash == token_hash(phone)).first()
        )["id"]
        response = await client.post(f"/account/sessions/{phone_id}/end")
        assert response.status_code == 303
        assert await signed_in_status_alpha(world, phone) == 303
        assert await signed_in_status_alpha(world, laptop) == 200
        response = await client.post("/account/sessions/end-others")
        assert response.status_code == 303
        assert await signed_in_status_alpha(world, laptop) == 303
        assert await signed_in_status_alpha(world, here) == 200
    # someone else's session: 404, and it stays
    theirs = await start_session(world.b.people["member"])
    their_id = (
        await Session.select(Session.id).where(Session.token_hash == token_hash(theirs)).first()
    )["id"]
    async with world.client() as client:
        client.cookies.set("tracker_session", here)
        assert (await client.post(f"/account/sessions/{their_id}/end")).status_code == 404
    assert await Session.exists().where(Session.id == their_id)


async def signed_in_status_alpha(world, token: str) -> int:
    async with world.client() as client:
        client.cookies.set("tracker_session", token)
        return (await client.get("/account/security")).status_code


async def test_hsts_only_over_https(world):
    async with world.client() as client:
        plain = await client.get("/login")
        client.base_url = "https://testserver"
        secure = await client.get("/login")
    assert "strict-transport-security" not in plain.headers
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_cookies_are_secure_over_https(world, monkeypatch):
    from tracker import settings as settings_module

    monkeypatch.setenv("BASE_URL", "https://tracker.example.com")
    settings_module.get_settings.cache_clear()
    try:
        async with world.client(address="192.0.2.60") as client:
            response = await client.post(
                "/login", data={"email": world.b.emails["lead"], "password": world.password}
            )
    finally:
        monkeypatch.undo()
        settings_module.get_settings.cache_clear()
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("tracker_session="))
    assert all(flag in session.lower() for flag in ("secure", "httponly", "samesite=lax"))
    assert "secure" in next(c for c in cookies if c.startswith("csrftoken=")).lower()
