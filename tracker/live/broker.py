"""The brokers (in memory, Redis pub/sub), the channels, and holding events until commit."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

log = logging.getLogger("tracker.live")
QUEUE_SIZE = 100  # events waiting for one slow browser; beyond, the oldest are dropped


@dataclass(frozen=True)
class Event:
    channel: str
    name: str  # the SSE event name the page listens for
    data: str  # ids or counts only


PERSON_EVENT = "notifications"  # the person's unread count changed
REVIEW_EVENT = "review"  # a vote, a decision … on the review the page shows


def event_name(channel: str) -> str:
    return PERSON_EVENT if ":person:" in channel else REVIEW_EVENT


def person_channel(org_id: int, person_id: int) -> str:
    return f"org:{int(org_id)}:person:{int(person_id)}"


def review_channel(org_id: int, review_id: int) -> str:
    return f"org:{int(org_id)}:review:{int(review_id)}"


class Subscription:
    """One browser connection's channels and the queue of events for it."""

    def __init__(self, channels: frozenset[str]) -> None:
        self.channels = channels
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)

    def deliver(self, event: Event | None) -> None:
        if self.queue.full():  # a stalled reader loses the oldest (ids only: it refetches)
            try:
                self.queue.get_nowait()
            except asyncio.QueueEmpty:  # pragma: no cover
                pass
        self.queue.put_nowait(event)


class Broker:
    """Fans events out to the subscriptions of this process."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, set[Subscription]] = {}

    @property
    def kind(self) -> str:
        return "memory"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.close_all()

    def close_all(self) -> None:
        """End every open stream (the process is stopping: browsers reconnect elsewhere)."""
        for subs in list(self.subscriptions.values()):
            for sub in list(subs):
                sub.deliver(None)

    async def publish(self, event: Event) -> None:
        self._fan_out(event)

    def _fan_out(self, event: Event) -> None:
        for sub in list(self.subscriptions.get(event.channel, ())):
            sub.deliver(event)

    async def _listen(self, channel: str) -> None:
        """The first subscriber of ``channel`` in this process (Redis subscribes here)."""

    async def _unlisten(self, channel: str) -> None:
        """The last subscriber of ``channel`` in this process left."""

    async def join(self, channels: list[str]) -> Subscription:
        """A new subscription to ``channels`` (``leave`` ends it)."""
        sub = Subscription(frozenset(channels))
        for channel in sub.channels:
            first = channel not in self.subscriptions
            self.subscriptions.setdefault(channel, set()).add(sub)
            if first:
                await self._listen(channel)
        return sub

    async def leave(self, sub: Subscription) -> None:
        """End a subscription (twice is harmless)."""
        for channel in sub.channels:
            subs = self.subscriptions.get(channel)
            if subs is None or sub not in subs:
                continue
            subs.discard(sub)
            if not subs:
                del self.subscriptions[channel]
                await self._unlisten(channel)

    @asynccontextmanager
    async def subscribe(self, channels: list[str]) -> AsyncIterator[Subscription]:
        sub = await self.join(channels)
        try:
            yield sub
        finally:
            await self.leave(sub)

    def open_streams(self) -> int:
        return len({sub for subs in self.subscriptions.values() for sub in subs})


class MemoryBroker(Broker):
    """One process: events go straight to this process's subscribers."""


class RedisBroker(Broker):
    """Several processes: events go through Redis pub/sub. Each process keeps one Redis
    connection subscribed to the channels its browsers follow (subscribing when the first
    browser of a channel arrives, unsubscribing when the last leaves) and fans messages out;
    a publisher sends with an ordinary connection. A lost Redis connection is reopened and
    every channel subscribed again; events meanwhile are lost, and the pages catch up when
    their stream reconnects (they refetch then)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        # Pub/sub spans every database of a Redis server: the channels carry the database
        # number of REDIS_URL, so two deployments sharing a server stay apart.
        database = urlparse(url).path.strip("/") or "0"
        self.PREFIX = f"tracker:live:{database}:"
        self.redis: Any = None
        self.pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def kind(self) -> str:
        return "redis"

    async def start(self) -> None:
        from redis import asyncio as aioredis

        self.redis = aioredis.from_url(self.url, socket_connect_timeout=3)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self._reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        self.close_all()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self.pubsub is not None:
            await self.pubsub.aclose()
        if self.redis is not None:
            await self.redis.aclose()

    async def publish(self, event: Event) -> None:
        payload = json.dumps({"name": event.name, "data": event.data})
        try:
            await self.redis.publish(self.PREFIX + event.channel, payload)
        except Exception as error:  # Redis down: the pages' slow poll catches up
            log.warning("live event not published (%s): %s", event.channel, error)

    async def _listen(self, channel: str) -> None:
        async with self._lock:
            try:
                await self.pubsub.subscribe(self.PREFIX + channel)
            except Exception as error:
                log.warning("cannot subscribe to %s (%s); the reader retries", channel, error)

    async def _unlisten(self, channel: str) -> None:
        async with self._lock:
            try:
                await self.pubsub.unsubscribe(self.PREFIX + channel)
            except Exception as error:
                log.warning("cannot unsubscribe from %s: %s", channel, error)

    async def _read(self) -> None:
        while True:
            try:
                if not self.pubsub.subscribed:
                    if self.subscriptions:  # a subscribe failed (Redis was down): again
                        await asyncio.sleep(1)
                        await self._resubscribe()
                    else:
                        await asyncio.sleep(0.05)
                    continue
                message = await self.pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                channel = message["channel"]
                channel = channel.decode() if isinstance(channel, bytes) else channel
                body = json.loads(message["data"])
                self._fan_out(
                    Event(channel.removeprefix(self.PREFIX), str(body["name"]), str(body["data"]))
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("live events: Redis connection lost (%s); reconnecting", error)
                await asyncio.sleep(1)
                await self._resubscribe()

    async def _resubscribe(self) -> None:
        async with self._lock:
            try:
                await self.pubsub.aclose()
            except Exception:  # pragma: no cover - already broken
                pass
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            channels = [self.PREFIX + c for c in self.subscriptions]
            try:
                if channels:
                    await self.pubsub.subscribe(*channels)
            except Exception as error:
                log.warning("live events: cannot subscribe again yet: %s", error)
                await asyncio.sleep(4)  # not a retry a second while Redis is down
                return
        for subs in list(self.subscriptions.values()):  # missed events: let pages refetch
            for sub in list(subs):
                for channel in sub.channels:
                    sub.deliver(Event(channel, event_name(channel), "resync"))


_broker: Broker | None = None


def broker() -> Broker:
    """The process's broker (memory until ``start`` chose one)."""
    global _broker
    if _broker is None:
        _broker = MemoryBroker()
    return _broker


async def start(redis_url: str | None) -> Broker:
    global _broker
    chosen: Broker = RedisBroker(redis_url) if redis_url else MemoryBroker()
    await chosen.start()
    _broker = chosen
    log.info("live events: %s", "Redis pub/sub" if redis_url else "in this process only")
    return chosen


async def stop() -> None:
    global _broker
    if _broker is not None:
        await _broker.stop()
    _broker = None


async def publish(channel: str, name: str, data: str | int) -> None:
    await broker().publish(Event(channel, name, str(data)))


# --- holding events until the change is committed ---------------------------------------

_pending: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar(
    "live_pending", default=None
)
_mail: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar("live_mail", default=None)


def after_commit(channel: str, name: str, data: str | int) -> None:
    """Publish once the request or job that made the change has committed (at once where
    nothing collects: a script, a test)."""
    pending = _pending.get()
    event = Event(channel, name, str(data))
    if pending is None:
        task = asyncio.get_running_loop().create_task(broker().publish(event))
        _orphans.add(task)
        task.add_done_callback(_orphans.discard)
        return
    if event not in pending:
        pending.append(event)


def mail_queued() -> None:
    """Note that the work in progress queued mail to send at once (the request then asks
    the background jobs to deliver soon)."""
    flags = _mail.get()
    if flags is not None:
        flags.append(True)


_orphans: set[asyncio.Task[None]] = set()


@asynccontextmanager
async def collecting() -> AsyncIterator[list[Event]]:
    """Hold the events of the body; publish them when it ends without an error."""
    token = _pending.set([])
    mail_token = _mail.set([])
    events: list[Event] = []
    try:
        yield events
        events.extend(_pending.get() or [])
    finally:
        _pending.reset(token)
        _mail.reset(mail_token)
    for event in events:
        await broker().publish(event)


class Collector:
    """What one request collected (the middleware publishes it after the response)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.mail: list[bool] = []

    def enter(self) -> tuple[contextvars.Token[Any], contextvars.Token[Any]]:
        return _pending.set(self.events), _mail.set(self.mail)

    @staticmethod
    def leave(tokens: tuple[contextvars.Token[Any], contextvars.Token[Any]]) -> None:
        _pending.reset(tokens[0])
        _mail.reset(tokens[1])
