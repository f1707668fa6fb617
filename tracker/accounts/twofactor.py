"""Two-factor log-in (ASVS V2.8): time-based one-time codes (pyotp), enrolment with a QR code
(segno, an inline SVG without styles or scripts), recovery codes kept as hashes and used once,
and the organisations' rule of who must use it. The TOTP key is kept encrypted (Fernet, with a
key derived from ``SECRET_KEY`` by HKDF: ASVS 2.8.2), so a copy of the database alone gives no
one the codes."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import secrets
import time
from datetime import UTC, datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tracker.accounts import links
from tracker.accounts.mail import notify
from tracker.accounts.queries import TWO_FACTOR_DUE
from tracker.accounts.rules import must_use_two_factor
from tracker.accounts.tables import Person, RecoveryCode
from tracker.db import set_local, write_transaction
from tracker.settings import get_settings
from tracker.sql import fetch_unscoped

log = logging.getLogger("tracker.auth")
ISSUER = "Improvement tracker"
RECOVERY_CODES = 10
STEP_SECONDS = 30


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tracker two-factor key"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret: str, secret_key: str | None = None) -> str:
    """The TOTP key as it is stored: encrypted and authenticated with SECRET_KEY's key."""
    return _fernet(secret_key or get_settings().secret_key).encrypt(secret.encode()).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith("gAAAAA")  # a Fernet token (version byte 0x80)


def unseal(stored: str | None) -> str | None:
    """The TOTP key of a stored value; None when there is none or it cannot be read (another
    SECRET_KEY: the person logs in with a recovery code and enrols again)."""
    if not stored:
        return None
    try:
        return _fernet(get_settings().secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        log.warning("a two-factor key cannot be read with this SECRET_KEY")
        return None


async def seal_stored_keys(person_table: type[Person] = Person) -> int:
    """Seal every key stored in clear (keys from before ASVS 2.8.2); returns how many. The
    migration passes its own copy of the table."""
    rows = await person_table.select(person_table.id, person_table.totp_secret).where(
        person_table.totp_secret.is_not_null()
    )
    sealed = 0
    for row in rows:
        if not is_sealed(row["totp_secret"]):
            await person_table.update({person_table.totp_secret: seal(row["totp_secret"])}).where(
                person_table.id == row["id"]
            )
            sealed += 1
    return sealed


def qr_svg(secret: str, email: str) -> str:
    """The enrolment QR code (an otpauth:// address) as inline SVG."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2933", light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


async def start_enrolment(person_id: int) -> str:
    """A new secret, kept but not in force until a code from it is entered."""
    secret = pyotp.random_base32()
    await Person.update({Person.totp_secret: seal(secret)}).where(
        Person.id == person_id, Person.totp_enabled_at.is_null()
    )
    return secret


async def pending_secret(person_id: int) -> str | None:
    row = (
        await Person.select(Person.totp_secret, Person.totp_enabled_at)
        .where(Person.id == person_id)
        .first()
    )
    if row is None or row["totp_enabled_at"] is not None:
        return None
    return unseal(row["totp_secret"])


def _clean(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


async def check_code(person_id: int, code: str, enrolled: bool = True) -> bool:
    """A code from the person's app, accepted once (one step of 30 s either side allowed)."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return False
    row = (
        await Person.select(Person.totp_secret, Person.totp_last_step, Person.totp_enabled_at)
        .where(Person.id == person_id)
        .first()
    )
    if row is None or (row["totp_enabled_at"] is None) == enrolled:
        return False
    secret = unseal(row["totp_secret"])
    if secret is None:
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // STEP_SECONDS
    last = row["totp_last_step"] or 0
    for step in (now_step - 1, now_step, now_step + 1):
        if step <= last and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            log.warning("two-factor code used again for person %s: refused", person_id)
            return False
        if step > last and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            claimed = (
                await Person.update({Person.totp_last_step: step})
                .where(
                    Person.id == person_id,
                    (Person.totp_last_step.is_null()) | (Person.totp_last_step < step),
                )
                .returning(Person.id)
            )
            return bool(claimed)
    return False


def _hash(person_id: int, code: str) -> str:
    """Kept as an HMAC keyed by the server's secret and the person: a stolen table alone
    cannot be searched for the codes (ASVS 2.6.2)."""
    return hashlib.sha256(links.mac("recovery", person_id, _clean(code)).encode()).hexdigest()


async def new_recovery_codes(person_id: int) -> list[str]:
    """Ten new codes (the old ones stop working); shown once, kept as hashes."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    async with write_transaction():
        await RecoveryCode.delete().where(RecoveryCode.person == person_id)
        await RecoveryCode.insert(
            *(RecoveryCode(person=person_id, code_hash=_hash(person_id, c)) for c in codes)
        )
    return codes


async def use_recovery_code(person_id: int, code: str) -> bool:
    if len(_clean(code)) != 12:
        return False
    used = (
        await RecoveryCode.update({RecoveryCode.used_at: datetime.now(UTC)})
        .where(
            RecoveryCode.person == person_id,
            RecoveryCode.code_hash == _hash(person_id, code),
            RecoveryCode.used_at.is_null(),
        )
        .returning(RecoveryCode.id)
    )
    return bool(used)


async def recovery_codes_left(person_id: int) -> int:
    return await RecoveryCode.count().where(
        RecoveryCode.person == person_id, RecoveryCode.used_at.is_null()
    )


async def enable(person_id: int, code: str) -> list[str] | None:
    """Turn two-factor log-in on with a first code from the app; the recovery codes, or None."""
    if not await check_code(person_id, code, enrolled=False):
        return None
    await Person.update({Person.totp_enabled_at: datetime.now(UTC)}).where(Person.id == person_id)
    codes = await new_recovery_codes(person_id)
    await notify(person_id, "two_factor_on")
    return codes


async def disable(person_id: int) -> None:
    async with write_transaction():
        await Person.update(
            {Person.totp_enabled_at: None, Person.totp_secret: None, Person.totp_last_step: None}
        ).where(Person.id == person_id)
        await RecoveryCode.delete().where(RecoveryCode.person == person_id)
    await notify(person_id, "two_factor_off")


async def renew_recovery_codes(person_id: int) -> list[str]:
    """New codes asked for by the person (the old ones stop working); they are told by mail."""
    codes = await new_recovery_codes(person_id)
    await notify(person_id, "recovery_codes")
    return codes


async def is_enabled(person_id: int) -> bool:
    return await Person.exists().where(Person.id == person_id, Person.totp_enabled_at.is_not_null())


async def must_enrol(person_id: int) -> bool:
    """True when an organisation of the person requires two-factor log-in of their role and
    they have not set it up."""
    await set_local("app.person_id", str(person_id))  # the wall: their own memberships
    rows = await fetch_unscoped(TWO_FACTOR_DUE, person=person_id)
    return any(
        r["totp_enabled_at"] is None and must_use_two_factor(r["role"], r["require_2fa"])
        for r in rows
    )
