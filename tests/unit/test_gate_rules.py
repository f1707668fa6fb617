import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.gates import rules
from tracker.gates.rules import Ballot, DecisionRule, OutcomeState, VoteKind

MAJORITY = DecisionRule(
    quorum_kind="share", quorum_value=51, go_threshold="majority", stop_needs_chair=True
)


def b(vote, recycle_to=None, failed=False):
    return Ballot(vote, recycle_to, failed)


def test_nothing_is_decided_before_the_quorum():
    outcome = rules.evaluate(MAJORITY, 5, [b("go"), b("go")])
    assert outcome.state == OutcomeState.PENDING


def test_quorum_counts():
    assert rules.quorum_needed(MAJORITY, 5) == 3
    assert rules.quorum_needed(MAJORITY, 4) == 3  # more than half
    assert rules.quorum_needed(MAJORITY, 2) == 2
    assert rules.quorum_needed(DecisionRule(quorum_kind="count", quorum_value=2), 5) == 2
    assert rules.quorum_needed(DecisionRule(quorum_kind="count", quorum_value=9), 3) == 3
    assert rules.quorum_needed(DecisionRule(quorum_kind="share", quorum_value=100), 3) == 3


def test_go_majority_decides_go():
    outcome = rules.evaluate(MAJORITY, 3, [b("go"), b("go")])
    assert outcome.state == OutcomeState.DECIDED and outcome.decision == VoteKind.GO


def test_any_conditions_make_it_go_with_conditions():
    outcome = rules.evaluate(MAJORITY, 3, [b("go"), b("go_conditions"), b("hold")])
    assert outcome.decision == VoteKind.GO_CONDITIONS


def test_must_meet_failure_blocks_go_and_goes_to_the_chair():
    outcome = rules.evaluate(MAJORITY, 3, [b("go"), b("go", failed=True)])
    assert outcome.state == OutcomeState.NEEDS_CHAIR


def test_stop_vote_needs_the_chair():
    outcome = rules.evaluate(MAJORITY, 3, [b("go"), b("go"), b("stop")])
    assert outcome.state == OutcomeState.NEEDS_CHAIR and outcome.decision == VoteKind.STOP
    relaxed = DecisionRule(stop_needs_chair=False)
    assert rules.evaluate(relaxed, 3, [b("stop"), b("stop")]).decision == VoteKind.STOP


def test_recycle_majority_returns_to_the_earliest_named_phase():
    outcome = rules.evaluate(MAJORITY, 3, [b("recycle", 3), b("recycle", 2), b("go")])
    assert outcome.decision == VoteKind.RECYCLE and outcome.recycle_to == 2


def test_no_majority_waits_then_goes_to_the_chair():
    assert rules.evaluate(MAJORITY, 4, [b("go"), b("hold")]).state == OutcomeState.PENDING
    outcome = rules.evaluate(MAJORITY, 4, [b("go"), b("hold"), b("recycle", 1), b("go")])
    assert outcome.state == OutcomeState.NEEDS_CHAIR


def test_unanimous_rule():
    rule = DecisionRule(go_threshold="unanimous")
    assert rules.evaluate(rule, 3, [b("go"), b("go"), b("hold")]).state != OutcomeState.DECIDED
    assert rules.evaluate(rule, 3, [b("go"), b("go"), b("abstain")]).decision == VoteKind.GO


def test_all_abstaining_goes_to_the_chair():
    assert (
        rules.evaluate(MAJORITY, 2, [b("abstain"), b("abstain")]).state == OutcomeState.NEEDS_CHAIR
    )


ballots = st.lists(
    st.builds(
        Ballot,
        st.sampled_from(list(VoteKind)),
        st.one_of(st.none(), st.integers(1, 6)),
        st.booleans(),
    ),
    max_size=9,
)
rule_strategy = st.builds(
    DecisionRule,
    st.sampled_from(["count", "share"]),
    st.integers(1, 100),
    st.sampled_from(["majority", "unanimous"]),
    st.booleans(),
)


@given(rule_strategy, st.integers(1, 9), ballots)
def test_outcome_properties(rule, assigned, votes):
    votes = votes[:assigned]
    outcome = rules.evaluate(rule, assigned, votes)
    cast = [v for v in votes if v.vote != VoteKind.ABSTAIN]
    if len(votes) < rules.quorum_needed(rule, assigned):
        assert outcome.state == OutcomeState.PENDING
    if outcome.state == OutcomeState.DECIDED:
        # a decision always has a strict majority (or all, for unanimous Go) behind it
        go = sum(v.vote in (VoteKind.GO, VoteKind.GO_CONDITIONS) for v in cast)
        if outcome.decision in (VoteKind.GO, VoteKind.GO_CONDITIONS):
            assert go * 2 > len(cast)
            assert not any(v.must_failed for v in votes)
            if rule.go_threshold == "unanimous":
                assert go == len(cast)
        else:
            assert sum(v.vote == outcome.decision for v in cast) * 2 > len(cast)
        if rule.stop_needs_chair:
            assert not any(v.vote == VoteKind.STOP for v in cast)
        if outcome.decision == VoteKind.RECYCLE and outcome.recycle_to is not None:
            assert outcome.recycle_to == min(
                v.recycle_to for v in cast if v.vote == VoteKind.RECYCLE and v.recycle_to
            )
    if len(votes) == assigned and len(votes) >= rules.quorum_needed(rule, assigned):
        assert outcome.state != OutcomeState.PENDING  # everyone voted: never stuck


@pytest.mark.parametrize(
    ("current", "decision", "target", "phase", "status", "closes"),
    [
        (2, "go", None, 3, None, True),
        (3, "go_conditions", None, 4, None, True),
        (6, "go", None, 6, "completed", True),
        (4, "recycle", 3, 3, None, True),
        (6, "recycle", 3, 3, None, True),
        (4, "hold", None, 4, "on_hold", False),
        (4, "stop", None, 4, "stopped", False),
    ],
)
def test_decision_effect(current, decision, target, phase, status, closes):
    effect = rules.decision_effect(current, decision, target)
    assert (effect.phase, effect.status, effect.close_current) == (phase, status, closes)


def test_recycle_must_go_back():
    with pytest.raises(ValueError):
        rules.decision_effect(3, "recycle", 5)
    with pytest.raises(ValueError):
        rules.decision_effect(3, "recycle", None)


def test_tally_sorts_widest_disagreement_first_and_flags_must_failures():
    criteria = [
        {"id": 1, "text": "A", "kind": "should", "weight": 1},
        {"id": 2, "text": "B", "kind": "should", "weight": 3},
        {"id": 3, "text": "C", "kind": "must", "weight": 1},
    ]
    scores = [
        {"criterion": 1, "reviewer": 10, "value": 3},
        {"criterion": 1, "reviewer": 11, "value": 4},
        {"criterion": 2, "reviewer": 10, "value": 1},
        {"criterion": 2, "reviewer": 11, "value": 5},
        {"criterion": 3, "reviewer": 10, "value": 1},
        {"criterion": 3, "reviewer": 11, "value": 0},
    ]
    result = rules.tally(criteria, scores)
    assert [r.criterion_id for r in result.rows] == [3, 2, 1]
    assert result.rows[0].must_failed and result.rows[1].spread == 4
    assert result.weighted == {10: round((3 + 3) / 20 * 100, 1), 11: round((4 + 15) / 20 * 100, 1)}


def test_scorecard_must_be_complete():
    criteria = [{"id": 1, "kind": "must"}, {"id": 2, "kind": "should"}]
    assert rules.check_scores(criteria, {1: 1, 2: 5}) == {}
    assert set(rules.check_scores(criteria, {1: 3, 2: 0})) == {1, 2}
    assert set(rules.check_scores(criteria, {})) == {1, 2}
