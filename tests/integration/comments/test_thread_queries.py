"""The pages that gain a thread, and the thread itself, make the same number of queries with
1 comment and with 50: one query for the thread whatever its length, authors joined."""

from __future__ import annotations

import time

from tests.integration.comments.helpers import HX, say, subjects
from tracker.comments.tables import Comment
from tracker.db import count_queries


async def measure(world, org, paths: dict[str, str]) -> dict[str, int]:
    counts = {}
    async with world.client(org, "lead") as client:
        for kind, path in paths.items():
            for name, url, headers in (
                (kind, path, {}),
                (f"{kind} thread", f"{path}/comments", HX),
            ):
                with count_queries() as counted:
                    response = await client.get(url, headers=headers)
                assert response.status_code == 200, url
                counts[name] = counted.count
    return counts


async def test_pages_and_threads_make_a_fixed_number_of_queries(world):
    org = world.a
    paths = await subjects(world, org)
    for path in paths.values():
        await say(world, org, "member", path, "the first, with @Lead of alpha")
    await measure(world, org, paths)  # a first visit may create defaults
    one = await measure(world, org, paths)
    people = list(org.people.values())
    for kind, path in paths.items():
        subject_id = int(path.rsplit("/", 1)[1])
        await Comment.insert(
            *(
                Comment(
                    org=org.id,
                    subject_kind=kind,
                    subject_id=subject_id,
                    author=people[i % len(people)],
                    body=f"comment {i}",
                    body_html=f"<p>comment {i}</p>",
                )
                for i in range(49)
            )
        )
    fifty = await measure(world, org, paths)
    print(f"\nqueries with 1 and 50 comments ({world.backend}): {one}")
    assert one == fifty
    threads = {k: v for k, v in one.items() if k.endswith("thread")}
    # who is asking, the subject, the thread, the files of all its comments
    assert max(threads.values()) <= 5, threads
    async with world.client(org, "lead") as client:
        html = (await client.get(f"{paths['problem']}/comments", headers=HX)).text
        started = time.perf_counter()
        for _ in range(10):
            await client.get(f"{paths['problem']}/comments", headers=HX)
        each = (time.perf_counter() - started) / 10 * 1000
    assert html.count('class="comment"') == 50
    print(f"a 50-comment thread fragment ({world.backend}): {each:.1f} ms a request")
