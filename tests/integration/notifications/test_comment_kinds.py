"""Comments tell people (issue 16): the members named are told they were mentioned, the
subject's owner and the thread's followers that there is a new comment; never the author,
never anyone outside the organisation."""

from __future__ import annotations

from tests.integration.comments.helpers import last_comment, say, subjects
from tests.integration.notifications.helpers import told
from tracker.notifications.rules import Kind, comment_recipients


async def test_a_mention_and_a_comment_on_something_you_own_notify_once(world):
    a = world.a
    paths = await subjects(world, a)  # the problem is owned by the member
    await say(world, a, "lead", paths["problem"], "@Committee of alpha please look at this")
    comment = (await last_comment(a))["id"]
    mentioned = await told(a.people["committee"], Kind.MENTIONED, comment)
    assert len(mentioned) == 1 and mentioned[0]["url"].endswith(f"#comment-{comment}")
    assert len(await told(a.people["member"], Kind.COMMENT, comment)) == 1  # the owner
    assert not await told(a.people["committee"], Kind.COMMENT, comment)  # told once, as named
    assert not await told(a.people["lead"], Kind.MENTIONED, comment)  # never the author
    assert not await told(a.people["lead"], Kind.COMMENT, comment)
    # the owner answers: the lead, who wrote in the thread before, now follows it
    await say(world, a, "member", paths["problem"], "Done, see the new form.")
    answer = (await last_comment(a))["id"]
    assert len(await told(a.people["lead"], Kind.COMMENT, answer)) == 1


async def test_naming_someone_of_another_organisation_tells_nobody(world):
    paths = await subjects(world, world.a)
    await say(world, world.a, "lead", paths["risk"], "@Admin of beta have a look")
    comment = (await last_comment(world.a))["id"]
    assert not await told(world.b.people["admin"], Kind.MENTIONED, comment)
    assert not await told(world.b.people["admin"], Kind.COMMENT, comment)


def test_who_hears_of_a_comment() -> None:
    named, others = comment_recipients(
        owners=[1, 2], followers=[3, 4], mentioned=[2, 5], hidden=[4, 5]
    )
    assert named == [2]  # 5 may not read it before voting
    assert others == [1, 3]  # 2 heard as named; 4 may not read it yet
