"""Minutes of a gate review (issue 20): the print page and the PDF, in the reader's language,
with the decision, every vote with its rationale, the conditions with owners and due dates,
the attendance and the sign-off lines; the PDF's fonts embedded; an open review's print page
is a draft without voting buttons; outsiders get 404; every role of the organisation reads."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import cast, open_review, review_status
from tracker.accounts.tables import Person
from tracker.i18n import gettext, language
from tracker.labels import decision_label

ROLES = ("admin", "lead", "committee", "member", "viewer")
DUE = date.today() + timedelta(days=21)


async def decided_review(world, org) -> int:
    """Committee votes Go, admin Go with a condition owned by the member: the rule decides Go
    with conditions."""
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative)
    first = await cast(
        world, org, "committee", review, "go", rationale="证据充分，根因已找到 / evidence complete"
    )
    assert first.status_code == 303, first.text[:2000]
    second = await cast(
        world,
        org,
        "admin",
        review,
        "go_conditions",
        rationale="Pilot scope must be agreed 试点范围需确认",
        condition_0="财务部签字确认节约金额",
        condition_owner_0=str(org.people["member"]),
        condition_due_0=DUE.isoformat(),
    )
    assert second.status_code == 303, second.text[:2000]
    assert await review_status(review) == "decided"
    return review


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages), reader


def font_files(reader: PdfReader) -> list[tuple[str, bool]]:
    """Each font the pages use: its name and whether its program is embedded."""
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descriptor_of = font
            if font.get("/Subtype") == "/Type0":
                descriptor_of = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor_of.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font.get("/BaseFont")), embedded))
    return found


async def read_in(world, org, role, lang, path):
    person = org.people[role]
    before = await Person.select(Person.language).where(Person.id == person).first()
    await Person.update({Person.language: lang}).where(Person.id == person)
    try:
        async with world.client(org, role) as client:
            return await client.get(path)
    finally:
        await Person.update({Person.language: before["language"]}).where(Person.id == person)


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
async def test_minutes_pdf_holds_decision_votes_and_conditions_in_the_readers_language(world, lang):
    review = await decided_review(world, world.a)
    response = await read_in(
        world, world.a, "viewer", lang, f"/o/alpha/reviews/{review}/minutes.pdf"
    )
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"] == "application/pdf"
    text, reader = pdf_text(response.content)
    squashed = "".join(text.split())
    with language(lang):
        expected = [
            gettext("Minutes of the gate review"),
            decision_label("go_conditions"),
            decision_label("go"),
            gettext("Attendance"),
            gettext("Sign-off"),
        ]
    for words in expected:
        assert "".join(words.split()) in squashed, (lang, words)
    for words in (
        "证据充分，根因已找到",  # the committee's rationale
        "试点范围需确认",  # the admin's
        "财务部签字确认节约金额",  # the condition
        "Memberofalpha",  # its owner
        DUE.isoformat(),
        "Committeeofalpha",
        "Adminofalpha",
    ):
        assert words in squashed, (lang, words)
    if lang == "zh_Hans":
        assert "会议纪要" in squashed and "Minutes of the gate review" not in text
    else:
        assert "Minutes of the gate review" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    fonts = font_files(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts), fonts  # the Chinese text has its face


async def test_print_page_of_a_decided_review(world):
    review = await decided_review(world, world.a)
    async with world.client(world.a, "lead") as client:
        page = await client.get(f"/o/alpha/reviews/{review}/minutes")
        review_page = await client.get(f"/o/alpha/reviews/{review}")
    assert page.status_code == 200
    html = page.text
    assert 'class="topbar"' not in html  # no menu
    assert "/static/minutes.css" in html and "Draft" not in html
    assert f"/o/alpha/reviews/{review}/minutes.pdf" in html
    for words in (
        "Committee of alpha",
        "Admin of alpha",
        "财务部签字确认节约金额",
        "Member of alpha",
    ):
        assert words in html
    assert "<button" not in html and "<form" not in html
    # the review page links to both
    assert f"/o/alpha/reviews/{review}/minutes" in review_page.text
    assert f"/o/alpha/reviews/{review}/minutes.pdf" in review_page.text


async def test_open_review_prints_a_draft_without_voting_buttons_and_no_pdf(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    for role in ("committee", "admin", "viewer"):
        async with world.client(world.a, role) as client:
            page = await client.get(f"/o/alpha/reviews/{review}/minutes")
            pdf = await client.get(f"/o/alpha/reviews/{review}/minutes.pdf")
        assert page.status_code == 200
        assert 'class="watermark"' in page.text and "Draft — not decided." in page.text
        for marker in ("<button", "<form", 'name="vote"', 'type="radio"', "/vote"):
            assert marker not in page.text, (role, marker)
        assert "/minutes.pdf" not in page.text
        assert pdf.status_code == 409
        assert "decided" in pdf.text
    async with world.client(world.a, "committee") as client:
        review_page = await client.get(f"/o/alpha/reviews/{review}")
    assert "Print a draft of the minutes" in review_page.text


async def test_a_reviewer_who_has_not_voted_sees_no_other_scores_in_the_draft(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    response = await cast(world, world.a, "admin", review, "go", rationale="SECRET-RATIONALE")
    assert response.status_code == 303
    async with world.client(world.a, "committee") as client:
        page = await client.get(f"/o/alpha/reviews/{review}/minutes")
    assert "SECRET-RATIONALE" not in page.text
    assert "Admin of alpha" in page.text  # who voted is shown (as on the review page), not how


async def test_attendance_present_abstaining_absent(world):
    initiative = await make_initiative(world.a, phase=2)
    review = await open_review(world, world.a, initiative)
    abstain = await cast(world, world.a, "committee", review, "abstain", rationale="冲突回避")
    assert abstain.status_code == 303
    async with world.client(world.a, "admin") as client:  # the chair decides before voting
        decided = await client.post(
            f"/o/alpha/reviews/{review}/decide",
            data={"decision": "hold", "rationale": "Budget freeze until Q3"},
        )
        assert decided.status_code == 303, decided.text[:2000]
        page = await client.get(f"/o/alpha/reviews/{review}/minutes")
    html = page.text
    present = html.split("Present (")[1].split("</tr>")[0]
    abstaining = html.split("Abstaining (")[1].split("</tr>")[0]
    absent = html.split("Absent (")[1].split("</tr>")[0]
    assert present.startswith("0)")
    assert abstaining.startswith("1)") and "Committee of alpha" in abstaining
    assert absent.startswith("1)") and "Admin of alpha" in absent
    assert "冲突回避" in html and "Budget freeze until Q3" in html
    chair_row = html.split(">Chair<")[1].split("</tr>")[0]
    assert "Admin of alpha" in chair_row  # the chair who recorded the decision
    assert "No next gate is planned." in html  # Hold


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_of_the_organisation_reads_the_minutes(world, role):
    review = await decided_review(world, world.a)
    async with world.client(world.a, role) as client:
        assert (await client.get(f"/o/alpha/reviews/{review}/minutes")).status_code == 200
        pdf = await client.get(f"/o/alpha/reviews/{review}/minutes.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_outsiders_get_404(world):
    review = await decided_review(world, world.a)
    for path in (f"/reviews/{review}/minutes", f"/reviews/{review}/minutes.pdf"):
        async with world.client(world.b, "admin") as client:
            assert (await client.get(f"/o/alpha{path}")).status_code == 404
            assert (await client.get(f"/o/beta{path}")).status_code == 404
        async with world.client() as anonymous:
            response = await anonymous.get(f"/o/alpha{path}")
            assert response.status_code in (302, 303, 401), response.status_code


async def test_the_minutes_page_makes_a_fixed_number_of_queries(world):
    from tracker.db import count_queries
    from tracker.gates.tables import DecisionCorrection, GateDecision

    small = await decided_review(world, world.a)
    large = await decided_review(world, world.a)
    decision = (
        await GateDecision.select(GateDecision.id).where(GateDecision.review == large).first()
    )
    await DecisionCorrection.insert(
        *(
            DecisionCorrection(org=world.a.id, decision=decision["id"], text=f"Note {i}")
            for i in range(12)
        )
    )
    counted = {}
    async with world.client(world.a, "admin") as client:
        for review in (small, large):
            with count_queries() as counter:
                response = await client.get(f"/o/alpha/reviews/{review}/minutes")
            assert response.status_code == 200
            counted[review] = counter.count
    assert counted[small] == counted[large], counted
    print(f"\nminutes page queries ({world.backend}): {counted[small]}")


async def test_the_pdf_is_laid_out_without_blocking_other_requests(world):
    """While WeasyPrint lays out the PDF (in a worker thread), the server answers others."""
    import asyncio
    import time

    review = await decided_review(world, world.a)

    async def pdf():
        started = time.perf_counter()
        async with world.client(world.a, "admin") as client:
            response = await client.get(f"/o/alpha/reviews/{review}/minutes.pdf")
        assert response.status_code == 200
        return time.perf_counter() - started

    async def pings():
        gaps = []
        async with world.client() as client:
            await asyncio.sleep(0.05)
            for _ in range(10):
                started = time.perf_counter()
                assert (await client.get("/healthz")).status_code == 200
                gaps.append(time.perf_counter() - started)
                await asyncio.sleep(0.02)
        return max(gaps)

    took, worst_ping = await asyncio.gather(pdf(), pings())
    print(f"\npdf {took:.2f} s, slowest /healthz meanwhile {worst_ping * 1000:.0f} ms")
    assert worst_ping < max(0.25, took / 3), (took, worst_ping)
