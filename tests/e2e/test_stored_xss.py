"""Stored XSS: a payload in every text field a person can fill, rendered on every page that
shows it, in real Chromium with the Content-Security-Policy bypassed (so escaping alone must
hold): no script runs, and the text shows as typed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


class Session:
    def __init__(self, server: str) -> None:
        self.client = httpx.Client(base_url=server, follow_redirects=False, timeout=30)
        self.token = ""

    def login(self, email: str) -> None:
        page = self.client.get("/login")
        self.token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.post("/login", {"email": email, "password": "demo-password-2026"})
        assert response.status_code == 303
        page = self.client.get("/account")  # the CSRF token changes at log-in
        self.token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.client.post(path, data={**data, "_csrf_token": self.token})

    def created(self, path: str, data: dict) -> int:
        response = self.post(path, data)
        assert response.status_code == 303, (path, response.status_code, response.text[:500])
        return int(response.headers["location"].split("#")[0].rstrip("/").rsplit("/", 1)[1])


async def test_no_stored_script_runs_anywhere(server, browser):
    s = Session(server)
    s.login("demo@example.com")
    today = date.today().isoformat()
    admin_id = re.search(
        r'<option value="(\d+)"[^>]*>Demo Admin', s.client.get("/o/demo/initiatives/new").text
    ).group(1)
    initiative = s.created(
        "/o/demo/initiatives",
        {
            "name": PAYLOAD,
            "process_code": "",
            "code_dept": "XSS",
            "code_business": "T",
            "process_class": "core",
            "departments": PAYLOAD,
            "owner": admin_id,
            "sponsor": PAYLOAD,
            "start_date": today,
            "goal_metric": PAYLOAD,
            "goal_baseline": "10",
            "goal_target": "5",
            "goal_unit": "h",
            "goal_direction": "lower",
            "scope_in": PAYLOAD,
            "scope_out": PAYLOAD,
            "start_point": PAYLOAD,
            "end_point": PAYLOAD,
        },
    )
    base = f"/o/demo/initiatives/{initiative}"
    response = s.post(
        f"{base}/problems",
        {
            "title": PAYLOAD,
            "description": PAYLOAD,
            "category": "quality",
            "impact": "4",
            "urgency": "4",
            "whys": PAYLOAD,
            "step_0": PAYLOAD,
            "role_0": PAYLOAD,
            "minutes_0": "5",
            "kinds_0": "risk",
            "status": "open",
        },
    )
    assert response.status_code == 303
    problem = re.search(r"/o/demo/problems/(\d+)", s.client.get(f"{base}/problems").text).group(1)
    assert (
        s.post(
            f"{base}/measures",
            {
                "goal": PAYLOAD,
                "measure": PAYLOAD,
                "department": PAYLOAD,
                "expected_effect": PAYLOAD,
                "problem": problem,
            },
        ).status_code
        == 303
    )
    pilot = s.created(f"{base}/pilots", {"process": PAYLOAD, "scope": PAYLOAD, "start_date": today})
    assert (
        s.post(
            f"/o/demo/pilots/{pilot}/metrics",
            {
                "name": PAYLOAD,
                "unit": "min",
                "direction": "lower",
                "baseline": "30",
                "result": "8",
                "target": "10",
            },
        ).status_code
        == 303
    )
    assert (
        s.post(
            f"/o/demo/pilots/{pilot}/feedback",
            {"text": PAYLOAD, "category": "tool", "problem": problem},
        ).status_code
        == 303
    )
    assert (
        s.post(
            f"/o/demo/pilots/{pilot}/unmet", {"unmet_problem": PAYLOAD, "unmet_cause": PAYLOAD}
        ).status_code
        == 303
    )
    assert s.post(f"/o/demo/pilots/{pilot}/summary", {"summary": PAYLOAD}).status_code == 303
    assert (
        s.post(
            f"{base}/risks",
            {
                "description": PAYLOAD,
                "category": "people",
                "likelihood": "5",
                "impact": "4",
                "mitigation": PAYLOAD,
                "status": "open",
            },
        ).status_code
        == 303
    )
    risk = re.search(r"/o/demo/risks/(\d+)", s.client.get(f"{base}/risks").text).group(1)
    assert (
        s.post(
            f"{base}/resistance",
            {
                "stakeholder_group": PAYLOAD,
                "level": "high",
                "barrier": "desire",
                "concern": PAYLOAD,
                "root_cause": PAYLOAD,
                "action": PAYLOAD,
                "outcome": PAYLOAD,
                "status": "open",
            },
        ).status_code
        == 303
    )
    committee = re.findall(
        r'name="reviewers" value="(\d+)"', s.client.get(f"{base}/gate/request").text
    )
    criterion = re.search(r'name="note_(\d+)"', s.client.get(f"{base}/gate/request").text).group(1)
    review = s.created(
        f"{base}/gate/request",
        {
            "proposed_decision": "go",
            "due_date": (date.today() + timedelta(days=3)).isoformat(),
            "reviewers": committee,
            f"note_{criterion}": PAYLOAD,
            f"links_{criterion}": f"javascript:alert(4)\nhttps://example.com/{PAYLOAD}",
        },
    )
    assert (
        s.post(
            f"/o/demo/reviews/{review}/decide",
            {"decision": "go_conditions", "rationale": PAYLOAD, "conditions": PAYLOAD},
        ).status_code
        == 303
    )
    assert (
        s.post(
            "/o/demo/settings/gates/1/criteria", {"text": PAYLOAD, "kind": "should", "weight": "2"}
        ).status_code
        == 303
    )

    pages = [
        "/o/demo/",
        base,
        f"{base}/problems",
        f"/o/demo/problems/{problem}",
        f"{base}/matrix",
        "/o/demo/matrix",
        f"{base}/problems/top5",
        f"{base}/measures",
        f"{base}/pilots",
        f"/o/demo/pilots/{pilot}",
        f"/o/demo/pilots/{pilot}/summary",
        f"{base}/risks",
        f"/o/demo/risks/{risk}",
        f"{base}/heatmap",
        "/o/demo/heatmap?likelihood=5&impact=4",
        f"{base}/resistance",
        f"/o/demo/reviews/{review}",
        "/o/demo/reviews",
        "/o/demo/settings/gates",
        "/o/demo/digests/preview",
        f"{base}/edit",
    ]
    context = await browser.new_context(bypass_csp=True)
    await context.add_cookies(
        [{"name": k, "value": v, "url": server} for k, v in s.client.cookies.items()]
    )
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in pages:
        response = await page.goto(f"{server}{path}")
        assert response.status == 200, path
        html = await page.content()
        assert "<script>alert(2)</script>" not in html.replace("&lt;script&gt;", ""), path
        assert await page.locator("img[src=x]").count() == 0, path
        assert await page.locator("a[href^='javascript:']").count() == 0, path
        if path in ("/o/demo/", f"/o/demo/reviews/{review}", f"/o/demo/problems/{problem}"):
            assert PAYLOAD in await page.inner_text("main"), path  # shown as typed, as text
    assert dialogs == []
    await context.close()
