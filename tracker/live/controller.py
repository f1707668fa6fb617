"""The one stream a tab keeps open: server-sent events for the person's channels in one
organisation (their unread count) and, on a review page, that review."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from litestar import Request, get
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from tracker.db import tenant_transaction
from tracker.live.broker import Subscription, broker, person_channel, review_channel
from tracker.live.queries import REVIEW_EXISTS
from tracker.tenancy import MAX_ID, OrgContext

# A comment line this often keeps proxies (HAProxy's 60 s timeouts) and browsers from closing
# an idle stream; a stream ends after LIFETIME so that the browser reconnects and the session
# is checked again (EventSource reconnects by itself, RETRY_MS later).
HEARTBEAT_SECONDS = 20.0
LIFETIME_SECONDS = 300.0
RETRY_MS = 3000

# The stream's path: the identity middleware lets it go on outside the request's transaction
# (behind the tenant wall a request otherwise holds its connection until it ends).
STREAM_PATH = re.compile(r"^/o/[^/]+/live$")


async def _review_visible(ctx: OrgContext, review_id: int) -> bool:
    if not 0 < review_id <= MAX_ID:
        return False
    async with tenant_transaction(ctx.org_id, ctx.person_id):
        rows = await ctx.scope.fetch(REVIEW_EXISTS, review=review_id)
    return bool(rows)


async def _events(sub: Subscription, head: bool = False) -> AsyncIterator[ServerSentEventMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (0 if head else LIFETIME_SECONDS)  # HEAD: the headers only
    try:
        yield ServerSentEventMessage(comment="connected", retry=RETRY_MS, data=None)
        while (remaining := deadline - loop.time()) > 0:
            try:
                event = await asyncio.wait_for(
                    sub.queue.get(), timeout=min(HEARTBEAT_SECONDS, remaining)
                )
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            if event is None:  # the process is stopping
                return
            yield ServerSentEventMessage(event=event.name, data=event.data)
    finally:
        await broker().leave(sub)


@get("/live", name="live_stream", cache=False)
async def live_stream(
    request: Request, ctx: OrgContext, review: int | None = None
) -> ServerSentEvent:
    """Only the person's own channels, in the organisation of the path (a review of another
    organisation, or none, answers 404 like any missing page)."""
    channels = [person_channel(ctx.org_id, ctx.person_id)]
    if review is not None:
        if not await _review_visible(ctx, review):
            raise NotFoundException()
        channels.append(review_channel(ctx.org_id, review))
    sub = await broker().join(channels)
    return ServerSentEvent(
        _events(sub, head=bool(request.scope.get("tracker.head"))),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(broker().leave, sub),
    )


ROUTES = [live_stream]
