"""When a villagers' ballot counts: enough of the electorate returned a ballot (法定人数)."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class QuorumKind(StrEnum):
    ELIGIBLE_HALF = "eligible_half"
    HOUSEHOLDS_TWO_THIRDS = "households_two_thirds"
    REPRESENTATIVES_TWO_THIRDS = "representatives_two_thirds"

    @property
    def meeting(self) -> str:
        return QUORUM_WORDS[self][0]

    @property
    def base(self) -> str:
        return QUORUM_WORDS[self][1]

    @property
    def default_fraction(self) -> Fraction:
        return Fraction(1, 2) if self is QuorumKind.ELIGIBLE_HALF else Fraction(2, 3)

    @property
    def label(self) -> str:
        return QuorumRule(self, self.default_fraction).describe()


QUORUM_WORDS = {
    QuorumKind.ELIGIBLE_HALF: ("村民会议", "应参加人数"),
    QuorumKind.HOUSEHOLDS_TWO_THIRDS: ("户代表会议", "户数"),
    QuorumKind.REPRESENTATIVES_TWO_THIRDS: ("村民代表会议", "村民代表人数"),
}


@dataclass(frozen=True)
class QuorumRule:
    """A ballot counts only when the returned ballots reach this fraction of the eligible count."""

    kind: QuorumKind = QuorumKind.ELIGIBLE_HALF
    fraction: Fraction = Fraction(1, 2)

    @classmethod
    def for_kind(cls, kind: QuorumKind) -> "QuorumRule":
        return cls(kind, kind.default_fraction)

    def describe(self) -> str:
        return f"{self.kind.meeting}: 到会/投票 ≥ {self.kind.base}的 {self.fraction}"

    def required(self, eligible: int) -> int:
        """The smallest number of returned ballots that meets the quorum."""
        return -(-eligible * self.fraction.numerator // self.fraction.denominator)

    def problems(self) -> list[str]:
        if not 0 < self.fraction <= 1:
            return [f"法定人数比例应大于 0 且不超过 1，现为 {self.fraction}"]
        return []

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "fraction": str(self.fraction)}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> "QuorumRule":
        return cls(QuorumKind(data["kind"]), Fraction(data["fraction"]))


DEFAULT_QUORUM = QuorumRule()


def quorum_met(returned: int, eligible: int, rule: QuorumRule = DEFAULT_QUORUM) -> bool:
    """回收票数 ≥ 应参加人数 × 比例, compared exactly (no rounding): 100 of 200 meets 1/2."""
    return returned * rule.fraction.denominator >= eligible * rule.fraction.numerator
