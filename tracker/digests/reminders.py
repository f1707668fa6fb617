"""Reminders for gate reviews and conditions coming due: one e-mail per reviewer or owner
and due date (the outbox key), in the person's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tracker import live
from tracker.accounts.tables import Organisation, Person
from tracker.db import is_unique_violation, tenant_transaction, write_transaction
from tracker.digests.tables import EmailMessage
from tracker.gates.tables import Condition, ReviewAssignment, Vote
from tracker.i18n import gettext as _
from tracker.i18n import language
from tracker.notifications import Kind, notify
from tracker.notifications.service import wants_mail
from tracker.settings import get_settings
from tracker.tenancy import TenantScope

REVIEW_DAYS = 2
CONDITION_DAYS = 3
# ORDERED: two workers may queue the same reminders at once. Each e-mail's key is unique, so
# the second waits at its first insert for the first's commit, then finds every one queued;
# in different orders (each connection's plan of an unordered read may differ) they waited
# for each other: a deadlock. Every read that decides what is inserted is ordered.


async def _queue(
    scope: TenantScope, key: str, kind: str, person: dict[str, Any], subject: str, text: str
) -> int:
    try:
        # a savepoint: behind the wall this runs in the organisation's one transaction, which
        # a refused duplicate must not abort for the mails that follow
        async with write_transaction():
            await scope.insert(
                EmailMessage,
                {
                    "person": person["id"],
                    "key": key,
                    "kind": kind,
                    "to_email": person["email"],
                    "subject": subject,
                    "body_text": text,
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            return 0
        raise
    return 1


async def queue_reminders(now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    today = now.date()
    base = get_settings().base_url
    queued = 0
    orgs = await Organisation.select(
        Organisation.id, Organisation.slug, Organisation.name
    ).order_by(Organisation.id)
    for org in orgs:
        async with live.collecting(), tenant_transaction(org["id"]):
            queued += await _org_reminders(org, today, base)
    return queued


async def _org_reminders(org: dict[str, Any], today: Any, base: str) -> int:
    queued = 0
    scope = TenantScope(org["id"])
    assignments = (
        await scope.select(
            ReviewAssignment,
            ReviewAssignment.reviewer,
            ReviewAssignment.review.id,
            ReviewAssignment.review.due_date,
            ReviewAssignment.review.gate,
            ReviewAssignment.review.initiative.name,  # type: ignore[union-attr]
        )
        .where(
            ReviewAssignment.review.status == "open",
            ReviewAssignment.review.due_date <= today + timedelta(days=REVIEW_DAYS),
        )
        .order_by(ReviewAssignment.review, ReviewAssignment.reviewer)
    )  # see ORDERED
    voted = {
        (v["review"], v["reviewer"])
        for v in await scope.select(Vote, Vote.review, Vote.reviewer).where(
            Vote.review.status == "open"
        )
    }
    conditions = (
        await scope.select(
            Condition,
            Condition.id,
            Condition.text,
            Condition.due_date,
            Condition.owner,
            Condition.initiative,
            Condition.initiative.name,
        )
        .where(
            Condition.closed_at.is_null(),
            Condition.owner.is_not_null(),
            Condition.due_date <= today + timedelta(days=CONDITION_DAYS),
        )
        .order_by(Condition.id)
    )  # see ORDERED
    ids = {a["reviewer"] for a in assignments} | {c["owner"] for c in conditions}
    people = (
        {
            p["id"]: p
            for p in await Person.select(Person.id, Person.email, Person.language).where(
                Person.id.is_in(list(ids))
            )
        }
        if ids
        else {}
    )
    for a in assignments:
        if (a["review.id"], a["reviewer"]) in voted or a["reviewer"] not in people:
            continue
        person = people[a["reviewer"]]
        with language(person["language"] or "en"):
            subject = _(
                "Your vote is due: %(name)s, gate %(n)s",
                name=a["review.initiative.name"],
                n=a["review.gate"],
            )
            text = _(
                "The gate review of %(name)s is due on %(date)s. Score and vote here: %(url)s",
                name=a["review.initiative.name"],
                date=a["review.due_date"].isoformat(),
                url=f"{base}/o/{org['slug']}/reviews/{a['review.id']}",
            )
        queued += await _queue(
            scope,
            f"reminder:review:{a['review.id']}:{a['reviewer']}:{a['review.due_date']}",
            "review_reminder",
            person,
            subject,
            text,
        )
    for c in conditions:
        if c["owner"] not in people:
            continue
        person = people[c["owner"]]
        # in the centre (once per condition and due date), and by mail as the owner chose
        await notify(
            scope,
            kind=Kind.CONDITION_DUE,
            recipients=[c["owner"]],
            actor_id=None,
            subject_kind="condition",
            subject_id=c["id"],
            url=f"/o/{org['slug']}/initiatives/{c['initiative']}#conditions-h",
            key=f"condition_due:condition:{c['id']}:{c['due_date']}",
            title=c["text"],
            mail=False,
        )
        if not await wants_mail(org["id"], c["owner"], Kind.CONDITION_DUE):
            continue
        with language(person["language"] or "en"):
            subject = _("A condition is due: %(text)s", text=c["text"][:100])
            text = _(
                "The condition “%(text)s” of %(name)s is due on %(date)s. Close it here: %(url)s",
                text=c["text"],
                name=c["initiative.name"],
                date=c["due_date"].isoformat(),
                url=f"{base}/o/{org['slug']}/initiatives/{c['initiative']}",
            )
        queued += await _queue(
            scope,
            f"reminder:condition:{c['id']}:{c['due_date']}",
            "condition_reminder",
            person,
            subject,
            text,
        )
    return queued


INVITATION_LINK = "[[invitation-link]]"  # the link is put in when the mail is sent


async def queue_invitation(
    org_id: int, invitation_id: int, email: str, org_name: str, inviter: str, again: str = ""
) -> None:
    """The invitation by e-mail. The outbox keeps no link: the mailer renders it from the
    invitation's key when it sends (tracker.accounts.service.invitation_link)."""
    scope = TenantScope(org_id)
    subject = _("%(who)s invites you to %(org)s", who=inviter, org=org_name)
    text = _(
        "%(who)s invites you to join %(org)s on the improvement tracker. "
        "Accept here (the link works once and expires in 14 days): %(url)s",
        who=inviter,
        org=org_name,
        url=INVITATION_LINK,
    )
    try:
        async with write_transaction():  # a savepoint inside a request's transaction
            await scope.insert(
                EmailMessage,
                {
                    "person": None,
                    "key": f"invitation:{invitation_id}{again}",
                    "kind": "invitation",
                    "to_email": email,
                    "subject": subject,
                    "body_text": text,
                },
            )
    except Exception as error:
        if not is_unique_violation(error):
            raise


KPI_ALERT_DAYS = 7  # alerts older than this are left to the digests


async def queue_kpi_alerts(now: datetime | None = None) -> int:
    """An e-mail to the initiative's owner for each new, unacknowledged KPI alert (once per
    alert: the outbox key), so a breach is known before the next digest."""
    now = now or datetime.now(UTC)
    base = get_settings().base_url
    queued = 0
    for org in await Organisation.select(Organisation.id, Organisation.slug).order_by(
        Organisation.id
    ):
        async with live.collecting(), tenant_transaction(org["id"]):
            queued += await _org_kpi_alerts(org, now, base)
    return queued


async def _org_kpi_alerts(org: dict[str, Any], now: datetime, base: str) -> int:
    from tracker.kpis.tables import KpiAlert

    scope = TenantScope(org["id"])
    alerts = (
        await scope.select(
            KpiAlert,
            KpiAlert.id,
            KpiAlert.kpi,
            KpiAlert.value,
            KpiAlert.threshold,
            KpiAlert.measured_on,
            KpiAlert.kind,
            KpiAlert.rule,
            KpiAlert.kpi.name,
            KpiAlert.kpi.unit,
            KpiAlert.kpi.initiative.name,  # type: ignore[union-attr]
            KpiAlert.kpi.initiative.owner,  # type: ignore[union-attr]
        )
        .where(
            KpiAlert.acknowledged_at.is_null(),
            KpiAlert.raised_at >= now - timedelta(days=KPI_ALERT_DAYS),
        )
        .order_by(KpiAlert.id)
    )  # see ORDERED
    owners = {a["kpi.initiative.owner"] for a in alerts if a["kpi.initiative.owner"]}
    people = (
        {
            p["id"]: p
            for p in await Person.select(Person.id, Person.email, Person.language).where(
                Person.id.is_in(list(owners))
            )
        }
        if owners
        else {}
    )
    queued = 0
    for a in alerts:
        person = people.get(a["kpi.initiative.owner"])
        if person is None:
            continue
        await notify(
            scope,
            kind=Kind.KPI_BREACH,
            recipients=[person["id"]],
            actor_id=None,
            subject_kind="kpi",
            subject_id=a["kpi"],
            url=f"/o/{org['slug']}/kpis/{a['kpi']}",
            key=f"kpi_breach:alert:{a['id']}",
            title=f"{a['kpi.name']} · {a['kpi.initiative.name']}",
            mail=False,
        )
        if not await wants_mail(org["id"], person["id"], Kind.KPI_BREACH):
            continue  # the owner chose the digest (its KPI breaches section) or nothing
        with language(person["language"] or "en"):
            subject, text = _kpi_alert_mail(a, org, base)
        queued += await _queue(scope, f"kpi_alert:{a['id']}", "kpi_alert", person, subject, text)
    return queued


def _kpi_alert_mail(a: dict[str, Any], org: dict[str, Any], base: str) -> tuple[str, str]:
    """Subject and text of a KPI alert's e-mail: a threshold breach, or a special cause on the
    KPI's control chart (a signal), in the current language."""
    from tracker.program_labels import spc_rule_label

    values = {
        "kpi": a["kpi.name"],
        "name": a["kpi.initiative.name"],
        "value": f"{a['value']:g}",
        "unit": a["kpi.unit"],
        "date": a["measured_on"].isoformat(),
        "threshold": f"{a['threshold']:g}",
        "url": f"{base}/o/{org['slug']}/kpis/{a['kpi']}",
    }
    if a["kind"] == "sustainment":
        from tracker.program_labels import sustainment_label

        return _("KPI sustainment check: %(kpi)s", kpi=a["kpi.name"]), _(
            "%(kpi)s of %(name)s averaged %(value)s %(unit)s up to %(date)s since the rollout "
            "gate: %(outcome)s. The committee is asked whether to return the initiative to "
            "Design: %(url)s",
            outcome=sustainment_label(a["rule"]),
            **values,
        )
    if a["kind"] == "signal":
        return _("KPI signal: %(kpi)s", kpi=a["kpi.name"]), _(
            "%(kpi)s of %(name)s measured %(value)s %(unit)s on %(date)s: a special cause on "
            "its control chart (%(rule)s). Look and acknowledge here: %(url)s",
            rule=spc_rule_label(a["rule"]),
            **values,
        )
    return _("KPI alert: %(kpi)s", kpi=a["kpi.name"]), _(
        "%(kpi)s of %(name)s measured %(value)s %(unit)s on %(date)s, past its alert "
        "threshold of %(threshold)s. Look and acknowledge here: %(url)s",
        **values,
    )
