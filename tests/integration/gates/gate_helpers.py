"""Helpers for gate tests: request a review, cast a vote with a full scorecard."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.gates.tables import GateReview, ReviewCriterion


async def request_review(
    world, org, initiative_id, reviewers=("committee", "admin"), role="lead", **overrides
):
    data = {
        "proposed_decision": "go",
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        "reviewers": [str(org.people[r]) for r in reviewers],
    }
    data.update(overrides)
    async with world.client(org, role) as client:
        return await client.post(
            f"/o/{org.slug}/initiatives/{initiative_id}/gate/request", data=data
        )


async def open_review(world, org, initiative_id, **kwargs) -> int:
    response = await request_review(world, org, initiative_id, **kwargs)
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def scorecard(review_id: int, must: int = 1, should: int = 4) -> dict[str, str]:
    rows = await ReviewCriterion.select(ReviewCriterion.id, ReviewCriterion.kind).where(
        ReviewCriterion.review == review_id
    )
    return {f"score_{r['id']}": str(must if r["kind"] == "must" else should) for r in rows}


async def cast(world, org, role, review_id, vote="go", must=1, should=4, **extra):
    data = {**await scorecard(review_id, must, should), "vote": vote, **extra}
    async with world.client(org, role) as client:
        return await client.post(f"/o/{org.slug}/reviews/{review_id}/vote", data=data)


async def review_status(review_id: int) -> str:
    row = await GateReview.select(GateReview.status).where(GateReview.id == review_id).first()
    return row["status"]
