"""Files on comments (issue 16, "Attachments … and comments"): the thread lists each comment's
files, which are seen with the comment and kept with it."""

from __future__ import annotations

from tests.integration.attachments.files import Body, call, pdf, upload
from tests.integration.comments.helpers import last_comment, say, subjects, thread


async def test_a_file_attached_to_a_comment_shows_in_the_thread_and_round_trips(world):
    paths = await subjects(world, world.a)
    await say(world, world.a, "member", paths["problem"], "The form we use today, attached.")
    comment = (await last_comment(world.a))["id"]
    content = pdf(b"1 0 obj << /Title (today) >> endobj\n")
    answer = await upload(world, world.a, "member", "comment", comment, Body("today.pdf", content))
    assert answer.status in (200, 303), answer.text[-500:]
    html = await thread(world, world.a, "viewer", paths["problem"])
    assert "today.pdf" in html
    attachment = int(html.split("/attachments/", 1)[1].split('"', 1)[0])
    download = await call(world, world.a, "viewer", "GET", f"/o/alpha/attachments/{attachment}")
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    # another organisation's member sees neither the comment's files nor their page
    outsider = await call(world, world.b, "admin", "GET", f"/o/beta/attachments/{attachment}")
    assert outsider.status == 404
    page = await call(world, world.b, "admin", "GET", f"/o/beta/attachments/on/comment/{comment}")
    assert page.status == 404


async def test_a_viewer_cannot_attach_to_a_comment(world):
    paths = await subjects(world, world.a)
    await say(world, world.a, "member", paths["risk"], "See the attached note.")
    comment = (await last_comment(world.a))["id"]
    answer = await upload(world, world.a, "viewer", "comment", comment, Body("n.pdf", pdf()))
    assert answer.status == 403
