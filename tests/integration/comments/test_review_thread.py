"""A gate review's thread keeps the independence of scoring: a reviewer's comments stay
hidden from the other reviewers until they have voted too (the lead and viewers read them,
as they read the scores); once decided, the thread is read-only and part of the record."""

from __future__ import annotations

from tests.helpers import make_initiative
from tests.integration.comments.helpers import HX, comment_ids, last_comment, say, thread
from tests.integration.gates.gate_helpers import cast, open_review, review_status
from tracker.comments import events


async def test_reviewers_read_each_others_comments_only_after_voting(world):
    org = world.a
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative)  # reviewers: committee and admin
    path = f"/o/alpha/reviews/{review}"
    heard: list[events.CommentPosted] = []

    async def handler(event):
        heard.append(event)

    stop = events.subscribe(handler)
    try:
        await say(world, org, "committee", path, "Before my vote: the baseline looks thin")
    finally:
        stop()
    early = (await last_comment(org))["id"]
    assert heard[0].hidden_from == (org.people["admin"],)  # the reviewer yet to vote
    await say(world, org, "lead", path, "The lead answers: baseline from 12 weeks")
    answer = (await last_comment(org))["id"]

    admin = await thread(world, org, "admin", path)  # a reviewer who has not voted
    assert comment_ids(admin) == [answer] and "baseline looks thin" not in admin
    assert "1 comment by another reviewer shows once you have voted." in admin
    async with world.client(org, "admin") as client:  # not by its address either
        assert (await client.get(f"/o/alpha/comments/{early}/edit")).status_code == 404
        assert (await client.post(f"/o/alpha/comments/{early}/delete")).status_code == 404
    for role in ("lead", "viewer", "member", "committee"):  # non-reviewers, and the author
        assert comment_ids(await thread(world, org, role, path)) == [early, answer], role

    assert (await cast(world, org, "admin", review)).status_code == 303
    assert await review_status(review) == "open"  # the committee member has not voted
    assert comment_ids(await thread(world, org, "admin", path)) == [early, answer]

    # a comment after one's own vote is kept from those yet to vote as well: it would tell
    # them how one voted, which the review page keeps from them
    await say(world, org, "admin", path, "I voted Go")
    after = (await last_comment(org))["id"]
    committee = await thread(world, org, "committee", path)
    assert after not in comment_ids(committee) and "I voted Go" not in committee
    assert comment_ids(await thread(world, org, "lead", path)) == [early, answer, after]

    assert (await cast(world, org, "committee", review)).status_code == 303
    assert await review_status(review) == "decided"
    for role in ("admin", "committee", "lead", "viewer"):
        html = await thread(world, org, role, path)
        assert comment_ids(html) == [early, answer, after], role
        assert "This review is closed" in html and 'name="body"' not in html
        assert "/edit" not in html and "/delete" not in html


async def test_a_decided_review_thread_is_read_only(world):
    org = world.a
    initiative = await make_initiative(org, phase=2)
    review = await open_review(world, org, initiative)
    path = f"/o/alpha/reviews/{review}"
    await say(world, org, "lead", path, "Evidence attached in the note")
    comment = (await last_comment(org))["id"]
    await cast(world, org, "admin", review)
    await cast(world, org, "committee", review)
    assert await review_status(review) == "decided"
    for role in ("admin", "lead", "committee", "member"):
        response = await say(world, org, role, path, "too late")
        assert response.status_code == 409, role  # htmx gets the thread, which says why
        assert "This review is closed" in response.text
    assert (await say(world, org, "viewer", path, "x")).status_code == 403
    async with world.client(org, "lead") as lead:
        assert (
            await lead.post(f"/o/alpha/comments/{comment}", data={"body": "x"}, headers=HX)
        ).status_code == 409
    async with world.client(org, "admin") as admin:
        assert (await admin.post(f"/o/alpha/comments/{comment}/delete")).status_code == 409
    html = await thread(world, org, "viewer", path)
    assert "Evidence attached in the note" in html and "too late" not in html
