"""Pure rules of phase gates: the outcome of a review, the decision's effect on the phases,
the tally of scores, and the default criteria. No I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class VoteKind(StrEnum):
    GO = "go"
    GO_CONDITIONS = "go_conditions"
    RECYCLE = "recycle"
    HOLD = "hold"
    STOP = "stop"
    ABSTAIN = "abstain"


DECISIONS = (VoteKind.GO, VoteKind.GO_CONDITIONS, VoteKind.RECYCLE, VoteKind.HOLD, VoteKind.STOP)


class CriterionKind(StrEnum):
    MUST = "must"
    SHOULD = "should"


class OutcomeState(StrEnum):
    PENDING = "pending"  # wait for more votes
    DECIDED = "decided"  # the rule decides
    NEEDS_CHAIR = "needs_chair"  # the chair must decide (or confirm)


@dataclass(frozen=True)
class DecisionRule:
    quorum_kind: str = "share"  # count | share
    quorum_value: int = 51  # reviewers, or percent of the assigned reviewers (more than half)
    go_threshold: str = "majority"  # majority | unanimous
    stop_needs_chair: bool = True


@dataclass(frozen=True)
class Ballot:
    vote: str
    recycle_to: int | None = None
    must_failed: bool = False  # this reviewer answered "no" to a must-meet criterion


@dataclass(frozen=True)
class Outcome:
    state: OutcomeState
    decision: str | None = None
    recycle_to: int | None = None
    reason: str = ""  # an English message id


def quorum_needed(rule: DecisionRule, assigned: int) -> int:
    """How many reviewers must respond (abstaining counts as responding)."""
    if assigned <= 0:
        return 1
    if rule.quorum_kind == "count":
        return max(1, min(rule.quorum_value, assigned))
    share = max(1, min(rule.quorum_value, 100))
    return max(1, -(-assigned * share // 100))  # ceiling


def evaluate(rule: DecisionRule, assigned: int, ballots: Sequence[Ballot]) -> Outcome:
    """The outcome of a review so far.

    - Nothing is decided before the quorum has responded.
    - Any Stop vote hands the decision to the chair when the rule says so.
    - Go (or Go with conditions, when any Go vote carried conditions) needs a majority of the
      votes cast (all of them when the rule is "unanimous") and no must-meet failure; a
      must-meet failure under a Go majority goes to the chair.
    - Otherwise a majority for Recycle (to the earliest phase named), Hold or Stop decides.
    - Without a majority, the review waits for the remaining reviewers, then goes to the chair.
    """
    responded = len(ballots)
    all_in = responded >= assigned
    if responded < quorum_needed(rule, assigned):
        return Outcome(OutcomeState.PENDING, reason="Waiting for the quorum.")
    cast = [b for b in ballots if b.vote != VoteKind.ABSTAIN]
    if not cast:
        if all_in:
            return Outcome(OutcomeState.NEEDS_CHAIR, reason="Every reviewer abstained.")
        return Outcome(OutcomeState.PENDING, reason="Waiting for a vote that is not an abstention.")
    counts = Counter(b.vote for b in cast)
    if counts[VoteKind.STOP] and rule.stop_needs_chair:
        return Outcome(
            OutcomeState.NEEDS_CHAIR,
            decision=VoteKind.STOP,
            reason="A Stop vote needs the chair's confirmation.",
        )
    go_votes = counts[VoteKind.GO] + counts[VoteKind.GO_CONDITIONS]
    needed = len(cast) if rule.go_threshold == "unanimous" else len(cast) // 2 + 1
    if go_votes >= needed:
        if any(b.must_failed for b in ballots):
            return Outcome(
                OutcomeState.NEEDS_CHAIR,
                decision=VoteKind.GO,
                reason="A must-meet criterion failed: the chair decides.",
            )
        kind = VoteKind.GO_CONDITIONS if counts[VoteKind.GO_CONDITIONS] else VoteKind.GO
        return Outcome(OutcomeState.DECIDED, decision=kind, reason="Majority for Go.")
    majority = len(cast) // 2 + 1
    for kind in (VoteKind.RECYCLE, VoteKind.HOLD, VoteKind.STOP):
        if counts[kind] >= majority:
            target = None
            if kind == VoteKind.RECYCLE:
                targets = [b.recycle_to for b in cast if b.vote == kind and b.recycle_to]
                target = min(targets) if targets else None
            return Outcome(
                OutcomeState.DECIDED, decision=kind, recycle_to=target, reason="Majority vote."
            )
    if all_in:
        return Outcome(OutcomeState.NEEDS_CHAIR, reason="No majority: the chair decides.")
    return Outcome(OutcomeState.PENDING, reason="No majority yet.")


@dataclass(frozen=True)
class Effect:
    phase: int  # the phase the initiative is in afterwards
    status: str | None  # the initiative's status afterwards (None: unchanged)
    close_current: bool  # the current phase gets its actual end
    reopen_from: int | None  # phases from here to the current one start again (recycle)


def decision_effect(current_phase: int, decision: str, recycle_to: int | None) -> Effect:
    """What a gate decision does to the initiative's phases and status."""
    if decision in (VoteKind.GO, VoteKind.GO_CONDITIONS):
        if current_phase >= 6:
            return Effect(6, "completed", close_current=True, reopen_from=None)
        return Effect(current_phase + 1, None, close_current=True, reopen_from=None)
    if decision == VoteKind.RECYCLE:
        if recycle_to is None or not 1 <= recycle_to <= current_phase:
            raise ValueError("Recycle needs an earlier phase (or the current one).")
        return Effect(recycle_to, None, close_current=True, reopen_from=recycle_to)
    if decision == VoteKind.HOLD:
        return Effect(current_phase, "on_hold", close_current=False, reopen_from=None)
    if decision == VoteKind.STOP:
        return Effect(current_phase, "stopped", close_current=False, reopen_from=None)
    raise ValueError(f"Not a decision: {decision}")


def recycle_targets(current_phase: int) -> list[int]:
    """Phases a review may send the initiative back to: any earlier one; from monitoring,
    design onwards (a new iteration); the current phase itself to redo it."""
    return list(range(1, current_phase + 1))


# --- the tally --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionTally:
    criterion_id: int
    text: str
    kind: str
    weight: int
    scores: dict[int, int]  # reviewer id → value
    spread: int  # max − min (0 with fewer than two scores)
    must_failed: bool
    mean: float | None


@dataclass
class Tally:
    rows: list[CriterionTally] = field(default_factory=list)
    weighted: dict[int, float] = field(default_factory=dict)  # reviewer → % of the maximum


def tally(criteria: Iterable[dict], scores: Iterable[dict]) -> Tally:
    """Per criterion each reviewer's score and the spread; widest disagreements first,
    must-meet failures flagged; per reviewer the weighted should-meet score in %."""
    by_criterion: dict[int, dict[int, int]] = {}
    for s in scores:
        by_criterion.setdefault(s["criterion"], {})[s["reviewer"]] = s["value"]
    rows = []
    points: dict[int, float] = {}
    maximum: dict[int, float] = {}
    for c in criteria:
        values = by_criterion.get(c["id"], {})
        numbers = list(values.values())
        spread = max(numbers) - min(numbers) if len(numbers) > 1 else 0
        if c["kind"] == CriterionKind.MUST:
            spread *= 4  # a yes/no split is the widest disagreement there is
        else:
            for reviewer, value in values.items():
                points[reviewer] = points.get(reviewer, 0) + value * c["weight"]
                maximum[reviewer] = maximum.get(reviewer, 0) + 5 * c["weight"]
        rows.append(
            CriterionTally(
                criterion_id=c["id"],
                text=c["text"],
                kind=c["kind"],
                weight=c["weight"],
                scores=values,
                spread=spread,
                must_failed=c["kind"] == CriterionKind.MUST and 0 in numbers,
                mean=sum(numbers) / len(numbers) if numbers else None,
            )
        )
    rows.sort(key=lambda r: (-r.must_failed, -r.spread, r.criterion_id))
    weighted = {r: round(points[r] / maximum[r] * 100, 1) for r in points if maximum[r]}
    return Tally(rows=rows, weighted=weighted)


def check_scores(criteria: Iterable[dict], values: dict[int, int | None]) -> dict[int, str]:
    """Errors per criterion id for a reviewer's scorecard (every criterion must be scored)."""
    errors = {}
    for c in criteria:
        value = values.get(c["id"])
        if c["kind"] == CriterionKind.MUST:
            if value not in (0, 1):
                errors[c["id"]] = "Answer yes or no."
        elif value is None or not 1 <= value <= 5:
            errors[c["id"]] = "Score from 1 to 5."
    return errors


# --- defaults ---------------------------------------------------------------------------

# ((English, Chinese), kind, weight) per gate, from DOMAIN.md's exit criteria. An organisation
# gets them in its language (``Organisation.language``) as data it may edit.
DEFAULT_CRITERIA: dict[int, list[tuple[tuple[str, str], str, int]]] = {
    1: [
        (
            ("Goal is SMART with baseline and target", "目标符合SMART原则，有基线值和目标值"),
            "must",
            1,
        ),
        (("Scope in and out written", "已明确包含与不含的范围"), "must", 1),
        (("Team and owner named", "已确定团队与负责人"), "should", 2),
        (("Sponsor committed", "高层发起人已承诺支持"), "should", 3),
    ],
    2: [
        (("As-is steps recorded", "现状流程步骤已记录"), "must", 1),
        (("Problems registered and prioritised", "问题已登记并排序"), "must", 1),
        (("Root causes found for high-priority problems", "高优先级问题已找到根因"), "should", 3),
        (("Top-5 problem report written", "TOP5 问题清单已完成"), "should", 2),
    ],
    3: [
        (
            ("SOP drafted with a responsible role per step", "SOP已起草，每个步骤有责任岗位"),
            "must",
            1,
        ),
        (("RACI has exactly one A per step", "RACI每个步骤只有一个A"), "must", 1),
        (
            ("Measures linked to each high-priority problem", "每个高优先级问题都有对应措施"),
            "should",
            3,
        ),
        (("Design review held", "已召开方案评审会"), "should", 2),
    ],
    4: [
        (("Pilot metrics measured before and after", "试点指标已有优化前后数据"), "must", 1),
        (("Satisfaction collected", "已收集满意度"), "should", 2),
        (("Unmet problems listed with causes", "未达标问题及原因已列明"), "should", 2),
        (("Pilot summary written", "试点总结报告已完成"), "should", 3),
    ],
    5: [
        (("All rollout waves done", "所有推广批次已完成"), "must", 1),
        (("Training pass rate meets the target", "培训考核合格率达标"), "should", 3),
        (("SOP published at a version with effective date", "SOP已发布并有生效日期"), "must", 1),
    ],
    6: [
        (("KPIs monitored against targets", "监控指标已对照目标跟踪"), "should", 3),
        (("Periodic review held", "已进行定期评审"), "should", 2),
    ],
}


# The live evidence shown beside each built-in criterion (gate, position) → evidence code.
DEFAULT_EVIDENCE: dict[tuple[int, int], str] = {
    (1, 0): "smart_goal",
    (2, 1): "problems_registered",
    (2, 2): "root_causes",
    (3, 0): "sop_drafted",
    (3, 1): "raci_valid",
    (3, 2): "measures_linked",
    (4, 0): "pilot_before_after",
    (5, 0): "rollout_done",
    (5, 1): "training_pass",
    (5, 2): "sop_published",
    (6, 0): "kpis_monitored",
}
ROLLOUT_GATE = 5  # cannot pass without a published SOP
