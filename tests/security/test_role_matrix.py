"""The role matrix: every mutating route of an organisation tried with every role.

``ALLOWED`` is the specification: for each unsafe route, the roles that may use it. A role
outside the list gets 403 and changes nothing; a role inside it is not refused for its role
(it may still get 400/409/422 for the probe's made-up form). A new route fails this test until
it is added to the table, so no route ships without someone deciding who may use it.
"""

from __future__ import annotations

from tests.security.test_route_probe import FORM, fill, ids_of, org_routes, snapshot, victim

ROLES = ("admin", "lead", "committee", "member", "viewer")

# Decided per person, not per role: the approver named at the current level of the approval
# chain. Nobody else is let through (403, or 409 when nothing waits for approval).
APPROVER = "approver"
EVERYONE = " ".join(ROLES)

# Comments: every member but a viewer writes in a thread; a comment is changed by its author
# (within 15 minutes) and deleted by its author or an admin.
WRITERS = "admin lead committee member"

ALLOWED: dict[str, str] = {
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/comments": WRITERS,
    "/o/{org_slug:str}/reviews/{review_id:int}/comments": WRITERS,
    "/o/{org_slug:str}/problems/{problem_id:int}/comments": WRITERS,
    "/o/{org_slug:str}/risks/{risk_id:int}/comments": WRITERS,
    "/o/{org_slug:str}/pilots/{pilot_id:int}/comments": WRITERS,
    "/o/{org_slug:str}/sop-versions/{version_id:int}/comments": WRITERS,
    # the probe's comment is the member's, written just now
    "/o/{org_slug:str}/comments/{comment_id:int}": "member",
    "/o/{org_slug:str}/comments/{comment_id:int}/delete": "admin member",
    "/o/{org_slug:str}/conditions/{condition_id:int}/close": "admin lead",
    "/o/{org_slug:str}/conditions/{condition_id:int}/plan": "admin lead",
    "/o/{org_slug:str}/decisions/{decision_id:int}/corrections": "admin",
    "/o/{org_slug:str}/digests/preference": EVERYONE,
    # one's own calendar feed (its secret address); the organisation's feed is the admins'
    "/o/{org_slug:str}/calendar/reset": EVERYONE,
    "/o/{org_slug:str}/calendar/stop": EVERYONE,
    "/o/{org_slug:str}/calendar/org/reset": "admin",
    "/o/{org_slug:str}/calendar/org/stop": "admin",
    "/o/{org_slug:str}/initiatives": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/edit": "admin lead",
    # the initiative's lead (the probe's initiatives are the lead's) and admins
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/benefits/derivation": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/benefits/import": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/benefits/plan": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/benefits/realised": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/benefits/realised/{realised_id:int}/delete": (
        "admin lead"
    ),
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/gate/request": "admin lead",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/import/{register:str}": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/tables/{key:str}/import": "admin lead member",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/tables/{table:str}/import": "admin lead member",
    "/o/{org_slug:str}/import-jobs/{job_id:str}/cancel": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/kpis": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/measures": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/optimisation-log": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/pilots": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/problems": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/resistance": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/resume": "admin committee",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/risks": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/risks/starters": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/rollout/sessions": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/rollout/waves": "admin lead member",
    "/o/{org_slug:str}/initiatives/{initiative_id:int}/sops": "admin lead member",
    "/o/{org_slug:str}/kpi-alerts/{alert_id:int}/acknowledge": "admin lead member",
    "/o/{org_slug:str}/kpi-measurements/{measurement_id:int}/delete": "admin lead member",
    "/o/{org_slug:str}/kpis/{kpi_id:int}": "admin lead member",
    # anyone may leave (the last admin is refused with 409 and told why)
    "/o/{org_slug:str}/leave": EVERYONE,
    "/o/{org_slug:str}/notifications/read-all": EVERYONE,  # one's own notifications
    "/o/{org_slug:str}/notifications/{notification_id:int}/read": EVERYONE,
    "/o/{org_slug:str}/kpis/{kpi_id:int}/import": "admin lead member",
    "/o/{org_slug:str}/kpis/{kpi_id:int}/measurements": "admin lead member",
    "/o/{org_slug:str}/kpis/{kpi_id:int}/stages": "admin lead member",
    "/o/{org_slug:str}/kpis/{kpi_id:int}/recompute-limits": "admin lead member",
    "/o/{org_slug:str}/kpi-stages/{stage_id:int}/delete": "admin lead member",
    "/o/{org_slug:str}/sustainment-checks/{check_id:int}/decide": "admin committee",
    "/o/{org_slug:str}/pilot-metrics/{metric_id:int}": "admin lead member",
    "/o/{org_slug:str}/pilots/{pilot_id:int}/feedback": "admin lead committee member",
    "/o/{org_slug:str}/pilots/{pilot_id:int}/metrics": "admin lead member",
    "/o/{org_slug:str}/pilots/{pilot_id:int}/ratings": "admin lead committee member",
    "/o/{org_slug:str}/pilots/{pilot_id:int}/summary": "admin lead member",
    "/o/{org_slug:str}/pilots/{pilot_id:int}/unmet": "admin lead member",
    "/o/{org_slug:str}/problems/{problem_id:int}": "admin lead member",
    "/o/{org_slug:str}/problems/{problem_id:int}/move": "admin lead member",
    "/o/{org_slug:str}/raci-roles/{role_id:int}/delete": "admin lead member",
    "/o/{org_slug:str}/resistance/{entry_id:int}": "admin lead member",
    "/o/{org_slug:str}/reviews/{review_id:int}/approval": APPROVER,
    "/o/{org_slug:str}/reviews/{review_id:int}/decide": "admin",
    "/o/{org_slug:str}/reviews/{review_id:int}/vote": "admin committee",
    "/o/{org_slug:str}/risks/{risk_id:int}": "admin lead member",
    "/o/{org_slug:str}/rollout-waves/{wave_id:int}": "admin lead member",
    "/o/{org_slug:str}/rollout-waves/{wave_id:int}/status": "admin lead member",
    "/o/{org_slug:str}/settings/api-tokens": "admin",
    "/o/{org_slug:str}/settings/defaults-language": "admin",
    "/o/{org_slug:str}/settings/api-tokens/{token_id:int}/revoke": "admin",
    "/o/{org_slug:str}/settings/files/{file_id:int}/delete": "admin",
    # team members and above attach; who attached a file removes it, and leads and admins
    # (the probe's attachment has no author)
    "/o/{org_slug:str}/attachments/on/{kind:str}/{subject_id:int}": "admin lead committee member",
    "/o/{org_slug:str}/attachments/{attachment_id:int}/delete": "admin lead",
    "/o/{org_slug:str}/settings/deliveries/{message_id:int}/retry": "admin",
    "/o/{org_slug:str}/settings/digests": "admin",
    "/o/{org_slug:str}/settings/gates/criteria/{criterion_id:int}": "admin",
    "/o/{org_slug:str}/settings/gates/criteria/{criterion_id:int}/move": "admin",
    "/o/{org_slug:str}/settings/gates/criteria/{criterion_id:int}/retire": "admin",
    "/o/{org_slug:str}/settings/gates/rule": "admin",
    "/o/{org_slug:str}/settings/gates/{gate:int}/criteria": "admin",
    "/o/{org_slug:str}/settings/invitations": "admin",
    "/o/{org_slug:str}/settings/invitations/{invitation_id:int}/resend": "admin",
    "/o/{org_slug:str}/settings/invitations/{invitation_id:int}/revoke": "admin",
    "/o/{org_slug:str}/settings/members/{membership_id:int}/remove": "admin",
    "/o/{org_slug:str}/settings/members/{membership_id:int}/role": "admin",
    "/o/{org_slug:str}/settings/two-factor": "admin",
    "/o/{org_slug:str}/settings/training": "admin",
    "/o/{org_slug:str}/settings/control-charts": "admin",
    "/o/{org_slug:str}/sop-documents/{document_id:int}/revisions": "admin lead member",
    "/o/{org_slug:str}/sop-steps/{step_id:int}": "admin lead member",
    "/o/{org_slug:str}/sop-steps/{step_id:int}/delete": "admin lead member",
    "/o/{org_slug:str}/sop-steps/{step_id:int}/move": "admin lead member",
    "/o/{org_slug:str}/sop-steps/{step_id:int}/raci/{role_id:int}": "admin lead member",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/decision": APPROVER,
    "/o/{org_slug:str}/sop-versions/{version_id:int}/header": "admin lead member",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/publish": "admin lead",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/roles": "admin lead member",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/steps": "admin lead member",
    "/o/{org_slug:str}/sop-versions/{version_id:int}/submit": "admin lead member",
    "/o/{org_slug:str}/training-sessions/{session_id:int}/scores": "admin lead member",
}


def unsafe_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (path, method) for path, methods in org_routes(app) for method in methods - {"GET"}
    )


async def test_every_unsafe_route_is_in_the_role_matrix(world):
    missing = [path for path, _ in unsafe_routes(world.app) if path not in ALLOWED]
    assert not missing, (
        f"decide which roles may use these routes and add them to ALLOWED: {missing}"
    )
    stale = set(ALLOWED) - {path for path, _ in unsafe_routes(world.app)}
    assert not stale, f"ALLOWED names routes that no longer exist: {stale}"


async def test_each_role_can_do_what_the_matrix_says_and_nothing_else(world):
    org = await victim(world)
    ids = await ids_of(org)
    routes = unsafe_routes(world.app)
    before = await snapshot(org)
    # first every refusal (nothing may change), then what is allowed (it may change things)
    for role in ROLES:
        async with world.client(org, role) as client:
            for path, method in routes:
                if role in ALLOWED[path].split():
                    continue
                response = await client.request(method, fill(path, org.slug, ids), data=FORM)
                refused = (403, 409) if ALLOWED[path] == APPROVER else (403,)
                assert response.status_code in refused, (role, method, path, response.status_code)
    assert await snapshot(org) == before
    for role in reversed(ROLES):
        async with world.client(org, role) as client:
            for path, method in routes:
                if role not in ALLOWED[path].split():
                    continue
                response = await client.request(method, fill(path, org.slug, ids), data=FORM)
                assert response.status_code != 403, (role, method, path)
