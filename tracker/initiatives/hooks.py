"""What newer areas put on the initiatives' pages (see tracker/hooks.py; wired in
tracker/wiring.py): the board's KPI alerts, and the initiative page's gate history, whether
the person may request a review, and who may own a condition."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tracker.hooks import Hook
from tracker.tenancy import OrgContext, TenantScope

Rows = list[dict[str, Any]]

# the organisation's unacknowledged KPI alerts (tracker.kpis.service.open_alerts)
OPEN_ALERTS: Hook[Callable[[TenantScope], Awaitable[Rows]]] = Hook("initiatives.OPEN_ALERTS")
# decisions, conditions, the open review and the events of one initiative
GATE_HISTORY: Hook[Callable[[TenantScope, int], Awaitable[dict[str, Any]]]] = Hook(
    "initiatives.GATE_HISTORY"
)
# whether the person may request a gate review of the initiative
MAY_REQUEST_GATE: Hook[Callable[[OrgContext, dict[str, Any]], bool]] = Hook(
    "initiatives.MAY_REQUEST_GATE"
)
# the members who may own a gate condition, by name
CONDITION_OWNERS: Hook[Callable[[int], Awaitable[Rows]]] = Hook("initiatives.CONDITION_OWNERS")
