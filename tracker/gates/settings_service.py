"""Gate templates and the decision rule of an organisation (admins edit them)."""

from __future__ import annotations

import json
from typing import Any

from tracker.accounts.language import org_language
from tracker.accounts.tables import Membership
from tracker.db import write_transaction
from tracker.gates import rules
from tracker.gates.tables import GateCriterion, GateRule
from tracker.i18n import gettext as _
from tracker.i18n import in_language
from tracker.tenancy import TenantScope
from tracker.values import Checks, Submitted

MAX_CHAIN = 5


async def ensure_defaults(org_id: int) -> None:
    """Give a new organisation the default criteria of every gate (in its language) and a
    decision rule."""
    scope = TenantScope(org_id)
    if not await scope.count(GateCriterion):
        language = await org_language(org_id)
        rows = [
            {
                "gate": gate,
                "position": i,
                "text": in_language(text, language),
                "kind": kind,
                "weight": weight,
                "evidence": rules.DEFAULT_EVIDENCE.get((gate, i), ""),
            }
            for gate, items in rules.DEFAULT_CRITERIA.items()
            for i, (text, kind, weight) in enumerate(items)
        ]
        await scope.insert(GateCriterion, *rows)
    if not await scope.count(GateRule):
        await scope.insert(GateRule, {})


async def criteria(
    scope: TenantScope, gate: int | None = None, active_only: bool = True
) -> list[dict]:
    query = scope.select(GateCriterion, *GateCriterion.all_columns())
    if gate is not None:
        query = query.where(GateCriterion.gate == gate)
    if active_only:
        query = query.where(GateCriterion.retired.eq(False))
    return await query.order_by(GateCriterion.gate).order_by(GateCriterion.position)


def _criterion_values(submitted: Submitted) -> dict[Any, Any]:
    """The criterion's columns (``Invalid`` when a field is refused)."""
    checks = Checks(submitted)
    text = checks.require("text", _("Describe the criterion."), 300)
    kind = checks.get("kind")
    if kind not in set(rules.CriterionKind):
        checks.error("kind", _("Choose must-meet or should-meet."))
    weight = checks.get("weight") or "1"
    if not weight.isdigit() or not 1 <= int(weight) <= 5:
        checks.error("weight", _("Use a weight from 1 to 5."))
        weight = "1"
    checks.done()
    return {GateCriterion.text: text, GateCriterion.kind: kind, GateCriterion.weight: int(weight)}


async def add_criterion(scope: TenantScope, gate: int, submitted: Submitted) -> None:
    values = _criterion_values(submitted)
    async with write_transaction():
        rows = (
            await scope.select(GateCriterion, GateCriterion.position)
            .where(GateCriterion.gate == gate)
            .order_by(GateCriterion.position, ascending=False)
            .first()
        )
        position = (rows["position"] + 1) if rows else 0
        await scope.insert(
            GateCriterion,
            {**{c._meta.name: v for c, v in values.items()}, "gate": gate, "position": position},
        )


async def update_criterion(scope: TenantScope, criterion_id: int, submitted: Submitted) -> None:
    await scope.get(GateCriterion, criterion_id, GateCriterion.id)
    values = _criterion_values(submitted)
    await scope.update(GateCriterion, values, GateCriterion.id == criterion_id)


async def set_retired(scope: TenantScope, criterion_id: int, retired: bool) -> None:
    await scope.get(GateCriterion, criterion_id, GateCriterion.id)
    await scope.update(
        GateCriterion, {GateCriterion.retired: retired}, GateCriterion.id == criterion_id
    )


async def move_criterion(scope: TenantScope, criterion_id: int, step: int) -> None:
    """Swap a criterion with its neighbour above (step −1) or below (+1) in its gate."""
    async with write_transaction():
        row = await scope.get(
            GateCriterion, criterion_id, GateCriterion.gate, GateCriterion.position
        )
        siblings = (
            await scope.select(GateCriterion, GateCriterion.id, GateCriterion.position)
            .where(GateCriterion.gate == row["gate"])
            .order_by(GateCriterion.position)
        )
        index = next(i for i, s in enumerate(siblings) if s["id"] == criterion_id)
        other = index + step
        if not 0 <= other < len(siblings):
            return
        a, b = siblings[index], siblings[other]
        # positions are unique per gate: park one out of the way while swapping
        await scope.update(
            GateCriterion, {GateCriterion.position: -1 - a["position"]}, GateCriterion.id == a["id"]
        )
        await scope.update(
            GateCriterion, {GateCriterion.position: a["position"]}, GateCriterion.id == b["id"]
        )
        await scope.update(
            GateCriterion, {GateCriterion.position: b["position"]}, GateCriterion.id == a["id"]
        )


async def rule_row(scope: TenantScope) -> dict[str, Any]:
    row = await scope.select(GateRule, *GateRule.all_columns(), GateRule.chair.name).first()
    if row is None:
        await ensure_defaults(scope.org_id)
        row = await scope.select(GateRule, *GateRule.all_columns(), GateRule.chair.name).first()
    row["chain"] = json.loads(row["approval_chain"] or "[]")
    return row  # type: ignore[no-any-return]


def rule_from_row(row: dict[str, Any]) -> rules.DecisionRule:
    return rules.DecisionRule(
        quorum_kind=row["quorum_kind"],
        quorum_value=row["quorum_value"],
        go_threshold=row["go_threshold"],
        stop_needs_chair=row["stop_needs_chair"],
    )


def snapshot(row: dict[str, Any]) -> str:
    """The rule as it stands, kept with a review so later edits do not change it."""
    return json.dumps(
        {
            "quorum_kind": row["quorum_kind"],
            "quorum_value": row["quorum_value"],
            "go_threshold": row["go_threshold"],
            "stop_needs_chair": row["stop_needs_chair"],
            "chair": row["chair"],
            "chain": row["chain"],
        }
    )


async def save_rule(scope: TenantScope, submitted: Submitted) -> None:
    """The organisation's decision rule (``Invalid`` when a field is refused)."""
    checks = Checks(submitted)
    kind = checks.get("quorum_kind")
    if kind not in {"count", "share"}:
        checks.error("quorum_kind", _("Choose how the quorum is counted."))
    value = checks.get("quorum_value")
    high = 100 if kind == "share" else 50
    if not value.isdigit() or not 1 <= int(value) <= high:
        checks.error("quorum_value", _("Use a whole number from 1 to %(n)s.", n=high))
    threshold = checks.get("go_threshold")
    if threshold not in {"majority", "unanimous"}:
        checks.error("go_threshold", _("Choose the rule for Go."))
    people = {
        r["person"]
        for r in await Membership.select(Membership.person).where(Membership.org == scope.org_id)
    }
    chair = checks.get("chair")
    if chair and (not chair.isdigit() or int(chair) not in people):
        checks.error("chair", _("Choose a member of this organisation."))
    chain = []
    for level in range(1, MAX_CHAIN + 1):
        label = checks.limit(f"level_{level}_label", 100)
        person = checks.get(f"level_{level}_person")
        if not label and not person:
            continue
        if not label:
            checks.error(f"level_{level}_label", _("Name this approval level."))
        if not person.isdigit() or int(person) not in people:
            checks.error(f"level_{level}_person", _("Choose a member of this organisation."))
            continue
        chain.append({"label": label, "person": int(person)})
    checks.done()
    await scope.update(
        GateRule,
        {
            GateRule.quorum_kind: kind,
            GateRule.quorum_value: int(value),
            GateRule.go_threshold: threshold,
            GateRule.stop_needs_chair: checks.get("stop_needs_chair") == "on",
            GateRule.chair: int(chair) if chair else None,
            GateRule.approval_chain: json.dumps(chain),
            GateRule.version: GateRule.version + 1,
        },
    )
