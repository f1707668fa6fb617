"""The live layer's one statement (tracker.sql)."""

from __future__ import annotations

from tracker.sql import Statement

# Whether a review is the organisation's (the stream of a review page carries its events).
REVIEW_EXISTS = Statement("SELECT id FROM gate_review WHERE org = :org AND id = :review")
