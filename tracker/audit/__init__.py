"""The audit trail: every change to the organisation's records, field by field, with who made
it (database triggers, ``triggers.py``), a History page per record and the organisation's
audit page for admins."""
