"""The board's parts (issue 19): each column is read through an index and kept rendered on its
own, its count is kept by triggers, and a change re-renders only the columns it touches."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from tests.helpers import make_initiative
from tests.integration.test_tenant_wall import walled_db  # noqa: F401 (a fixture)
from tracker.initiatives.controller import COLUMN_PARTS
from tracker.initiatives.tables import Initiative, Phase


def column_html(html: str, phase: int) -> str:
    return html.split(f'id="phase-{phase}"')[1].split("</section>")[0]


async def fresh_org(slug: str):
    from tests.conftest import make_org
    from tracker.auth import hash_password

    return await make_org(slug, await hash_password("x" * 12))


async def placed(org_id: int) -> tuple[list[tuple], dict[int, int], dict[int, int]]:
    """The cards' place as kept on the initiative and as read from its current phase, and
    the columns' counts as kept and as counted."""
    from tracker import db

    rows = await db.fetch(
        "SELECT i.id, i.board_phase, i.board_due, i.board_since, COALESCE(p.number, 1) AS n, "
        "CASE WHEN p.actual_end IS NULL THEN p.planned_end END AS due, p.actual_start "
        "FROM initiative i LEFT JOIN phase p ON p.id = i.current_phase "
        "WHERE i.org = $1 ORDER BY i.id".replace("$1", str(org_id))
    )
    kept = {
        r["phase"]: r["total"]
        for r in await db.fetch(f"SELECT phase, total FROM board_column WHERE org = {org_id}")
        if r["phase"] > 0 and r["total"]
    }
    counted: dict[int, int] = {}
    for r in rows:
        counted[r["board_phase"]] = counted.get(r["board_phase"], 0) + 1

    def day(value):
        return date.fromisoformat(value) if isinstance(value, str) else value

    mismatched = [
        r
        for r in rows
        if (r["board_phase"], day(r["board_due"]), day(r["board_since"]))
        != (r["n"], day(r["due"]), day(r["actual_start"]))
    ]
    return mismatched, kept, counted


async def test_each_card_s_place_and_each_column_s_count_follow_every_change(world):
    org = await fresh_org(f"placed-{world.backend}")
    first = await make_initiative(org, phase=2, age_days=30)
    second = await make_initiative(org, phase=2, age_days=5)
    await make_initiative(org, phase=5, age_days=5)
    phases = {
        r["number"]: r["id"]
        for r in await Phase.select(Phase.id, Phase.number).where(Phase.initiative == first)
    }
    # a gate decision moves the first to phase 3: its column and both counts follow
    await Phase.update({Phase.actual_end: date.today()}).where(Phase.id == phases[2])
    await Phase.update({Phase.actual_start: date.today() - timedelta(days=2)}).where(
        Phase.id == phases[3]
    )
    await Initiative.update({Initiative.current_phase: phases[3]}).where(Initiative.id == first)
    # its new phase's plan changes: it is overdue now
    await Phase.update({Phase.planned_end: date.today() - timedelta(days=4)}).where(
        Phase.id == phases[3]
    )
    await Initiative.delete().where(Initiative.id == second)
    mismatched, kept, counted = await placed(org.id)
    assert mismatched == []
    assert kept == counted == {3: 1, 5: 1}
    async with world.client(org, "viewer") as client:
        html = (await client.get(f"/o/{org.slug}/")).text
    card = column_html(html, 3)
    assert "Overdue 4 days" in card and "2 days in phase" in card
    assert '<span class="count">1</span>' in card
    assert 'class="card ' not in column_html(html, 2)


async def test_a_change_in_one_phase_re_renders_that_column_only(world):
    from tests.integration.kpis.test_kpis import make_kpi

    org = await fresh_org(f"one-column-{world.backend}")
    ids = {n: await make_initiative(org, phase=n, name=f"Card in {n}") for n in range(1, 7)}
    moving = await make_initiative(org, phase=2, name="Moving card")
    kpi = await make_kpi(world, org, ids[4])

    async with world.client(org, "admin") as client:

        async def renders() -> tuple[int, str]:
            before = COLUMN_PARTS.misses
            page = await client.get(f"/o/{org.slug}/")
            assert page.status_code == 200
            return COLUMN_PARTS.misses - before, page.text

        await renders()
        assert (await renders())[0] == 0  # nothing changed: every column kept
        await Initiative.update({Initiative.status: "blocked"}).where(Initiative.id == ids[3])
        count, html = await renders()
        assert count == 1 and "status-blocked" in column_html(html, 3)
        # a KPI measurement past its threshold raises an alert: no column shows it
        measured = await client.post(
            f"/o/{org.slug}/kpis/{kpi}/measurements",
            data={"measured_on": date.today().isoformat(), "value": "99"},
        )
        assert measured.status_code in (200, 303), measured.text
        count, html = await renders()
        assert count == 0 and "Delivery lead time" in html.split('id="board"')[0]  # the alert
        # moving a card from phase 2 to 3 re-renders those two
        target = await Phase.select(Phase.id).where(Phase.initiative == moving, Phase.number == 3)
        await Initiative.update({Initiative.current_phase: target[0]["id"]}).where(
            Initiative.id == moving
        )
        count, html = await renders()
        assert count == 2 and "Moving card" in column_html(html, 3)
        assert "Moving card" not in column_html(html, 2)


async def test_the_parts_revisions_move_with_what_each_part_shows(walled_db):  # noqa: F811
    """PostgreSQL (migration 2026-11-30T21:10): part 0 is the filter form, 1–6 the columns."""
    owner, (a, b) = walled_db

    async def parts(org: int = a) -> dict[int, int]:
        rows = await owner.fetch("SELECT phase, revision FROM board_column WHERE org = $1", org)
        return {r["phase"]: r["revision"] for r in rows}

    def moved(before: dict[int, int], after: dict[int, int]) -> set[int]:
        return {n for n in after if before.get(n) != after[n]}

    initiative = await owner.fetchval("SELECT id FROM initiative WHERE org = $1", a)
    phases = []
    for n in range(1, 4):
        phases.append(
            await owner.fetchval(
                "INSERT INTO phase (org, initiative, number, planned_start) "
                "VALUES ($1, $2, $3, current_date) RETURNING id",
                a,
                initiative,
                n,
            )
        )
    start = await parts()
    assert set(start) == set(range(7)) and await parts(b)  # every organisation's, from the start
    await owner.execute(
        "UPDATE initiative SET current_phase = $1 WHERE id = $2", phases[1], initiative
    )
    into_two = await parts()
    assert moved(start, into_two) == {1, 2}
    totals = await owner.fetch("SELECT phase, total FROM board_column WHERE org = $1", a)
    assert {r["phase"]: r["total"] for r in totals if r["total"]} == {2: 1}
    await owner.execute("UPDATE initiative SET name = 'renamed' WHERE id = $1", initiative)
    renamed = await parts()
    assert moved(into_two, renamed) == {2}
    await owner.execute(
        "UPDATE initiative SET scope_in = 'not on a card' WHERE id = $1", initiative
    )
    assert await parts() == renamed
    await owner.execute(
        "UPDATE initiative SET departments = 'Night shift' WHERE id = $1", initiative
    )
    departments = await parts()
    assert moved(renamed, departments) == {0, 2}
    await owner.execute(
        "UPDATE phase SET actual_start = current_date - 3 WHERE id = $1", phases[1]
    )  # the card's days in phase
    started = await parts()
    assert moved(departments, started) == {2}
    await owner.execute("UPDATE phase SET actual_start = current_date WHERE id = $1", phases[2])
    assert await parts() == started  # not its current phase
    await owner.execute(
        "INSERT INTO gate_review (org, initiative, gate, status) VALUES ($1, $2, 2, 'open')",
        a,
        initiative,
    )
    reviewed = await parts()
    assert moved(started, reviewed) == {2}
    person = await owner.fetchval(
        "INSERT INTO person (email, name, password_hash) VALUES ('parts@x.example', 'P', '') "
        "RETURNING id"
    )
    await owner.execute(
        "INSERT INTO membership (org, person, role) VALUES ($1, $2, 'lead')", a, person
    )
    joined = await parts()
    assert moved(reviewed, joined) == {0}
    await owner.execute("UPDATE person SET name = 'Pat' WHERE id = $1", person)
    assert moved(joined, await parts()) == set(range(7))
    before_b = await parts(b)
    await owner.execute("UPDATE initiative SET name = 'theirs' WHERE org = $1", b)
    assert moved(before_b, await parts(b)) == {1}
    # behind the wall: readable with the person, never written by the app's role
    async with owner.transaction():
        await owner.execute("SET LOCAL ROLE tracker_app")
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(a))
        assert {r["org"] for r in await owner.fetch("SELECT org FROM board_column")} == {a}
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner.execute("SELECT tracker_board_part_changed($1, 1, 5)", a)


async def test_a_column_s_first_cards_are_the_same_whichever_way_they_are_read(world):
    """Overdue first, then blocked, then at risk, then by code: read with few or with many
    overdue cards (PostgreSQL reads them one way or the other), with a filter or without."""
    from tracker.initiatives import board as service
    from tracker.initiatives import queries as q
    from tracker.initiatives.board import BoardFilter
    from tracker.tenancy import TenantScope

    org = await fresh_org(f"orders-{world.backend}")
    statuses = ("on_track", "blocked", "at_risk", "on_hold")
    made = []
    for n in range(36):
        status = statuses[n * 7 % 4]
        age = 40 if n % 3 == 0 else 1  # a third of them overdue
        made.append(
            await make_initiative(org, phase=2, age_days=age, status=status, name=f"Order {n}")
        )
    today = date.today()
    scope = TenantScope(org.id)

    async def ids(flt: BoardFilter, statement=None) -> list[int]:
        if statement is None:
            rows = await service.board_rows(scope, flt, today, [2], limit=20)
        else:
            values = service.filter_values(flt) if flt.active else {}
            rows = await scope.fetch(
                statement,
                open_states=("open",),
                today=today,
                **values,
                **{f"limit_{n}": 20 if n == 2 else 0 for n in q.PHASE_NUMBERS},
            )
        return [r["id"] for r in rows]

    every = await db_rows(org.id)
    expected = [r["id"] for r in sorted(every, key=order(today))][:20]
    filtered = BoardFilter(status="blocked")
    expected_blocked = [
        r["id"] for r in sorted(every, key=order(today)) if r["status"] == "blocked"
    ][:20]
    assert await ids(BoardFilter()) == expected
    assert await ids(filtered) == expected_blocked
    if world.backend == "postgres":  # few overdue (all read, then sorted), many (in order)
        for few in (1, 1000):
            assert await ids(BoardFilter(), q._board_pg(False, few)) == expected
            assert await ids(filtered, q._board_pg(True, few)) == expected_blocked


async def db_rows(org_id: int) -> list[dict]:
    return await Initiative.select(
        Initiative.id,
        Initiative.status,
        Initiative.process_code,
        Initiative.current_phase.planned_end,
    ).where(Initiative.org == org_id)


def order(today: date):
    def key(row: dict) -> tuple:
        due = row["current_phase.planned_end"]
        due = date.fromisoformat(due) if isinstance(due, str) else due
        rank = {"blocked": 0, "at_risk": 1}.get(row["status"], 2)
        return (0 if due is not None and due < today else 1, rank, row["process_code"])

    return key


async def test_the_open_alerts_above_the_board_are_rendered_once_per_change(world):
    """The open KPI alerts (up to 200 rows, each with its Acknowledge form) are kept rendered
    until the board changes: a second visit renders nothing; a new alert, or one
    acknowledged, shows at once, and only its row is rendered; each visitor's forms carry
    that visitor's own CSRF token."""
    import re

    import httpx

    from tests import conftest
    from tests.integration.kpis.test_kpis import make_kpi
    from tracker.fragments import CSRF_MARK
    from tracker.initiatives.controller import ALERT_ROWS, ALERTS_TEMPLATE, BOARD_PARTS

    org = await fresh_org(f"kept-alerts-{world.backend}")
    initiative = await make_initiative(org, phase=6, name="Alerting")
    kpi = await make_kpi(world, org, initiative, name="Alerting KPI")
    day = date.today() - timedelta(days=1)

    def alerts(html: str) -> str:
        return html.split('id="alerts-h"')[1].split("</section>")[0] if "alerts-h" in html else ""

    async with world.client(org, "lead") as client:

        def kept() -> set:
            return {
                key
                for key in BOARD_PARTS._values
                if key.template == ALERTS_TEMPLATE and key.ctx and key.ctx.org_id == org.id
            }

        async def board() -> tuple[int, str]:
            """The alert parts rendered to show the board (kept under a key not kept before:
            a new revision's part replaces its slot's last), and the page."""
            before = kept()
            page = await client.get(f"/o/{org.slug}/")
            assert page.status_code == 200
            return len(kept() - before), page.text

        async def measure(on: date, value: str) -> None:
            done = await client.post(
                f"/o/{org.slug}/kpis/{kpi}/measurements",
                data={"measured_on": on.isoformat(), "value": value},
            )
            assert done.status_code == 303, done.text

        await measure(day, "9")
        assert (await board())[0] == 1
        rendered, html = await board()
        assert rendered == 0 and "1 open KPI alert" in alerts(html)
        tokens = set(re.findall(r'name="_csrf_token" value="([^"]+)"', alerts(html)))
        assert tokens == {conftest.CSRF_TOKEN}
        await measure(day - timedelta(days=1), "8")
        rows = ALERT_ROWS.misses
        rendered, html = await board()
        assert rendered == 1 and "2 open KPI alerts" in alerts(html)
        assert ALERT_ROWS.misses - rows == 1  # the new alert's row only
        assert "8 days" in alerts(html) and "9 days" in alerts(html)
        newest = re.search(r"/kpi-alerts/(\d+)/acknowledge", alerts(html)).group(1)
        acknowledged = await client.post(
            f"/o/{org.slug}/kpi-alerts/{newest}/acknowledge", data={"next": f"/o/{org.slug}/"}
        )
        assert acknowledged.status_code == 303
        assert "1 open KPI alert" in alerts((await board())[1])

    # another visitor, without a CSRF cookie yet: their own token in the kept forms
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.asgi),
        base_url="http://testserver",
        cookies={"tracker_session": org.tokens["lead"]},
    ) as other:
        page = await other.get(f"/o/{org.slug}/")
        own = other.cookies["csrftoken"]
        assert own != conftest.CSRF_TOKEN and str(CSRF_MARK) not in page.text
        forms = re.findall(r'name="_csrf_token" value="([^"]+)"', alerts(page.text))
        assert forms == [own]
