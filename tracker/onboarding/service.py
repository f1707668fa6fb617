"""Reading the getting-started checklist: one query, and none once an organisation is done."""

from __future__ import annotations

from tracker import db
from tracker.onboarding import rules

# Organisations (of a database) whose checklist was complete when last read, in this
# process: it is not shown again and not read again (an organisation does not need it after
# its first steps).
_COMPLETE: set[tuple[int, int]] = set()

_SQL = (
    "SELECT "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM membership WHERE org = {} LIMIT 2) m) AS members, "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM invitation WHERE org = {} LIMIT 1) i) AS invitations, "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM initiative WHERE org = {} LIMIT 1) n) AS initiatives, "
    "(SELECT COUNT(*) FROM gate_rule WHERE org = {} AND version > 1) AS rule_saved, "
    "(SELECT COUNT(*) FROM digest_setting WHERE org = {} AND saved_at IS NOT NULL) "
    "AS digests_saved"
)


async def checklist(org_id: int) -> rules.Checklist | None:
    """The organisation's checklist while it has steps left to do, else None."""
    key = (id(db.current_engine()), org_id)
    if key in _COMPLETE:
        return None
    row = (await db.fetch(_SQL, *([org_id] * 5)))[0]
    result = rules.checklist(
        row["members"],
        row["invitations"],
        row["initiatives"],
        bool(row["rule_saved"]),
        bool(row["digests_saved"]),
    )
    if result.complete:
        _COMPLETE.add(key)
        return None
    return result
