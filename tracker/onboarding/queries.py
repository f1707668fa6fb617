"""The getting-started checklist's one statement (see tracker/sql.py)."""

from tracker.sql import Statement

CHECKLIST = Statement(
    "SELECT "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM membership WHERE org = :org LIMIT 2) m) AS members, "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM invitation WHERE org = :org LIMIT 1) i) "
    "AS invitations, "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM initiative WHERE org = :org LIMIT 1) n) "
    "AS initiatives, "
    "(SELECT COUNT(*) FROM gate_rule WHERE org = :org AND version > 1) AS rule_saved, "
    "(SELECT COUNT(*) FROM digest_setting WHERE org = :org AND saved_at IS NOT NULL) "
    "AS digests_saved"
)
