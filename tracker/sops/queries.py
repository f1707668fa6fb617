"""The SOP area's hand-written statements (see tracker/sql.py): the version page, its print
view and its editors read these on every request, cheaper than building the queries."""

from tracker.sql import Statement

VERSION = Statement(
    'SELECT v.*, a.name AS "author.name", d.number AS "document.number", '
    'd.process_name AS "document.process_name", d.initiative AS "document.initiative", '
    'i.process_code AS "document.initiative.process_code", '
    'i.name AS "document.initiative.name" '
    "FROM sop_version v JOIN sop_document d ON d.id = v.document AND d.org = :org "
    "JOIN initiative i ON i.id = d.initiative AND i.org = :org "
    "LEFT JOIN person a ON a.id = v.author "
    "WHERE v.org = :org AND v.id = :version"
)
# The organisation's approval chain, kept with its gate decision rule (Settings › Gates): read
# here by name, as the gates (a newer area) are not imported by the SOPs.
APPROVAL_CHAIN = Statement("SELECT approval_chain FROM gate_rule WHERE org = :org LIMIT 1")
STEPS = Statement(  # with the responsible and assisting people's names
    "SELECT s.*, o.name AS owner_name, a.name AS assistant_name FROM sop_step s "
    "LEFT JOIN person o ON o.id = s.owner LEFT JOIN person a ON a.id = s.assistant "
    "WHERE s.org = :org AND s.version = :version ORDER BY s.position"
)
# the RACI grid's roles (in order) and its cells, in one round trip
RACI = Statement(
    "SELECT 'role' AS kind, id, name, position, NULL AS step, NULL AS letter FROM raci_role "
    "WHERE org = :org AND version = :version "
    "UNION ALL "
    "SELECT 'cell', c.role, NULL, NULL, c.step, c.letter FROM raci_cell c "
    "JOIN sop_step s ON s.id = c.step AND s.org = :org "
    "WHERE c.org = :org AND s.version = :version "
    "ORDER BY 1 DESC, 4, 2"
)
APPROVALS = Statement(
    'SELECT s.*, ap.name AS "approver.name", decider.name AS "decided_by.name" '
    "FROM sop_approval s LEFT JOIN person ap ON ap.id = s.approver "
    "LEFT JOIN person decider ON decider.id = s.decided_by "
    "WHERE s.org = :org AND s.version = :version ORDER BY s.round, s.level"
)

# --- notifications (tracker/sops/lifecycle.py) ---------------------------------------------
ADMINS = Statement("SELECT person FROM membership WHERE org = :org AND role = :role")
VERSION_TITLE = Statement(
    "SELECT d.process_name, v.major, v.minor FROM sop_version v "
    "JOIN sop_document d ON d.id = v.document AND d.org = :org "
    "WHERE v.org = :org AND v.id = :version"
)
