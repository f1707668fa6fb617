"""Subjects of every kind for the comment tests, and reading a thread back."""

from __future__ import annotations

import itertools
import re
from datetime import date

from tests.helpers import make_initiative
from tests.integration.gates.gate_helpers import open_review
from tracker.comments.tables import Comment
from tracker.pilots.tables import Pilot
from tracker.problems.tables import Problem
from tracker.risks.tables import Risk
from tracker.sops.tables import SopDocument, SopVersion

_n = itertools.count(1)
HX = {"HX-Request": "true"}


async def subjects(world, org) -> dict[str, str]:
    """One subject of each kind in ``org``: kind → its page's path (the thread is + /comments)."""
    n = next(_n)
    initiative = await make_initiative(org, phase=2)
    lead = org.people["lead"]
    problem = (
        await Problem.insert(
            Problem(
                org=org.id,
                initiative=initiative,
                title=f"Slow hand-over {n}",
                category="quality",
                impact=3,
                urgency=3,
                owner=org.people["member"],
            )
        )
    )[0]["id"]
    risk = (
        await Risk.insert(
            Risk(
                org=org.id,
                initiative=initiative,
                description=f"Weak support {n}",
                category="people",
                likelihood=2,
                impact=3,
                owner=lead,
            )
        )
    )[0]["id"]
    pilot = (
        await Pilot.insert(
            Pilot(
                org=org.id,
                initiative=initiative,
                process="Complaints",
                scope="Team A",
                start_date=date.today(),
            )
        )
    )[0]["id"]
    document = (
        await SopDocument.insert(
            SopDocument(
                org=org.id,
                initiative=initiative,
                process_name="Complaint handling",
                number=f"SOP-CM-{org.id}-{n:04d}",
            )
        )
    )[0]["id"]
    version = (await SopVersion.insert(SopVersion(org=org.id, document=document, author=lead)))[0][
        "id"
    ]
    review = await open_review(world, org, initiative)
    base = f"/o/{org.slug}"
    return {
        "initiative": f"{base}/initiatives/{initiative}",
        "review": f"{base}/reviews/{review}",
        "problem": f"{base}/problems/{problem}",
        "risk": f"{base}/risks/{risk}",
        "pilot": f"{base}/pilots/{pilot}",
        "sop_version": f"{base}/sop-versions/{version}",
    }


async def say(world, org, role, path, body, fragment=True):
    async with world.client(org, role) as client:
        return await client.post(
            f"{path}/comments", data={"body": body}, headers=HX if fragment else {}
        )


async def thread(world, org, role, path) -> str:
    async with world.client(org, role) as client:
        response = await client.get(f"{path}/comments", headers=HX)
    assert response.status_code == 200, (role, path, response.status_code)
    return response.text


def comment_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', html)]


async def last_comment(org) -> dict:
    return (
        await Comment.select().where(Comment.org == org.id).order_by(Comment.id, ascending=False)
    )[0]
