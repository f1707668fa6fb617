"""Self-service accounts behind the tenant wall (a real server whose pool runs as
``tracker_app``), with the jobs run once and a real SMTP server: the reset link arrives and
works, the settings page reads every organisation of the person, and a member can leave."""

from __future__ import annotations

import os
import re

import asyncpg

from tests.conftest import PG_URL, drop_postgres, fresh_postgres, need, reachable, run_cli
from tests.integration.test_tenant_wall_app import (
    Browser,
    sign_up,
    start_walled_server,
    wait_until_up,
)

SELF_DB = f"tracker_wall_self_{os.getpid()}"  # a run of its own


async def test_reset_settings_and_leaving_behind_the_wall(tmp_path, mailbox):
    need("PostgreSQL", reachable(PG_URL, 5432))
    url = await fresh_postgres(SELF_DB)
    run_cli("migrate", database_url=url)
    server, base, env = start_walled_server(
        url, tmp_path, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port)}
    )
    owner = await asyncpg.connect(url)
    try:
        wait_until_up(base)
        ada = await sign_up(base, "Ada", "self-a", url)
        await sign_up(base, "Bob", "self-b", url)
        invited = ada.post(
            "/o/self-a/settings/invitations", {"email": "bob@self-b.example.com", "role": "member"}
        )
        link = re.search(r'value="(http[^"]+/invite/[^"]+)"', invited.text).group(1)
        bob = Browser(base)
        assert (
            bob.post(
                "/login", {"email": "bob@self-b.example.com", "password": "a long password 1"}
            ).status_code
            == 303
        )
        bob.signed_in()  # the CSRF token changes at log-in
        assert bob.post(link.replace(base, ""), {}).status_code == 303
        settings = bob.get("/account")
        assert settings.status_code == 200
        assert 'action="/o/self-a/digests/preference"' in settings.text
        assert 'action="/o/self-b/digests/preference"' in settings.text

        saved = bob.post(
            "/account/profile",
            {"name": "Bob B", "language": "zh_Hans", "timezone": "Asia/Shanghai"},
        )
        assert saved.status_code == 303
        moving = bob.post(
            "/account/email", {"new_email": "bob@new.example.com", "password": "a long password 1"}
        )
        assert moving.status_code == 303

        anonymous = Browser(base)
        asked = anonymous.post("/password/forgot", {"email": "ada@self-a.example.com"})
        assert asked.status_code == 200
        jobs = run_cli("run-jobs", database_url=url, extra_env=env, check=False)
        assert jobs.returncode == 0, jobs.stderr[-2000:]
        mails = [m for rcpt, m in mailbox.messages if rcpt == ["ada@self-a.example.com"]]
        resets = [m for m in mails if "password" in m["Subject"]]
        assert len(resets) == 1
        path = re.search(
            r"/password/reset/[A-Za-z0-9_-]+", resets[0].get_body(("plain",)).get_content()
        ).group(0)
        assert anonymous.get(path).status_code == 200
        done = anonymous.post(path, {"new": "walled new secret", "confirm": "walled new secret"})
        assert done.status_code == 303
        assert ada.get("/o/self-a/").status_code == 303  # her old session is gone
        assert (
            anonymous.post(
                "/login", {"email": "ada@self-a.example.com", "password": "walled new secret"}
            ).status_code
            == 303
        )

        confirm = [m for rcpt, m in mailbox.messages if rcpt == ["bob@new.example.com"]]
        assert len(confirm) == 1
        email_path = re.search(
            r"/account/email/[A-Za-z0-9_-]+", confirm[0].get_body(("plain",)).get_content()
        ).group(0)
        assert bob.post(email_path, {}).status_code == 303
        assert (
            await owner.fetchval(
                "SELECT name || ' ' || email || ' ' || timezone FROM person WHERE email LIKE 'bob@%'"
            )
            == "Bob B bob@new.example.com Asia/Shanghai"
        )

        left = bob.post("/o/self-a/leave", {})
        assert left.status_code == 303 and left.headers["location"] == "/orgs"
        assert bob.get("/o/self-a/").status_code == 404
        assert (
            await owner.fetchval(
                "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person "
                "WHERE p.email = 'bob@new.example.com'"
            )
            == 1
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        await owner.close()
        await drop_postgres(SELF_DB)
