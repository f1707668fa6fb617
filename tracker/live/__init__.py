"""Live events: a small publish/subscribe layer that tells browsers something changed.

An event names a channel (``org:<id>:person:<id>``, ``org:<id>:review:<id>``) and carries only
ids or counts; the browser then fetches the fragment through the normal, authorised route, so
nothing of one organisation travels to another through the bus. With ``REDIS_URL`` events go
through Redis pub/sub (every web replica and the worker share it); without, through the
process's memory (the embedded default, one process).

Writers call ``after_commit``: the event is held until the request (or job) that made the
change has committed, then published (``LiveEventsMiddleware``, ``collecting``).
"""

from tracker.live.broker import (
    PERSON_EVENT,
    REVIEW_EVENT,
    Broker,
    MemoryBroker,
    RedisBroker,
    after_commit,
    broker,
    collecting,
    mail_queued,
    person_channel,
    publish,
    review_channel,
    start,
    stop,
)

__all__ = [
    "PERSON_EVENT",
    "REVIEW_EVENT",
    "Broker",
    "MemoryBroker",
    "RedisBroker",
    "after_commit",
    "broker",
    "collecting",
    "mail_queued",
    "person_channel",
    "publish",
    "review_channel",
    "start",
    "stop",
]
