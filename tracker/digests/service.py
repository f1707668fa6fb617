"""Building digests: what each person's digest says, kept in the app and queued for mail.

Data is gathered once per organisation and period (a fixed number of queries), then split
per person in Python: the digest job's cost grows with rows, not with queries per person.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from tracker.accounts.service import memberships_of
from tracker.accounts.tables import Membership, Organisation
from tracker.db import is_unique_violation, tenant_transaction, write_transaction
from tracker.digests import rules
from tracker.digests.gathering import OrgData, gather, person_data
from tracker.digests.tables import Digest, DigestPreference, DigestSetting, EmailMessage
from tracker.i18n import gettext as _
from tracker.i18n import language
from tracker.settings import get_settings
from tracker.templating import environment
from tracker.tenancy import TenantScope

log = logging.getLogger("tracker.digests")


async def setting(scope: TenantScope) -> dict[str, Any]:
    row = await scope.select(DigestSetting, *DigestSetting.all_columns()).first()
    if row is None:
        try:
            async with write_transaction():  # a savepoint inside a request's transaction
                await scope.insert(DigestSetting, {})
        except Exception as error:
            if not is_unique_violation(error):
                raise
        row = await scope.select(DigestSetting, *DigestSetting.all_columns()).first()
    return row  # type: ignore[return-value]


async def preference(scope: TenantScope, person_id: int) -> str:
    row = (
        await scope.select(DigestPreference, DigestPreference.frequency)
        .where(DigestPreference.person == person_id)
        .first()
    )
    return row["frequency"] if row else "default"


async def set_preference(scope: TenantScope, person_id: int, frequency: str) -> None:
    async with write_transaction():
        updated = await scope.update(
            DigestPreference,
            {DigestPreference.frequency: frequency},
            DigestPreference.person == person_id,
        ).returning(DigestPreference.id)
        if not updated:
            await scope.insert(DigestPreference, {"person": person_id, "frequency": frequency})


# --- rendering --------------------------------------------------------------------------


def render(
    org: dict[str, Any],
    person: dict[str, Any],
    sections: list[rules.Section],
    period: rules.Period,
    lang: str,
    initiatives: dict[int, dict[str, Any]],
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a digest, in the person's language."""
    base = get_settings().base_url
    env = environment()
    with language(lang):
        context = {
            "org": org,
            "person": person,
            "sections": sections,
            "period": period,
            "initiatives": initiatives,
            "base": base,
            "tz": org["timezone"],
            "language": lang,
        }
        subject = _("%(org)s: your digest", org=org["name"])
        text = env.get_template("emails/digest.txt").render(context)
        html = env.get_template("emails/digest.html").render(context)
    return subject, text, html


# --- the job ----------------------------------------------------------------------------


async def build_due_digests(org_id: int, now: datetime, tally: Counter[str] | None = None) -> int:
    """Create the due digest of every member of one organisation; returns how many were new
    (``tally`` counts them as "mailed" or "empty": kept in the app, not sent).

    The unique key (organisation, person, period) makes this safe to run any number of times,
    on any number of workers, and again after a crash.
    """
    scope = TenantScope(org_id)
    org = (
        await Organisation.select(
            Organisation.id, Organisation.name, Organisation.slug, Organisation.timezone
        )
        .where(Organisation.id == org_id)
        .first()
    )
    if org is None:
        return 0
    config = await setting(scope)
    members = await Membership.select(
        Membership.person,
        Membership.role,
        Membership.person.email,
        Membership.person.name,
        Membership.person.language,
    ).where(Membership.org == org_id)
    prefs = {
        p["person"]: p["frequency"]
        for p in await scope.select(
            DigestPreference, DigestPreference.person, DigestPreference.frequency
        )
    }
    by_period: dict[rules.Period, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        frequency = rules.effective_frequency(
            config["frequency"], prefs.get(member["person"], "default")
        )
        if frequency is None:
            continue
        period = rules.due_period(
            frequency, config["weekday"], config["hour"], org["timezone"], now
        )
        by_period[period].append(member)
    created = 0
    today = now.astimezone(rules.ZoneInfo(org["timezone"])).date()
    for period, people in by_period.items():
        done = {
            d["person"]
            for d in await scope.select(Digest, Digest.person).where(
                Digest.period_key == period.key
            )
        }
        waiting = [p for p in people if p["person"] not in done]
        if not waiting:
            continue
        period = rules.continue_from(period, await _last_end(scope, period.key))
        data = await gather(scope, period.start, period.end, today)
        for member in waiting:
            made = await _build_one(scope, org, member, period, data, today)
            created += bool(made)
            if made and tally is not None:
                tally[made] += 1
    return created


async def _last_end(scope: TenantScope, key: str) -> datetime | None:
    """Where the organisation's last digest of this kind (daily, weekly, monthly) ended."""
    rows = (
        await scope.select(Digest, Digest.period_end.as_alias("end"))
        .where(Digest.period_key.like(key[0] + "%"), Digest.period_key != key)
        .order_by(Digest.period_end, ascending=False)
        .limit(1)
    )
    if not rows:
        return None
    end = rows[0]["end"]
    if isinstance(end, str):  # SQLite hands some timestamps back as text
        end = datetime.fromisoformat(end)
    return end if end.tzinfo else end.replace(tzinfo=UTC)


async def _build_one(
    scope: TenantScope,
    org: dict[str, Any],
    member: dict[str, Any],
    period: rules.Period,
    data: OrgData,
    today: date,
) -> str:
    """Build and keep one digest (queueing its mail unless empty): "mailed", "empty", or ""
    when another run made it first."""
    sections = rules.compose(
        member["role"], person_data(data, member["person"], member["role"], today, period.start)
    )
    send = rules.worth_sending(sections)
    lang = member["person.language"] or "en"
    person = {
        "id": member["person"],
        "name": member["person.name"],
        "email": member["person.email"],
    }
    subject, text, html = (
        render(org, person, sections, period, lang, data.initiatives) if send else ("", "", "")
    )
    items = sum(len(s.items) for s in sections if s.name != "portfolio") if send else 0
    try:
        async with write_transaction():
            digest_id = (
                await scope.insert(
                    Digest,
                    {
                        "person": member["person"],
                        "period_key": period.key,
                        "period_start": period.start,
                        "period_end": period.end,
                        "language": lang,
                        "subject": subject,
                        "body_text": text,
                        "body_html": html,
                        "item_count": items,
                    },
                )
            )[0]["id"]
            if send:
                await scope.insert(
                    EmailMessage,
                    {
                        "person": member["person"],
                        "key": f"digest:{digest_id}",
                        "kind": "digest",
                        "to_email": member["person.email"],
                        "subject": subject,
                        "body_text": text,
                        "body_html": html,
                    },
                )
    except Exception as error:
        if is_unique_violation(error):
            return ""  # another run made it first
        raise
    return "mailed" if send else "empty"


async def preview(
    scope: TenantScope,
    org: dict[str, Any],
    person: dict[str, Any],
    role: str,
    lang: str,
    now: datetime,
) -> tuple[list[rules.Section], rules.Period, dict[int, dict[str, Any]]]:
    """What my next digest would say now (nothing is stored or sent)."""
    config = await setting(scope)
    frequency = (
        rules.effective_frequency(config["frequency"], await preference(scope, person["id"]))
        or "weekly"
    )
    period = rules.current_period(
        frequency, config["weekday"], config["hour"], org["timezone"], now
    )
    today = now.astimezone(rules.ZoneInfo(org["timezone"])).date()
    data = await gather(scope, period.start, period.end, today)
    sections = rules.compose(role, person_data(data, person["id"], role, today, period.start))
    return sections, period, data.initiatives


async def all_org_ids() -> list[int]:
    return [r["id"] for r in await Organisation.select(Organisation.id)]


async def run_digests(now: datetime | None = None, tally: Counter[str] | None = None) -> int:
    now = now or datetime.now(UTC)
    created = 0
    for org_id in await all_org_ids():
        try:
            async with tenant_transaction(org_id):
                created += await build_due_digests(org_id, now, tally)
        except Exception:
            log.exception("digests of organisation %s failed; the next run retries", org_id)
    return created


async def account_rows(person_id: int) -> list[dict[str, Any]]:
    """Each organisation of the person with its digest schedule and the person's choice."""
    rows = []
    for m in await memberships_of(person_id):
        async with tenant_transaction(m.org_id, person_id):
            scope = TenantScope(m.org_id)
            config = await setting(scope)
            rows.append(
                {
                    "membership": m,
                    "config": config,
                    "preference": await preference(scope, person_id),
                    "choices": rules.allowed_preferences(config["frequency"]),
                }
            )
    return rows
