"""ASVS 2.8.2: the TOTP key is kept encrypted (Fernet, a key derived from SECRET_KEY): the
stored value is not the key shown at enrolment, log-in with a code from the key still works,
and keys stored in clear before are sealed by the migration's step."""

from __future__ import annotations

import re

import pyotp

from tests.integration.accounts.test_change_notices import client_of, newcomer
from tests.integration.accounts.test_two_factor import code_for, enrol, stored_key
from tracker.accounts import twofactor
from tracker.accounts.tables import Person
from tracker.auth import start_session

BASE32 = re.compile(r"^[A-Z2-7]+=*$")


async def test_the_stored_key_is_not_the_key_and_log_in_with_a_code_still_works(world):
    me = await newcomer(world)
    person_id, email = me["id"], me["email"]
    async with client_of(world, me, await start_session(person_id)) as client:
        page = await client.post("/account/security/two-factor")
        shown = re.search(r"<code[^>]*>([A-Z2-7 ]{20,})</code>", page.text).group(1)
        stored = (await Person.select(Person.totp_secret).where(Person.id == person_id).first())[
            "totp_secret"
        ]
        key = shown.replace(" ", "")
        assert key not in stored and not BASE32.match(stored) and twofactor.is_sealed(stored)
        assert await stored_key(person_id) == key
        done = await client.post(
            "/account/security/two-factor/confirm", data={"code": pyotp.TOTP(key).now()}
        )
        assert done.status_code == 200 and "<code>" in done.text
    async with world.client(address="192.0.2.95") as client:
        response = await client.post("/login", data={"email": email, "password": world.password})
        assert response.headers["location"].startswith("/login/code")
        right = await client.post("/login/code", data={"code": code_for(key, 30)})
        assert right.status_code == 303 and right.cookies.get("tracker_session")


async def test_keys_stored_in_clear_before_are_sealed_and_still_work(world):
    me = await newcomer(world)
    person_id = me["id"]
    async with client_of(world, me, await start_session(person_id)) as client:
        await enrol(client, person_id)
    key = await stored_key(person_id)
    # as an installation from before kept it: in clear
    await Person.update({Person.totp_secret: key}).where(Person.id == person_id)
    assert await twofactor.seal_stored_keys() >= 1
    stored = (await Person.select(Person.totp_secret).where(Person.id == person_id).first())[
        "totp_secret"
    ]
    assert stored != key and twofactor.is_sealed(stored)
    assert await twofactor.seal_stored_keys() == 0  # sealed once
    assert await twofactor.check_code(person_id, code_for(key, 30))


def test_a_key_sealed_with_another_secret_key_is_not_read():
    other = twofactor.seal("JBSWY3DPEHPK3PXP", secret_key="another installation's key")
    assert twofactor.unseal(other) is None
    assert twofactor.unseal(twofactor.seal("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"
