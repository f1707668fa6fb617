"""Reading the getting-started checklist: one query, none once an organisation is done, and
behind the tenant wall none while the board's revision and the list are fresh."""

from __future__ import annotations

import time

from tracker import db
from tracker.onboarding import rules
from tracker.onboarding.queries import CHECKLIST
from tracker.tenancy import TenantScope

# Organisations (of a database) whose checklist was complete when last read, in this
# process: it is not shown again and not read again (an organisation does not need it after
# its first steps).
_COMPLETE: set[tuple[int, int]] = set()
# Behind the tenant wall a board seen again costs one query (tracker.fragments): the list is
# kept there under the board's revision (which moves with initiatives and memberships) for a
# minute at most, and forgotten at once when this process saves an invitation, the gate rule
# or the digest schedule (which do not move the revision).
KEEP_SECONDS = 60.0
_KEPT: dict[tuple[int, int], tuple[int, float, rules.Checklist]] = {}


def forget(org_id: int) -> None:
    """A step may just have been done: read the list afresh next time."""
    _KEPT.pop((id(db.current_engine()), org_id), None)


async def checklist(org_id: int, board_revision: int | None = None) -> rules.Checklist | None:
    """The organisation's checklist while it has steps left to do, else None."""
    key = (id(db.current_engine()), org_id)
    if key in _COMPLETE:
        return None
    kept = _KEPT.get(key)
    now = time.monotonic()
    if kept and board_revision is not None and kept[0] == board_revision and kept[1] > now:
        return kept[2]
    row = (await TenantScope(org_id).fetch(CHECKLIST))[0]
    result = rules.checklist(
        row["members"],
        row["invitations"],
        row["initiatives"],
        bool(row["rule_saved"]),
        bool(row["digests_saved"]),
    )
    if result.complete:
        _COMPLETE.add(key)
        _KEPT.pop(key, None)
        return None
    if board_revision is not None:
        _KEPT[key] = (board_revision, now + KEEP_SECONDS, result)
    return result
