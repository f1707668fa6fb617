"""Pure rules of the getting-started checklist: which steps a new organisation has done."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    key: str  # invite | initiative | gate_rule | digests
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


def checklist(
    members: int, invitations: int, initiatives: int, rule_saved: bool, digests_saved: bool
) -> Checklist:
    """The four first steps, in the order they are best done: people are invited once anyone
    besides the founder belongs or has been invited; the first initiative once there is one;
    the gate rule and the digest schedule once an admin has saved them (their defaults exist
    from the start, so only a save tells that someone chose them)."""
    return Checklist(
        (
            Step("invite", members > 1 or invitations > 0),
            Step("initiative", initiatives > 0),
            Step("gate_rule", rule_saved),
            Step("digests", digests_saved),
        )
    )
