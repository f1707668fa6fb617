"""Probes over every registered route, so new routes are covered without writing new tests:

- an outsider (a member of another organisation) gets 404 for every method on every route
  that takes an id, with a real id of the first organisation, and nothing changes;
- every unsafe route refuses a request without a CSRF token, and nothing changes;
- a viewer can change nothing (but their own digest preference).
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import httpx

from tests.jobs.test_digest_jobs import seeded_org
from tracker.accounts.tables import Invitation, Membership
from tracker.api.tables import ApiToken
from tracker.attachments.tables import Attachment
from tracker.benefits.tables import BenefitPlan, BenefitRealised
from tracker.comments.tables import Comment
from tracker.db import all_tables
from tracker.demo_program import seed_program
from tracker.digests import service as digests
from tracker.digests.tables import Digest, EmailMessage
from tracker.gates.tables import Condition, GateCriterion, GateDecision, GateReview
from tracker.initiatives.tables import Initiative
from tracker.kpis.tables import Kpi, KpiAlert, KpiMeasurement, KpiStage, SustainmentCheck
from tracker.notifications.tables import Notification
from tracker.pilots.tables import Pilot, PilotMetric
from tracker.problems.tables import Problem
from tracker.risks.tables import ResistanceEntry, Risk
from tracker.rollout.tables import RolloutWave, TrainingSession
from tracker.sops.tables import RaciRole, SopDocument, SopStep, SopVersion
from tracker.uploads.tables import StoredFile

# path parameter → the table whose id it takes
ID_TABLES = {
    "initiative_id": Initiative,
    "review_id": GateReview,
    "decision_id": GateDecision,
    "condition_id": Condition,
    "problem_id": Problem,
    "pilot_id": Pilot,
    "metric_id": PilotMetric,
    "risk_id": Risk,
    "entry_id": ResistanceEntry,
    "criterion_id": GateCriterion,
    "digest_id": Digest,
    "message_id": EmailMessage,
    "invitation_id": Invitation,
    "membership_id": Membership,
    "kpi_id": Kpi,
    "alert_id": KpiAlert,
    "stage_id": KpiStage,
    "check_id": SustainmentCheck,
    "measurement_id": KpiMeasurement,
    "token_id": ApiToken,
    "document_id": SopDocument,
    "version_id": SopVersion,
    "step_id": SopStep,
    "role_id": RaciRole,
    "wave_id": RolloutWave,
    "session_id": TrainingSession,
    "file_id": StoredFile,
    "realised_id": BenefitRealised,
    "comment_id": Comment,
    "attachment_id": Attachment,
    "subject_id": Problem,  # /attachments/on/{kind}/{subject_id}: kind is "problem"
    "record_id": Problem,  # a record's History: /history/{kind}/<id>, kind is "problem"
    "notification_id": Notification,
}
OTHER_PARAMS = {
    "gate": "2",
    "register": "problems",
    "token": "x",
    "kind": "problem",  # of an attachment's subject, and of a History
    "key": "design",  # a seed table of an initiative
    "table": "sop-steps",  # a seed table of an SOP version
    "fmt": "csv",
    "job_id": "x",  # an import job (its id is a token, not a row)
    "impact": "5",  # a cell of the portfolio matrix
    "urgency": "5",
}
FORM = {
    "name": "probe",
    "title": "probe",
    "text": "probe",
    "description": "probe",
    "role": "admin",
    "decision": "go",
    "vote": "go",
    "rationale": "probe",
    "impact": "5",
    "urgency": "5",
    "likelihood": "5",
    "score": "5",
    "frequency": "off",
    "retired": "1",
    "step": "up",
    "direction": "up",
    "action": "approve",
    "note": "probe",
    "result": "1",
    "email": "probe@example.com",
    "quorum_kind": "count",
    "quorum_value": "1",
    "go_threshold": "majority",
    "stop_needs_chair": "on",
    "hour": "1",
    "weekday": "1",
    "timezone": "UTC",
}
_n = itertools.count(1)


def org_routes(app) -> list[tuple[str, set[str]]]:
    routes = []
    for route in app.routes:
        if not route.path.startswith("/o/{org_slug"):
            continue
        methods = set()
        for handler in route.route_handlers:
            methods |= set(handler.http_methods)
        routes.append((route.path, methods - {"HEAD", "OPTIONS"}))
    return routes


async def victim(world):
    """An organisation with a row of every kind the routes take."""
    org = await seeded_org(world)
    initiative = (await Initiative.select(Initiative.id).where(Initiative.org == org.id).first())[
        "id"
    ]
    await ResistanceEntry.insert(
        ResistanceEntry(
            org=org.id,
            initiative=initiative,
            stakeholder_group="Sales",
            level="low",
            barrier="desire",
        )
    )
    await digests.build_due_digests(org.id, datetime.now(UTC) + timedelta(days=1))
    people = [org.people["admin"], org.people["lead"], org.people["committee"]]
    await seed_program(
        org.id, initiative, "CS-COMPLAINT", f"SOP-PR-2026-{org.id:03d}", people, date.today()
    )
    kpi = (await Kpi.select(Kpi.id).where(Kpi.org == org.id).first())["id"]
    await KpiStage.insert(KpiStage(org=org.id, kpi=kpi, starts_on=date.today()))
    await SustainmentCheck.insert(
        SustainmentCheck(
            org=org.id,
            kpi=kpi,
            initiative=initiative,
            days=30,
            due_on=date.today(),
            outcome="lost",
            recent_mean=5.0,
        )
    )
    await ApiToken.insert(
        ApiToken(org=org.id, name="probe", token_hash=f"probe{org.id}", prefix="trk_probe")
    )
    month = date.today().replace(day=1)
    await BenefitPlan.insert(
        BenefitPlan(org=org.id, initiative=initiative, annual_value=1200.0, start_month=month)
    )
    await BenefitRealised.insert(
        BenefitRealised(org=org.id, initiative=initiative, month=month, amount=100.0)
    )
    await StoredFile.insert(
        StoredFile(
            org=org.id, kind="import", filename="p.csv", size=4, sha256="x", content=b"a,b\n"
        )
    )
    await Comment.insert(  # by the member, just now: theirs to edit (see test_role_matrix)
        Comment(
            org=org.id,
            subject_kind="initiative",
            subject_id=initiative,
            author=org.people["member"],
            body="probe",
            body_html="<p>probe</p>",
        )
    )
    problem = (await Problem.select(Problem.id).where(Problem.org == org.id).first())["id"]
    attached = await StoredFile.insert(
        StoredFile(
            org=org.id,
            kind="attachment",
            filename="a.txt",
            size=3,
            sha256="y",
            storage="database",
        )
    )
    await Attachment.insert(
        Attachment(org=org.id, subject_kind="problem", subject_id=problem, file=attached[0]["id"])
    )
    await Notification.insert(
        Notification(
            org=org.id,
            person=org.people["admin"],
            kind="mentioned",
            url=f"/o/{org.slug}/",
            key=f"probe:{org.id}",
        )
    )
    await Invitation.insert(
        Invitation(
            org=org.id,
            email="new@example.com",
            role="member",
            token_hash=f"t{org.id}",
            expires_at=datetime.now(UTC) + timedelta(days=3),
        )
    )
    return org


async def ids_of(org) -> dict[str, int]:
    ids = {}
    for param, table in ID_TABLES.items():
        row = await table.select(table.id).where(table.org == org.id).first()
        assert row is not None, f"the probe organisation has no {table.__name__}"
        ids[param] = row["id"]
    return ids


def fill(path: str, slug: str, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "org_slug":
            return slug
        if name in ids:
            return str(ids[name])
        if name in OTHER_PARAMS:
            return OTHER_PARAMS[name]
        if name == "key":  # a seed table (issue 18): of an SOP version, or of an initiative
            return "task-assignment" if "/sop-versions/" in path else "risks"
        raise AssertionError(
            f"the route probe does not know the parameter {name!r} of {path}: add it"
        )

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


async def snapshot(org) -> dict[str, list]:
    """Every row of the organisation, table by table."""
    state = {}
    for table in all_tables():
        if "org" in {c._meta.name for c in table._meta.columns}:
            state[table.__name__] = (
                await table.select()
                .where(table._meta.get_column_by_name("org") == org.id)
                .order_by(table.id)
            )
    return state


async def test_outsiders_get_404_on_every_route_that_takes_an_id(world):
    org = await victim(world)
    ids = await ids_of(org)
    before = await snapshot(org)
    probed = 0
    async with world.client(world.b, "admin") as client:
        for path, methods in org_routes(world.app):
            if not re.search(r"\{\w+_id:int\}", path):
                continue
            for slug in ("beta", org.slug):
                url = fill(path, slug, ids)
                for method in methods:
                    response = await client.request(
                        method, url, data=FORM if method != "GET" else None
                    )
                    assert response.status_code == 404, (method, url, response.status_code)
                    probed += 1
    assert probed > 60
    assert await snapshot(org) == before


async def test_every_unsafe_route_needs_a_csrf_token(world):
    org = await victim(world)
    ids = await ids_of(org)
    before = await snapshot(org)
    cookies = {"tracker_session": org.tokens["admin"]}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi), base_url="http://testserver", cookies=cookies
    ) as client:
        for path, methods in org_routes(world.app):
            for method in methods - {"GET"}:
                response = await client.request(method, fill(path, org.slug, ids), data=FORM)
                assert response.status_code == 403, (method, path)
    assert await snapshot(org) == before


ALLOWED_FOR_VIEWERS = {
    "/o/{org_slug:str}/digests/preference",
    "/o/{org_slug:str}/leave",
    "/o/{org_slug:str}/calendar/reset",  # a viewer's own calendar feed
    "/o/{org_slug:str}/calendar/stop",
    "/o/{org_slug:str}/notifications/read-all",  # one's own notifications only
}


async def test_a_viewer_changes_nothing(world):
    org = await victim(world)
    ids = await ids_of(org)
    before = await snapshot(org)
    async with world.client(org, "viewer") as client:
        for path, methods in org_routes(world.app):
            if path in ALLOWED_FOR_VIEWERS:
                continue
            for method in methods - {"GET"}:
                response = await client.request(method, fill(path, org.slug, ids), data=FORM)
                assert response.status_code in (403, 404, 409), (method, path, response.status_code)
    assert await snapshot(org) == before


async def test_every_page_of_an_organisation_answers_its_members(world):
    """Every GET route renders for a member (no route is left untested by accident)."""
    org = await victim(world)
    ids = await ids_of(org)
    async with world.client(org, "admin") as client:
        for path, methods in org_routes(world.app):
            if "GET" not in methods:
                continue
            if path.endswith("/live"):
                continue  # a stream that stays open (tests/e2e/test_live_browser.py)
            url = fill(path, org.slug, ids)
            response = await client.get(url)
            if "/digests/{digest_id" in path or "/import-jobs/{job_id" in path:
                # only one's own digests; an import job is not a row (its id is a token)
                assert response.status_code in (200, 404), url
            elif path.endswith("/minutes.pdf"):
                assert response.status_code in (200, 409), url  # a PDF once decided only
            elif path.endswith("/open"):
                assert response.status_code == 303, url  # straight to the notified thing
            else:
                assert response.status_code == 200, (url, response.status_code)


async def test_ids_beyond_the_id_column_are_404_not_500(world):
    org = await victim(world)
    huge = {param: 2**40 for param in ID_TABLES}
    async with world.client(org, "admin") as client:
        for path, methods in org_routes(world.app):
            if "GET" in methods and re.search(r"\{\w+_id:int\}", path):
                url = fill(path, org.slug, huge)
                response = await client.get(url)
                assert response.status_code == 404, (url, response.status_code)
