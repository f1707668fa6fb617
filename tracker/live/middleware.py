"""Publishing a request's live events once its changes are committed."""

from __future__ import annotations

import logging

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tracker.layers import Layer
from tracker.live.broker import Collector, broker

log = logging.getLogger("tracker.live")


class LiveEventsMiddleware(Layer):
    """Outside the identity middleware, whose transaction commits before the response is sent:
    the events a request collected go out after that, so a browser that refetches at once
    finds the change (reads too: opening a notification marks it read). A request that
    failed (5xx) rolled back and publishes nothing. Mail queued to go at once asks the
    background jobs to deliver now."""

    skip = ("/static/", "/healthz", "/readyz")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        collector = Collector()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        tokens = collector.enter()
        try:
            await next_app(scope, receive, watch)
        finally:
            Collector.leave(tokens)
        if status >= 500:
            return
        for event in collector.events:
            await broker().publish(event)
        if collector.mail:
            dispatcher = getattr(scope["app"].state, "dispatcher", None)
            if dispatcher is not None:
                try:
                    await dispatcher.kick()
                except Exception as error:  # the worker's sweep sends it within a minute
                    log.warning("could not ask for delivery now: %s", error)
