"""Threads on every kind of subject: who reads and writes, editing for 15 minutes, deleting,
Markdown made safe, mentions of members only, the event a post publishes, outsiders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.comments.helpers import (
    HX,
    comment_ids,
    last_comment,
    say,
    subjects,
    thread,
)
from tracker.comments import events, service
from tracker.comments.tables import Comment, CommentMention

ROLES = ("admin", "lead", "committee", "member", "viewer")


async def test_every_subject_has_a_thread_members_write_and_viewers_read(world):
    paths = await subjects(world, world.a)
    for kind, path in paths.items():
        async with world.client(world.a, "viewer") as client:
            page = await client.get(path)
            assert page.status_code == 200, kind
            assert f'hx-get="{path}/comments"' in page.text  # the section loads the thread
        for role in ("admin", "lead", "committee", "member"):
            response = await say(world, world.a, role, path, f"**{role}** on {kind}")
            assert response.status_code == 200, (kind, role, response.text[:300])
            assert f"<strong>{role}</strong> on {kind}" in response.text
        refused = await say(world, world.a, "viewer", path, "viewer writes")
        assert refused.status_code == 403, kind
        html = await thread(world, world.a, "viewer", path)
        assert len(comment_ids(html)) == 4 and "viewer writes" not in html
        assert 'name="body"' not in html  # no box for a viewer
        assert "Viewers read the discussion" in html


async def test_without_script_the_thread_is_a_page_and_a_post_redirects_to_it(world):
    path = (await subjects(world, world.a))["problem"]
    response = await say(world, world.a, "member", path, "plain form", fragment=False)
    assert response.status_code == 303
    comment = await last_comment(world.a)
    assert response.headers["location"] == f"{path}/comments#comment-{comment['id']}"
    async with world.client(world.a, "member") as client:
        page = await client.get(f"{path}/comments")
    assert page.status_code == 200 and "<h1>Discussion</h1>" in page.text
    assert "plain form" in page.text and "Slow hand-over" in page.text


async def test_an_empty_or_overlong_comment_comes_back_with_the_error(world):
    path = (await subjects(world, world.a))["risk"]
    empty = await say(world, world.a, "member", path, "   ")
    assert empty.status_code == 422 and "Write something first." in empty.text
    long = await say(world, world.a, "member", path, "x" * 10_001)
    assert long.status_code == 422 and "Use at most 10000 characters." in long.text
    assert 'aria-invalid="true"' in long.text
    assert await Comment.count().where(Comment.org == world.a.id, Comment.body == "   ") == 0


async def test_markdown_is_rendered_and_made_safe(world):
    path = (await subjects(world, world.a))["initiative"]
    body = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[click](javascript:alert(3)) [site](https://example.com/a) *fine*\n\n- one\n- two"
    )
    response = await say(world, world.a, "lead", path, body)
    html = response.text
    assert "<script>" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    assert '<a href="https://example.com/a" rel="nofollow noopener">site</a>' in html
    assert "<em>fine</em>" in html and "<li>one</li>" in html
    stored = await last_comment(world.a)
    assert stored["body"] == body  # the Markdown as written is kept for editing


async def test_mentions_are_members_of_the_organisation_only(world):
    path = (await subjects(world, world.a))["problem"]
    body = (
        "@Member of alpha please check; @Admin of beta too, and @Nobody Here; not a@Lead of alpha"
    )
    await say(world, world.a, "lead", path, body)
    comment = await last_comment(world.a)
    mentioned = await CommentMention.select(CommentMention.person).where(
        CommentMention.comment == comment["id"]
    )
    assert [m["person"] for m in mentioned] == [world.a.people["member"]]
    assert '<span class="mention">@Member of alpha</span>' in comment["body_html"]
    assert (
        "@Admin of beta" in comment["body_html"] and 'mention">@Admin' not in comment["body_html"]
    )
    # only a non-member named: nobody is mentioned
    await say(world, world.a, "lead", path, "@Admin of beta look")
    comment = await last_comment(world.a)
    assert await CommentMention.count().where(CommentMention.comment == comment["id"]) == 0


async def test_posting_publishes_an_event_in_the_transaction(world):
    paths = await subjects(world, world.a)
    heard: list[events.CommentPosted] = []

    async def handler(event: events.CommentPosted) -> None:
        # inside the same transaction: the comment is already readable here
        assert await Comment.count().where(Comment.id == event.comment_id) == 1
        heard.append(event)

    stop = events.subscribe(handler)
    try:
        path = paths["problem"]
        await say(world, world.a, "committee", path, "first")
        await say(
            world, world.a, "lead", path, "@Member of alpha and @Admin of beta, see @Lead of alpha"
        )
    finally:
        stop()
    await say(world, world.a, "lead", path, "after unsubscribing")
    assert len(heard) == 2
    event = heard[1]
    comment = await last_comment(world.a)
    problem_id = int(path.rsplit("/", 1)[1])
    assert event.org_id == world.a.id and event.author_id == world.a.people["lead"]
    assert (event.subject_kind, event.subject_id) == ("problem", problem_id)
    assert event.comment_id == comment["id"] - 1
    assert event.url == f"{path}#comment-{event.comment_id}"
    assert event.mentioned_ids == (world.a.people["member"],)  # not the outsider, not oneself
    assert event.owner_ids == (world.a.people["member"],)  # the problem's owner (the lead wrote)
    assert event.follower_ids == (world.a.people["committee"],)  # who wrote before
    assert event.edited is False and event.hidden_from == ()


async def test_your_own_comment_can_be_edited_for_15_minutes(world, monkeypatch):
    path = (await subjects(world, world.a))["pilot"]
    written = service.now()
    monkeypatch.setattr(service, "now", lambda: written)
    await say(world, world.a, "member", path, "draft wording")
    comment = (await last_comment(world.a))["id"]
    edit = f"/o/alpha/comments/{comment}"
    async with world.client(world.a, "lead") as other:  # not the author
        assert (await other.post(edit, data={"body": "mine now"})).status_code == 403
    html = await thread(world, world.a, "lead", path)
    assert f"/comments/{comment}/edit" not in html
    monkeypatch.setattr(service, "now", lambda: written + timedelta(minutes=14, seconds=59))
    async with world.client(world.a, "member") as author:
        form = await author.get(f"{edit}/edit", headers=HX)
        assert form.status_code == 200 and "draft wording" in form.text
        saved = await author.post(edit, data={"body": "final wording"}, headers=HX)
        assert saved.status_code == 200 and saved.headers["hx-retarget"] == "#thread"
        assert "final wording" in saved.text and ">edited<" in saved.text
        monkeypatch.setattr(service, "now", lambda: written + timedelta(minutes=15, seconds=1))
        late = await author.post(edit, data={"body": "too late"})
        assert late.status_code == 403
        again = await author.get(f"{edit}/edit")  # the thread instead, without a form
        assert again.status_code == 200 and 'name="body">final' not in again.text
    row = await Comment.select().where(Comment.id == comment).first()
    assert row["body"] == "final wording" and row["edited_at"] is not None


async def test_an_edit_that_names_someone_new_tells_only_them(world, monkeypatch):
    path = (await subjects(world, world.a))["risk"]
    await say(world, world.a, "lead", path, "@Member of alpha have a look")
    comment = (await last_comment(world.a))["id"]
    heard: list[events.CommentPosted] = []

    async def handler(event):
        heard.append(event)

    stop = events.subscribe(handler)
    try:
        async with world.client(world.a, "lead") as client:
            body = "@Member of alpha and @Committee of alpha have a look"
            await client.post(f"/o/alpha/comments/{comment}", data={"body": body}, headers=HX)
            await client.post(f"/o/alpha/comments/{comment}", data={"body": body}, headers=HX)
    finally:
        stop()
    assert len(heard) == 1 and heard[0].edited
    assert heard[0].mentioned_ids == (world.a.people["committee"],)
    people = await CommentMention.select(CommentMention.person).where(
        CommentMention.comment == comment
    )
    assert sorted(p["person"] for p in people) == sorted(
        [world.a.people["member"], world.a.people["committee"]]
    )


async def test_delete_your_own_or_any_as_admin_and_the_thread_says_so(world):
    path = (await subjects(world, world.a))["sop_version"]
    await say(world, world.a, "member", path, "mine to delete")
    own = (await last_comment(world.a))["id"]
    await say(world, world.a, "lead", path, "admin removes this")
    other = (await last_comment(world.a))["id"]
    async with world.client(world.a, "member") as member:
        assert (await member.post(f"/o/alpha/comments/{other}/delete")).status_code == 403
        response = await member.post(f"/o/alpha/comments/{own}/delete", headers=HX)
        assert response.status_code == 200
    async with world.client(world.a, "admin") as admin:
        html = await thread(world, world.a, "admin", path)
        assert "Delete as admin" in html
        assert (await admin.post(f"/o/alpha/comments/{other}/delete")).status_code == 303
    html = await thread(world, world.a, "viewer", path)
    assert comment_ids(html) == [own, other]  # both stay in place
    assert "Comment deleted." in html and "Comment deleted by an admin." in html
    assert "mine to delete" not in html and "admin removes this" not in html
    rows = await Comment.select().where(Comment.id.is_in([own, other])).order_by(Comment.id)
    assert [r["body"] for r in rows] == ["", ""]
    assert [r["deleted_by"] for r in rows] == [world.a.people["member"], world.a.people["admin"]]
    async with world.client(world.a, "admin") as admin:  # deleting again changes nothing
        assert (await admin.post(f"/o/alpha/comments/{own}/delete")).status_code == 303
    row = await Comment.select(Comment.deleted_by).where(Comment.id == own).first()
    assert row["deleted_by"] == world.a.people["member"]


@pytest.mark.parametrize(
    "kind", ["initiative", "review", "problem", "risk", "pilot", "sop_version"]
)
async def test_outsiders_get_404_on_every_comment_route(world, kind):
    path = (await subjects(world, world.a))[kind]
    await say(world, world.a, "lead", path, "inside")
    comment = (await last_comment(world.a))["id"]
    before = await Comment.count().where(Comment.org == world.a.id)
    async with world.client(world.b, "admin") as outsider:
        for method, url, data in [
            ("GET", f"{path}/comments", None),
            ("POST", f"{path}/comments", {"body": "outside"}),
            ("GET", f"/o/alpha/comments/{comment}/edit", None),
            ("POST", f"/o/alpha/comments/{comment}", {"body": "outside"}),
            ("POST", f"/o/alpha/comments/{comment}/delete", {}),
            ("GET", "/o/alpha/mentions?q=a", None),
        ]:
            response = await outsider.request(method, url, data=data)
            assert response.status_code == 404, (method, url, response.status_code)
            # their own organisation's address with another's ids: not found either
            own = url.replace("/o/alpha/", "/o/beta/")
            if "mentions" not in own:
                response = await outsider.request(method, own, data=data)
                assert response.status_code == 404, (method, own, response.status_code)
    assert await Comment.count().where(Comment.org == world.a.id) == before
    row = await Comment.select(Comment.body).where(Comment.id == comment).first()
    assert row["body"] == "inside"


async def test_mention_suggestions_list_members_of_the_organisation(world):
    async with world.client(world.a, "member") as client:
        response = await client.get("/o/alpha/mentions?q=ad", headers=HX)
        assert response.status_code == 200
        assert 'data-name="Admin of alpha"' in response.text and "beta" not in response.text
        many = await client.get("/o/alpha/mentions?q=", headers=HX)
        assert many.text.count('role="option"') >= 5
        none = await client.get("/o/alpha/mentions?q=zzz", headers=HX)
        assert 'role="option"' not in none.text and "No member by that name." in none.text
