"""The app behind the tenant wall: a real server on PostgreSQL whose pool runs as the walled
role (DB_APP_ROLE=tracker_app), driven through the main flows, and the jobs run once."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from datetime import date, timedelta

import asyncpg
import httpx

from tests.conftest import PG_URL, ROOT, drop_postgres, fresh_postgres, need, reachable, run_cli

WALL_APP_DB = f"tracker_wall_app_{os.getpid()}"  # a run of its own: other runs may share the server
WALL_BOARD_DB = (
    f"tracker_wall_board_{os.getpid()}"  # a run of its own: other runs may share the server
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str) -> None:
    """Until the server at ``base`` answers /healthz (at most about 10 s)."""
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)


class Browser:
    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
        self.token = re.search(
            r'name="_csrf_token" value="([^"]+)"', self.client.get("/login").text
        ).group(1)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.client.post(path, data={**data, "_csrf_token": self.token})

    def signed_in(self) -> None:
        """The CSRF token changes at log-in: take the new one from a page."""
        self.token = re.search(
            r'name="_csrf_token" value="([^"]+)"', self.client.get("/account").text
        ).group(1)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)


def start_walled_server(
    url: str, tmp_path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str, dict[str, str]]:
    """A real server on ``url`` whose pool runs as the walled role: the process, its address
    and its environment."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DB_APP_ROLE": "tracker_app",
        "TRACKER_SCHEDULER": "off",
        "REDIS_URL": "",
        "BASE_URL": base,
        "TRACKER_DATA_DIR": str(tmp_path),
        "SECRET_KEY": SERVER_KEY,
        **(extra_env or {}),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "w"),
    )
    return server, base, env


SERVER_KEY = "a-secret-key-for-the-walled-server-0123456789"


async def sign_up(base: str, name: str, slug: str, url: str) -> Browser:
    """Sign up and follow the e-mailed confirmation link (made with the server's key)."""
    from tracker.accounts import links

    browser = Browser(base)
    email = f"{name.lower()}@{slug}.example.com"
    signed_up = browser.post(
        "/signup",
        {
            "name": name,
            "email": email,
            "password": "a long password 1",
            "org_name": slug.title(),
            "org_slug": slug,
        },
    )
    assert signed_up.status_code == 200 and "Check your e-mail" in signed_up.text
    connection = await asyncpg.connect(url)
    try:
        person_id = await connection.fetchval("SELECT id FROM person WHERE email = $1", email)
    finally:
        await connection.close()
    token = links.sign("confirm", person_id, email, 600, key=SERVER_KEY)
    confirmed = browser.post(f"/confirm/{token}", {})
    assert confirmed.status_code == 303
    browser.signed_in()
    return browser


def create_initiative(browser: Browser, slug: str, name: str) -> str:
    """The new initiative's address."""
    owner_id = re.search(
        r'<option value="(\d+)"', browser.get(f"/o/{slug}/initiatives/new").text
    ).group(1)
    created = browser.post(
        f"/o/{slug}/initiatives",
        {
            "name": name,
            "code_dept": "W",
            "code_business": "A",
            "process_code": "",
            "process_class": "core",
            "owner": owner_id,
            "start_date": date.today().isoformat(),
            "goal_metric": "Time",
            "goal_baseline": "10",
            "goal_target": "5",
            "goal_direction": "lower",
        },
    )
    assert created.status_code == 303, created.text[:500]
    return created.headers["location"]


async def test_main_flows_work_behind_the_wall(tmp_path):
    need("PostgreSQL", reachable(PG_URL, 5432))
    url = await fresh_postgres(WALL_APP_DB)
    run_cli("migrate", database_url=url)
    server, base, env = start_walled_server(url, tmp_path)
    owner = await asyncpg.connect(url)
    try:
        wait_until_up(base)
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["tenant_wall"] == "on (tracker_app)"

        admin = await sign_up(base, "Ada", "wall-a", url)
        assert admin.get("/o/wall-a/").status_code == 200
        initiative = create_initiative(admin, "wall-a", "Walled initiative")
        assert admin.get(initiative).status_code == 200
        assert "Walled initiative" in admin.get("/o/wall-a/").text
        assert (
            admin.post(
                f"{initiative}/problems",
                {"title": "Slow", "category": "efficiency", "impact": "4", "urgency": "4"},
            ).status_code
            == 303
        )
        assert admin.get(f"{initiative}/matrix").status_code == 200
        assert admin.post(f"{initiative}/risks/starters", {}).status_code == 303
        assert "Weak executive support" in admin.get(f"{initiative}/risks").text
        # a duplicate code is refused and the page still renders (the write rolled back alone)
        dup_code = re.search(r"W-A-\d{4}-\d{3}", admin.get(initiative).text).group(0)
        dup = admin.post(
            "/o/wall-a/initiatives",
            {
                "name": "Second",
                "process_code": dup_code,
                "process_class": "core",
                "owner": re.search(
                    r'<option value="(\d+)"', admin.get("/o/wall-a/initiatives/new").text
                ).group(1),
                "start_date": date.today().isoformat(),
                "goal_metric": "Time",
                "goal_baseline": "10",
                "goal_target": "5",
                "goal_direction": "lower",
            },
        )
        assert dup.status_code == 422 and "Another initiative already uses this code." in dup.text

        invite = admin.post(
            "/o/wall-a/settings/invitations", {"email": "cy@wall.example.com", "role": "committee"}
        )
        link = re.search(r'value="(http[^"]+/invite/[^"]+)"', invite.text).group(1)
        committee = Browser(base)
        path = "/" + link.split("/", 3)[3]
        assert committee.get(path).status_code == 200
        assert (
            committee.post(path, {"name": "Cy", "password": "another long password"}).status_code
            == 303
        )
        committee.signed_in()
        assert committee.get("/o/wall-a/").status_code == 200

        page = admin.get(f"{initiative}/gate/request").text
        reviewers = re.findall(r'name="reviewers" value="(\d+)"', page)
        review = admin.post(
            f"{initiative}/gate/request",
            {
                "proposed_decision": "go",
                "due_date": (date.today() + timedelta(days=3)).isoformat(),
                "reviewers": reviewers,
            },
        )
        assert review.status_code == 303
        review_path = review.headers["location"]
        for who in (admin, committee):
            form = who.get(review_path).text
            scores = {
                name: ("1" if kind == "0" else "4")
                for name, kind in re.findall(r'name="(score_\d+)" value="(\d)"', form)
            }
            assert who.post(f"{review_path}/vote", {**scores, "vote": "go"}).status_code == 303
            if who is admin:  # a second vote while the review is open changes nothing
                again = who.post(
                    f"{review_path}/vote", {**scores, "vote": "hold", "rationale": "x"}
                )
                assert again.status_code == 409 and "cannot be changed" in again.text
        assert "Decision: Go" in admin.get(review_path).text

        outsider = await sign_up(base, "Eve", "wall-b", url)
        assert outsider.get(initiative).status_code == 404
        assert outsider.get(initiative.replace("wall-a", "wall-b")).status_code == 404
        # an idle session ends behind the wall too (tracker_identify checks it)
        assert outsider.get("/o/wall-b/").status_code == 200
        await owner.execute(
            "UPDATE web_session SET last_seen_at = now() - interval '9 hours' WHERE person = "
            "(SELECT id FROM person WHERE email = 'eve@wall-b.example.com')"
        )
        assert outsider.get("/o/wall-b/").status_code == 303
        await owner.execute(
            "UPDATE web_session SET last_seen_at = now() WHERE person = "
            "(SELECT id FROM person WHERE email = 'eve@wall-b.example.com')"
        )
        # the person and their memberships come in one round trip: the switcher lists exactly
        # the person's organisations, and nobody signed in is sent to log in
        assert admin.post("/orgs", {"org_name": "Wall C", "org_slug": "wall-c"}).status_code == 303
        switcher = admin.get("/o/wall-c/").text.split('class="menu org-switcher"')[1]
        switcher = switcher.split("</details>")[0]
        assert "/o/wall-a/" in switcher and "/o/wall-c/" in switcher
        assert "/o/wall-b/" not in switcher and "Wall B" not in switcher
        anonymous = httpx.get(f"{base}/o/wall-a/", follow_redirects=False)
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]

        # SOPs, KPIs and the API behind the wall
        sop = admin.post(
            f"{initiative}/sops", {"process_name": "Walled SOP", "number": "SOP-WA-2026-001"}
        )
        assert sop.status_code == 303
        step = admin.post(
            f"{sop.headers['location']}/steps",
            {"name": "Check", "responsible": "CS", "time_value": "2", "time_unit": "hours"},
        )
        assert step.status_code == 303
        kpi = admin.post(
            f"{initiative}/kpis",
            {"name": "Cycle", "direction": "lower", "target": "3", "threshold": "3.5"},
        )
        assert kpi.status_code == 303
        kpi_id = kpi.headers["location"].rsplit("/", 1)[1]
        secrets = []
        for who, slug in ((admin, "wall-a"), (outsider, "wall-b")):
            made = who.post(f"/o/{slug}/settings/api-tokens", {"name": "BI", "scope": "write"})
            assert made.status_code == 201
            secrets.append(re.search(r'<code id="new-token">([^<]+)</code>', made.text).group(1))
        mine = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {secrets[0]}"}
        )
        theirs = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {secrets[1]}"}
        )
        assert [i["name"] for i in mine.get("/initiatives").json()["items"]] == [
            "Walled initiative"
        ]
        written = mine.post(
            f"/kpis/{kpi_id}/measurements",
            json={"measurements": [{"measured_on": date.today().isoformat(), "value": 4}]},
        )
        assert written.status_code == 201 and written.json()["alerts_raised"] == 1
        assert theirs.get("/initiatives").json()["items"] == []
        assert theirs.get(f"/kpis/{kpi_id}/measurements").status_code == 404
        assert "1 open KPI alert" in admin.get("/o/wall-a/kpis").text

        jobs = subprocess.run(
            [sys.executable, "-m", "tracker.cli", "run-jobs"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert jobs.returncode == 0, jobs.stderr[-2000:]
        assert (
            await owner.fetchval("SELECT count(*) FROM digest") >= 3
        )  # one per member of each org
        orgs = {r["org"] for r in await owner.fetch("SELECT org FROM problem")}
        assert len(orgs) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        await owner.close()
        await drop_postgres(WALL_APP_DB)


async def test_the_board_reads_nothing_while_nothing_on_it_changed(tmp_path):
    """Behind the wall the board is kept under the organisation's board revision, which the
    database moves with every change the board shows, whoever makes it: a board seen again
    costs one query (the person), and shows at once what changed, here behind the app's back."""
    need("PostgreSQL", reachable(PG_URL, 5432))
    url = await fresh_postgres(WALL_BOARD_DB)
    run_cli("migrate", database_url=url)
    server, base, _ = start_walled_server(url, tmp_path, {"TRACKER_QUERY_HEADER": "1"})
    owner = await asyncpg.connect(url)
    try:
        wait_until_up(base)
        lead = await sign_up(base, "Ada", "board-a", url)
        other = await sign_up(base, "Eve", "board-b", url)
        initiative = create_initiative(lead, "board-a", "Invoice intake")
        initiative_id = int(initiative.rstrip("/").rsplit("/", 1)[1])
        create_initiative(other, "board-b", "Their initiative")

        def board() -> tuple[str, int]:
            page = lead.get("/o/board-a/")
            assert page.status_code == 200
            return page.text, int(page.headers["x-query-count"])

        text, _ = board()
        assert "Invoice intake" in text and "Their initiative" not in text
        text, queries = board()
        assert queries == 1, "a board seen again reads only the person"

        async def changed(sql: str, *args) -> str:
            await owner.execute(sql, *args)
            text, queries = board()
            assert queries > 1, f"the board did not read again after: {sql}"
            assert board()[1] == 1
            return text

        text = await changed(
            "UPDATE initiative SET name = 'Invoice triage' WHERE id = $1", initiative_id
        )
        assert "Invoice triage" in text and "Invoice intake" not in text
        text = await changed(
            "UPDATE initiative SET status = 'blocked' WHERE id = $1", initiative_id
        )
        assert "Blocked" in text
        text = await changed("UPDATE person SET name = 'Ada Lovelace' WHERE name = 'Ada'")
        assert '<span class="owner">Ada Lovelace</span>' in text  # on the card
        assert ">Ada Lovelace</option>" in text  # and in the owner filter
        text = await changed(
            "UPDATE phase SET planned_end = current_date - 3 WHERE initiative = $1 AND number = 1",
            initiative_id,
        )
        assert "Overdue 3 days" in text
        org = await owner.fetchval("SELECT id FROM organisation WHERE slug = 'board-a'")
        kpi = await owner.fetchval(
            "INSERT INTO kpi (org, initiative, name, unit, direction, target, threshold, "
            "department, formula, data_source, frequency) VALUES "
            "($1, $2, 'Cycle time', 'h', 'lower', 3, 4, '', '', '', 'weekly') RETURNING id",
            org,
            initiative_id,
        )
        text, _ = board()
        await changed(
            "INSERT INTO kpi_alert (org, kpi, measured_on, value, threshold) "
            "VALUES ($1, $2, current_date, 9, 4)",
            org,
            kpi,
        )
        assert "Cycle time" in board()[0]
        # the other organisation's changes do not move this board
        await owner.execute("UPDATE initiative SET name = 'Theirs renamed' WHERE org <> $1", org)
        assert board()[1] == 1
        # a write through the app shows on the next page, as before
        create_initiative(lead, "board-a", "Supplier onboarding")
        assert "Supplier onboarding" in board()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
        await owner.close()
        await drop_postgres(WALL_BOARD_DB)
