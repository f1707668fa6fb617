"""Every figure of the analytics page equals the hand-computed one for a portfolio of decided
reviews made through the gate service (tests/integration/analytics/portfolio.py); filters
change the figures; each figure's drill-down lists what is behind it."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.analytics.portfolio import build, month, quarter

PORTFOLIOS: dict[str, object] = {}


@pytest.fixture
async def portfolio(world):
    if world.backend not in PORTFOLIOS:
        PORTFOLIOS[world.backend] = await build(world)
    return PORTFOLIOS[world.backend]


def figure(text: str, kind: str, **keys: object) -> str:
    """The number shown as the link to a drill-down (kind and keys in the link's order);
    '0' when the figure has no link (nothing behind it)."""
    query = "&amp;".join([f"kind={kind}", *(f"{k}={v}" for k, v in keys.items())])
    found = re.search(re.escape(query) + r'"[^>]*>([^<]+)</a>', text)
    return html.unescape(found.group(1)) if found else "0"


def share(text: str, kind: str, **keys: object) -> str:
    query = "&amp;".join([f"kind={kind}", *(f"{k}={v}" for k, v in keys.items())])
    found = re.search(
        re.escape(query) + r'"[^>]*>[^<]+</a> <span class="muted small">([^<]+)<', text
    )
    return found.group(1) if found else ""


def cell(text: str, ident: str) -> str:
    found = re.search(rf'id="{ident}">(.*?)</td>', text)
    assert found, ident
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


async def page(world, org, role="admin", query="", **headers):
    async with world.client(org, role) as client:
        response = await client.get(f"/o/{org.slug}/analytics{query}", headers=headers)
    assert response.status_code == 200, response.text[:1000]
    return response.text


async def test_every_figure_equals_the_hand_computed_one(world, portfolio):
    text = await page(world, portfolio.org)
    # the funnel now, overdue now, entered and left in the period
    assert [figure(text, "now", phase=p) for p in range(1, 7)] == ["0", "2", "2", "1", "0", "0"]
    assert [figure(text, "overdue", phase=p) for p in range(1, 7)] == ["0"] * 3 + ["1", "0", "0"]
    assert [figure(text, "entered", phase=p) for p in range(1, 7)] == ["6", "2", "1", "0", "0", "0"]
    assert [figure(text, "left", phase=p) for p in range(1, 7)] == ["3", "1", "0", "0", "0", "0"]
    assert figure(text, "entered", phase=1, month=month(130)) == "1"  # B recycled to Scoping
    assert figure(text, "left", phase=2, month=month(15)) == "1"
    # outcomes per gate, counts and rates
    assert figure(text, "decisions", gate=1) == "3"
    assert figure(text, "decisions", gate=1, outcome="go") == "2"
    assert share(text, "decisions", gate=1, outcome="go") == "66.7 %"
    assert figure(text, "decisions", gate=1, outcome="recycle") == "1"
    assert share(text, "decisions", gate=1, outcome="recycle") == "33.3 %"
    assert figure(text, "decisions", gate=2, outcome="go_conditions") == "1"
    assert share(text, "decisions", gate=2, outcome="go_conditions") == "100.0 %"
    assert figure(text, "decisions", gate=3, outcome="hold") == "1"
    assert figure(text, "decisions", gate=1, outcome="stop") == "0"
    assert figure(text, "decisions", outcome="go") == "2"  # all gates
    # per quarter: the recycle in its own quarter unless it shares one with the others
    quarters: dict[str, int] = {}
    for days in (10, 130, 20, 15, 5):
        quarters[quarter(days)] = quarters.get(quarter(days), 0) + 1
    for key, count in quarters.items():
        assert figure(text, "decisions", quarter=key) == str(count)
    # first-pass rate, with its definition on the page
    assert [cell(text, f"first-pass-{g}") for g in (1, 2, 3, 0)] == [
        "50.0 % 1/2",
        "100.0 % 1/1",
        "0.0 % 0/1",
        "50.0 % 2/4",
    ]
    assert 'id="first-pass-definition"' in text
    # decision lead time: median and 90th percentile per gate and for all gates
    assert [cell(text, f"lead-median-{g}") for g in (1, 2, 3, 4, 0)] == [
        "4.0",
        "10.0",
        "1.0",
        "—",
        "4.0",
    ]
    assert [cell(text, f"lead-p90-{g}") for g in (1, 2, 3, 0)] == ["5.6", "10.0", "1.0", "8.4"]
    # time in phase against the plan
    assert [cell(text, f"phase-{k}-1") for k in ("actual", "planned", "diff")] == [
        "10.0",
        "6.0",
        "+4.0",
    ]
    assert [cell(text, f"phase-{k}-2") for k in ("actual", "planned", "diff")] == [
        "15.0",
        "19.0",
        "-4.0",
    ]
    assert cell(text, "phase-over-1") == "1 100.0 %" and cell(text, "phase-over-2") == "0 0.0 %"
    # conditions closed on time: 1 on time, 1 late, 1 open past due (the 4th is not due)
    assert figure(text, "conditions", state="on_time") == "1"
    assert figure(text, "conditions", state="late") == "1"
    assert figure(text, "conditions", state="overdue") == "1"
    assert 'id="conditions-rate">33.3 %<' in text


async def test_reviewer_calibration_is_hand_computed(world, portfolio):
    org = portfolio.org
    text = await page(world, org)

    def row(role: str) -> tuple[str, ...]:
        found = re.search(
            rf"reviewer={org.people[role]}\">[^<]+</a></th>"
            r'<td class="num">(\d+)</td><td class="num">([^<]+)</td><td class="num">([^<]+)</td>'
            r'<td class="num">(\d+)</td><td class="num">(\d+) <span class="muted small">([^<]+)<',
            text,
        )
        assert found, role
        return found.groups()[1:]

    assert row("committee") == ("+1.00", "1.00", "5", "5", "100.0 %")
    assert row("admin") == ("-1.00", "1.00", "5", "5", "100.0 %")
    assert row("committee2") == ("+0.00", "0.00", "1", "0", "0.0 %")
    async with world.client(org, "admin") as client:
        drill = await client.get(
            f"/o/{org.slug}/analytics/drill?kind=reviewer&reviewer={org.people['committee2']}"
        )
    assert drill.status_code == 200
    assert "+0.00" in drill.text and drill.text.count(f"/reviews/{portfolio.reviews['B1']}") == 1


async def test_filters_change_the_figures(world, portfolio):
    org = portfolio.org
    since = month(60)
    text = await page(world, org, query=f"?from={since}")
    assert figure(text, "decisions", gate=1) == "2"  # B's recycle is before the period
    assert cell(text, "first-pass-1") == "100.0 % 1/1"  # B's Go was not its first review
    assert cell(text, "lead-p90-0") == "8.8"  # 1, 2, 6, 10
    assert figure(text, "entered", phase=1) == "5" and figure(text, "left", phase=1) == "2"
    assert f"reviewer={org.people['committee2']}" not in text
    logistics = await page(world, org, query="?department=logistics")
    assert figure(logistics, "now", phase=3) == "1" and figure(logistics, "now", phase=2) == "0"
    assert figure(logistics, "decisions", gate=2) == "1"
    assert figure(logistics, "decisions", gate=1) == "0"
    assert 'id="conditions-rate">33.3 %<' in logistics
    for query in ("?process_class=management", f"?owner={org.people['admin']}"):
        only_f = await page(world, org, query=query)
        assert figure(only_f, "overdue", phase=4) == "1"
        assert figure(only_f, "now", phase=2) == "0"
        assert cell(only_f, "lead-median-0") == "—"
    # htmx asks for the figures only, to swap in place
    async with world.client(org, "lead") as client:
        part = await client.get(
            f"/o/{org.slug}/analytics?department=logistics", headers={"hx-request": "true"}
        )
    assert part.text.lstrip().startswith('<div id="report"') and "<html" not in part.text
    # a month that is not YYYY-MM falls back to the default period, never an error
    assert await page(world, org, query="?from=2026-13&to=nonsense")


async def test_drill_downs_list_what_is_behind_each_figure(world, portfolio):
    org = portfolio.org
    base = f"/o/{org.slug}/analytics/drill"
    async with world.client(org, "viewer") as client:
        now = await client.get(f"{base}?kind=now&phase=3")
        assert now.status_code == 200
        for name in ("C", "D"):
            assert f'/initiatives/{portfolio.ids[name]}"' in now.text
        assert f'/initiatives/{portfolio.ids["A"]}"' not in now.text
        overdue = await client.get(f"{base}?kind=overdue")
        assert f'/initiatives/{portfolio.ids["F"]}"' in overdue.text
        first = await client.get(f"{base}?kind=first&gate=1&passed=0")
        assert f'/reviews/{portfolio.reviews["B1"]}"' in first.text
        assert f'/reviews/{portfolio.reviews["A"]}"' not in first.text
        recycled = await client.get(f"{base}?kind=decisions&gate=1&outcome=recycle")
        assert f'/reviews/{portfolio.reviews["B1"]}"' in recycled.text
        late = await client.get(f"{base}?kind=conditions&state=late")
        assert "Fix" in late.text and late.text.count("<tr>") == 2  # header + one row
        phases = await client.get(f"{base}?kind=phase_time&phase=2")
        assert f'/initiatives/{portfolio.ids["C"]}"' in phases.text
        for bad in ("kind=nope", "kind=now&phase=9", "kind=decisions&outcome=maybe"):
            assert (await client.get(f"{base}?{bad}")).status_code == 404
