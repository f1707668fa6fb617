"""Notifications (issue 16): ``notify`` is the one entry point for the services that tell
people something (see ``service.notify``)."""

from tracker.notifications.rules import Channel, Kind
from tracker.notifications.service import notify

__all__ = ["Channel", "Kind", "notify"]
