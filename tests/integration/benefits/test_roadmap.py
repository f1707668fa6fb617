"""The roadmap: a row per initiative with its phases (planned and actual bars) and gate
diamonds coloured by outcome with the outcome in words, a today line, zoom by month or
quarter, the board's filters, "show more", another organisation's 404 and a fixed number of
queries for 10 and 1,000 initiatives."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tests.integration.benefits.helpers import decide, fresh_org
from tracker.db import count_queries
from tracker.initiatives.tables import Initiative, Phase
from tracker.roadmap import rules


async def test_rows_bars_gates_today_and_filters(world):
    org = await fresh_org(world, "road")
    moving = await make_initiative(
        org, phase=3, age_days=40, name="Invoice matching", departments="Finance"
    )
    await decide(org, moving, 3, "recycle")  # back to Design with the reason in words
    await make_initiative(org, phase=1, name="Warehouse picking", departments="Logistics")
    url = f"/o/{org.slug}/roadmap"
    for role in ("admin", "lead", "committee", "member", "viewer"):
        async with world.client(org, role) as client:
            page = await client.get(url)
            assert page.status_code == 200
    text = page.text
    assert "Invoice matching" in text and "Warehouse picking" in text
    assert 'class="rm-today"' in text and "rm-actual p3" in text and 'class="rm-planned"' in text
    assert "rm-gate outcome-recycle" in text and "rm-gate outcome-planned" in text
    assert f"Gate 3: Recycle on {date.today().isoformat()}" in text  # for screen readers
    assert f'href="/o/{org.slug}/roadmap"' in text  # in the main menu
    async with world.client(org, "viewer") as client:
        finance = await client.get(url + "?department=Finance", headers={"HX-Request": "true"})
        assert finance.text.lstrip().startswith('<div id="roadmap">')
        assert "Invoice matching" in finance.text and "Warehouse picking" not in finance.text
        quarter = await client.get(url + "?zoom=quarter")
        assert "Q1" in quarter.text or "Q2" in quarter.text or "Q3" in quarter.text
        assert 'aria-current="true">Quarters<' in quarter.text
        later = await client.get(url + "?start=2040-01")
        assert 'class="rm-today"' not in later.text and "2040-01" in later.text
        assert (await client.get(url + "?rows=abc")).status_code == 400
    other = await fresh_org(world, "roadx")
    async with world.client(other, "admin") as outsider:
        assert (await outsider.get(url)).status_code == 404


async def bulk(org, n, start):
    """``n`` initiatives with their six phases (planned from today), inserted at once."""
    today = date.today()
    ids = [
        r["id"]
        for r in await Initiative.insert(
            *(
                Initiative(
                    org=org.id,
                    name=f"Road {start + k}",
                    process_code=f"ROAD-X-2026-{start + k:04d}",
                    process_class="core",
                    departments="Ops",
                    goal_metric="t",
                    start_date=today,
                )
                for k in range(n)
            )
        )
    ]
    plan = rules_plan(today)
    for chunk in range(0, len(ids), 200):  # PostgreSQL takes at most 32,767 values at once
        await Phase.insert(
            *(
                Phase(
                    org=org.id,
                    initiative=i,
                    number=number,
                    planned_start=planned_start,
                    planned_end=planned_end,
                    actual_start=today if number == 1 else None,
                )
                for i in ids[chunk : chunk + 200]
                for number, planned_start, planned_end in plan
            )
        )


def rules_plan(today):
    from tracker.initiatives.rules import plan_phases

    return [(int(p.number), p.planned_start, p.planned_end) for p in plan_phases(today)]


async def test_a_fixed_number_of_queries_and_show_more(world):
    org = await fresh_org(world, "roadq")
    await bulk(org, 10, 0)

    async def measured(query=""):
        async with world.client(org, "member") as client:
            with count_queries() as counter:
                response = await client.get(f"/o/{org.slug}/roadmap{query}")
            assert response.status_code == 200
        return counter.count, response.text

    small, text = await measured()
    assert text.count('class="rm-row"') == 10 and "Show more" not in text
    await bulk(org, 990, 10)
    large, text = await measured()
    assert large == small
    assert text.count('class="rm-row"') == rules.PAGE and "Showing 50 of 1000 initiatives." in text
    assert "Show more" in text and f"rows={rules.PAGE * 2}" in text
    more, text = await measured(f"?rows={rules.PAGE * 2}")
    assert more == small and text.count('class="rm-row"') == rules.PAGE * 2


def test_window_and_bars_are_placed_by_date():
    today = date(2026, 11, 29)
    win = rules.window("month", today)
    assert (win.first, win.end, win.width) == (date(2026, 10, 1), date(2027, 10, 1), 960)
    quarter = rules.window("quarter", today)
    assert (quarter.first, quarter.end) == (date(2026, 7, 1), date(2028, 7, 1))
    assert [t.quarter for t in rules.ticks(quarter)][:4] == [3, 4, 1, 2]
    row = rules.row(
        {"id": 1, "process_code": "X", "name": "n", "status": "on_track", "phase": 2},
        [
            {
                "number": 1,
                "planned_start": date(2026, 10, 1),
                "planned_end": date(2026, 10, 7),
                "actual_start": date(2026, 10, 1),
                "actual_end": date(2026, 10, 12),
            },
            {
                "number": 2,
                "planned_start": date(2026, 10, 8),
                "planned_end": date(2026, 12, 31),
                "actual_start": date(2026, 10, 13),
                "actual_end": None,
            },
        ],
        [{"gate": 1, "outcome": "go", "decided_at": "2026-10-12 09:00:00+00:00"}],
        win,
        today,
    )
    first, second = row.actual
    assert first.late and not second.late  # phase 1 ended 5 days past its plan
    assert second.x == win.x(date(2026, 10, 13)) and second.end == today
    assert [(g.gate, g.outcome) for g in row.gates] == [(1, "go"), (2, None)]
    assert row.gates[1].day == date(2026, 12, 31)
    assert win.x(date(2026, 10, 1)) == 0 and win.x(date(2027, 10, 1)) == 960
    assert rules.window("month", today, "nonsense").first == date(2026, 10, 1)
    assert rules.window("bogus", today, "2030-05").first == date(2030, 5, 1)
    assert timedelta(days=win.days) == win.end - win.first
