"""The hooks between areas, given in one place (see tracker/hooks.py): where an older area
uses a newer one without importing it. Called by ``create_app`` (and by anything else that
runs the app's code, such as the worker); calling it again changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from tracker.accounts import hooks as account_hooks
from tracker.comments import events as comment_events
from tracker.digests import outbox
from tracker.digests import service as digest_service
from tracker.gates import common as gate_common
from tracker.gates import lists as gate_lists
from tracker.gates import requesting as gate_requesting
from tracker.gates.settings_service import ensure_defaults
from tracker.initiatives import hooks as initiative_hooks
from tracker.kpis import service as kpi_service
from tracker.notifications import comment_events as notification_comments
from tracker.notifications import service as notification_service
from tracker.pilots import exports as pilot_exports
from tracker.problems import exports as problem_exports
from tracker.problems import imports as problem_imports
from tracker.registers.exports import EXPORTS
from tracker.registers.imports import IMPORTERS
from tracker.risks import exports as risk_exports
from tracker.risks import imports as risk_imports

_unsubscribe: list[Callable[[], None]] = []


def install() -> None:
    if not _unsubscribe:  # once: every comment tells people (notifications)
        _unsubscribe.append(comment_events.subscribe(notification_comments.comment_posted))
    account_hooks.NEW_ORGANISATION.provide(ensure_defaults)
    account_hooks.QUEUE_MAIL.provide(outbox.queue_mail)
    account_hooks.DIGEST_ROWS.provide(digest_service.account_rows)
    account_hooks.INVITATION_ACCEPTED.provide(notification_service.invitation_accepted)
    initiative_hooks.OPEN_ALERTS.provide(kpi_service.open_alerts)
    initiative_hooks.GATE_HISTORY.provide(gate_lists.initiative_gates)
    initiative_hooks.MAY_REQUEST_GATE.provide(gate_requesting.may_request)
    initiative_hooks.CONDITION_OWNERS.provide(gate_common.member_choices)
    EXPORTS.update(
        problems=problem_exports.problems_table,
        measures=problem_exports.measures_table,
        pilots=pilot_exports.evaluation_table,
        feedback=pilot_exports.feedback_table,
        risks=risk_exports.risks_table,
        resistance=risk_exports.resistance_table,
    )
    IMPORTERS.update(problems=problem_imports.IMPORTER, risks=risk_imports.IMPORTER)
