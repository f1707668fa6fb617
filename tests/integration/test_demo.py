"""The demo tells the whole story, in one language: `tracker demo --lang en|zh_Hans`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tracker.accounts.tables import Membership, Organisation, Person
from tracker.auth import start_session
from tracker.cli import build_parser, locale_language
from tracker.demo import create_demo
from tracker.demo_content import INITIATIVES
from tracker.gates.tables import (
    Condition,
    GateDecision,
    GateReview,
    InitiativeEvent,
    ReviewAssignment,
    Vote,
)
from tracker.initiatives.tables import Initiative
from tracker.piccolo_app import APP_CONFIG
from tracker.sops.tables import SopVersion

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# two English words side by side in a text that also has Chinese: a glued pair
GLUED = re.compile(r"[A-Za-z]{3,}[ ,.;:()-]+[A-Za-z]{3,}")
NOT_SHOWN = {"password_hash", "token_hash", "detail", "rule_snapshot", "pending_outcome", "key"}


async def make(world, lang: str) -> dict[str, Any]:
    slug = f"demo-{lang.lower().replace('_', '-')}-{world.backend}"
    domain = f"{slug}.example.com"
    if not await Organisation.exists().where(Organisation.slug == slug):
        await create_demo(lang=lang, slug=slug, domain=domain)
    org = await Organisation.select().where(Organisation.slug == slug).first()
    person = await Person.select().where(Person.email == f"demo@{domain}").first()
    return {"org": org, "slug": slug, "person": person}


async def texts_of(org_id: int) -> list[tuple[str, str, str]]:
    """Every text of the organisation a person can see: (table, column, value)."""
    found = []
    for table in APP_CONFIG.table_classes:
        if table._meta.tablename == "audit_entry":
            continue  # copies of the other tables' values (checked there) with field names
        columns = {c._meta.name: c for c in table._meta.columns}
        if "org" in columns:
            rows = await table.select().where(columns["org"] == org_id)
        elif table is Person:
            members = await Membership.select(Membership.person).where(Membership.org == org_id)
            rows = await Person.select().where(Person.id.is_in([m["person"] for m in members]))
        elif table is Organisation:
            rows = await Organisation.select().where(Organisation.id == org_id)
        else:
            continue
        for row in rows:
            for name, value in row.items():
                if isinstance(value, str) and name not in NOT_SHOWN:
                    found.append((table._meta.tablename, name, value))
    return found


def page_text(html: str) -> str:
    """What a page shows (not markup, scripts, or the switcher naming 中文 in itself)."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html).replace("中文", "")


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
async def test_every_text_of_the_demo_is_in_its_language(world, lang):
    demo = await make(world, lang)
    texts = await texts_of(demo["org"]["id"])
    assert len(texts) > 500
    for table, column, value in texts:
        if lang == "en":
            assert not CJK.search(value), (table, column, value)
        elif CJK.search(value):
            assert not GLUED.search(value), (table, column, value)
    names = {v for t, c, v in texts if t == "person" and c == "name"}
    assert ("Li Na" in names) if lang == "en" else ("李娜" in names)
    assert demo["org"]["language"] == lang


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
async def test_the_demo_has_every_kind_of_decision_and_the_history(world, lang):
    demo = await make(world, lang)
    org = demo["org"]["id"]
    decisions = await GateDecision.select().where(GateDecision.org == org)
    outcomes = {d["outcome"] for d in decisions}
    assert outcomes == {"go", "go_conditions", "recycle", "hold"}
    recycle = next(d for d in decisions if d["outcome"] == "recycle")
    assert recycle["recycle_to"] == 3 and recycle["rationale"]
    assert all(d["rationale"] for d in decisions)
    votes = await Vote.select().where(Vote.org == org)
    assert len(votes) == 2 * len(decisions) + 1 and all(v["rationale"] for v in votes)
    conditions = await Condition.select().where(Condition.org == org)
    open_ = [c for c in conditions if c["closed_at"] is None]
    assert len(conditions) == 2 and len(open_) == 1
    assert open_[0]["owner"] and open_[0]["due_date"]
    held = await Initiative.select().where(Initiative.org == org, Initiative.status == "on_hold")
    assert len(held) == 1
    # history: every initiative past scoping has its requests, votes and decisions
    initiatives = await Initiative.select(
        Initiative.id, Initiative.process_code, Initiative.current_phase.number
    ).where(Initiative.org == org)
    phases = {i["process_code"].rsplit("-", 2)[0]: i["current_phase.number"] for i in initiatives}
    assert phases == {item[1]: item[-3] for item in INITIATIVES}
    events = await InitiativeEvent.select().where(InitiativeEvent.org == org)
    for initiative in initiatives:
        kinds = {e["kind"] for e in events if e["initiative"] == initiative["id"]}
        if initiative["current_phase.number"] > 1:
            assert {"review_requested", "voted", "decided"} <= kinds, initiative
    # decided on the days they happened, not all today
    assert len({d["decided_at"].date() for d in decisions}) > 10
    # the SOP published at V1.1 with V1.0 before it
    versions = await SopVersion.select().where(
        SopVersion.org == org, SopVersion.status == "published"
    )
    assert {(v["major"], v["minor"]) for v in versions} >= {(1, 0), (1, 1)}


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
async def test_my_reviews_has_the_open_review_for_the_demo_person(world, lang):
    demo = await make(world, lang)
    org, person = demo["org"]["id"], demo["person"]["id"]
    review = await GateReview.select().where(GateReview.org == org, GateReview.status == "open")
    assert len(review) == 1
    assert await ReviewAssignment.exists().where(
        ReviewAssignment.review == review[0]["id"], ReviewAssignment.reviewer == person
    )
    token = await start_session(person)
    async with world.client() as client:
        client.cookies.set("tracker_session", token)
        base = f"/o/{demo['slug']}"
        mine = await client.get(f"{base}/reviews")
        assert mine.status_code == 200
        assert f"/reviews/{review[0]['id']}" in mine.text
        open_page = await client.get(f"{base}/reviews/{review[0]['id']}")
        assert ("activation rate is at 41 %" if lang == "en" else "激活率为 41%") in open_page.text
        decided = await GateReview.select(GateReview.id, GateReview.initiative).where(
            GateReview.org == org, GateReview.status == "decided"
        )
        pages = [
            mine,
            await client.get(f"{base}/"),
            open_page,
            await client.get(f"{base}/reviews/{decided[-1]['id']}"),
            await client.get(f"{base}/initiatives/{decided[-1]['initiative']}"),
            await client.get(f"{base}/kpis"),
        ]
    for page in pages:
        assert page.status_code == 200
        text = page_text(page.text)
        if lang == "en":
            assert not CJK.search(text), CJK.search(text)
        else:
            assert "Customer complaint handling" not in text and "Zhang Min" not in text


def test_the_language_follows_the_locale_unless_given():
    assert locale_language({"LANG": "zh_CN.UTF-8"}) == "zh_Hans"
    assert locale_language({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}) == "en"
    assert locale_language({"LC_MESSAGES": "zh_TW"}) == "zh_Hans"
    assert locale_language({"LANG": "de_DE.UTF-8"}) == "en"
    assert locale_language({}) == "en"
    args = build_parser().parse_args(["up", "--port", "8111", "--lang", "zh_Hans"])
    assert args.lang == "zh_Hans" and args.port == 8111
    assert build_parser().parse_args(["demo"]).lang is None
