"""Which first steps a new organisation has done (tracker.onboarding.rules)."""

from __future__ import annotations

from tracker.onboarding.rules import checklist


def done(c) -> dict[str, bool]:
    return {step.key: step.done for step in c.steps}


def test_a_fresh_organisation_has_everything_to_do_in_order():
    c = checklist(members=1, invitations=0, initiatives=0, rule_saved=False, digests_saved=False)
    assert [s.key for s in c.steps] == ["invite", "initiative", "gate_rule", "digests"]
    assert not any(done(c).values()) and c.done_count == 0 and not c.complete


def test_an_invitation_or_a_second_member_counts_as_inviting():
    assert done(checklist(1, 1, 0, False, False))["invite"]
    assert done(checklist(2, 0, 0, False, False))["invite"]


def test_all_four_done_completes_the_list():
    c = checklist(members=3, invitations=0, initiatives=1, rule_saved=True, digests_saved=True)
    assert c.complete and c.done_count == 4
