"""The satisfaction ballot's tally: counts per choice, rates, weighted score, turnout and quorum.

A ballot is a mapping of subject (a member or a cadre) to the box the voter ticked, or None when
the voter left that row untouched. The quorum rule lives in rules.quorum and is re-exported here.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from starrating.rules.numbers import percent, round_half_up
from starrating.rules.quorum import DEFAULT_QUORUM as DEFAULT_QUORUM
from starrating.rules.quorum import QuorumKind as QuorumKind
from starrating.rules.quorum import QuorumRule as QuorumRule
from starrating.rules.quorum import quorum_met as quorum_met
from starrating.rules.wording import plain, rate

SubjectId = TypeVar("SubjectId", bound=Hashable)


class Choice(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    DISSATISFIED = "dissatisfied"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return CHOICE_LABELS[self]


CHOICE_LABELS = {
    Choice.SATISFIED: "满意",
    Choice.BASIC: "基本满意",
    Choice.DISSATISFIED: "不满意",
    Choice.UNKNOWN: "不了解",
}


class ImpossibleTally(ValueError):
    """Figures that cannot come out of a real ballot; the message says which, in Chinese."""


class NegativeCount(ImpossibleTally):
    pass


class NoEligibleVoters(ImpossibleTally):
    pass


class IssuedExceedsEligible(ImpossibleTally):
    pass


class ReturnedExceedsIssued(ImpossibleTally):
    pass


class UnknownSubject(ImpossibleTally):
    pass


class DuplicateSubject(ImpossibleTally):
    pass


@dataclass(frozen=True)
class ChoiceWeights:
    """Points one mark earns in the weighted score; 不了解 earns none and is not counted."""

    satisfied: Decimal = Decimal(100)
    basic: Decimal = Decimal(70)
    dissatisfied: Decimal = Decimal(30)

    def of(self, choice: Choice) -> Decimal:
        if choice is Choice.UNKNOWN:
            raise ValueError("不了解不计分")
        return {
            Choice.SATISFIED: self.satisfied,
            Choice.BASIC: self.basic,
            Choice.DISSATISFIED: self.dissatisfied,
        }[choice]

    def problems(self) -> list[str]:
        """Each weight lies in 0–100, and 满意 ≥ 基本满意 ≥ 不满意."""
        problems = [
            f"“{choice.label}”的分值应在 0 到 100 之间，现为 {plain(self.of(choice))}"
            for choice in VALID_CHOICES
            if not 0 <= self.of(choice) <= 100
        ]
        if not self.satisfied >= self.basic >= self.dissatisfied:
            problems.append("分值应满足 满意 ≥ 基本满意 ≥ 不满意")
        return problems


DEFAULT_CADRE_WEIGHTS = ChoiceWeights()
VALID_CHOICES = (Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED)


@dataclass(frozen=True)
class ChoiceCounts:
    """How many marks each box got for one subject, and how many rows were left blank."""

    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0
    unknown: int = 0
    blank: int = 0

    def __post_init__(self) -> None:
        if min(self.satisfied, self.basic, self.dissatisfied, self.unknown, self.blank) < 0:
            raise NegativeCount("票数不能为负数")

    @classmethod
    def from_marks(cls, marks: Iterable[Choice | None]) -> "ChoiceCounts":
        tally = dict.fromkeys([*Choice, None], 0)
        for mark in marks:
            tally[mark] += 1
        return cls(
            satisfied=tally[Choice.SATISFIED],
            basic=tally[Choice.BASIC],
            dissatisfied=tally[Choice.DISSATISFIED],
            unknown=tally[Choice.UNKNOWN],
            blank=tally[None],
        )

    def of(self, choice: Choice) -> int:
        return {
            Choice.SATISFIED: self.satisfied,
            Choice.BASIC: self.basic,
            Choice.DISSATISFIED: self.dissatisfied,
            Choice.UNKNOWN: self.unknown,
        }[choice]

    @property
    def valid(self) -> int:
        """Valid marks are 满意, 基本满意 and 不满意; 不了解 and blank rows are left out."""
        return self.satisfied + self.basic + self.dissatisfied


def recognition_rate(counts: ChoiceCounts) -> Decimal | None:
    """认可率 = (满意 + 基本满意) / 有效票, as an unrounded percentage; None without valid marks."""
    return percent(counts.satisfied + counts.basic, counts.valid) if counts.valid else None


def satisfaction_rate(counts: ChoiceCounts) -> Decimal | None:
    """满意率 = 满意 / 有效票, as an unrounded percentage; None without valid marks."""
    return percent(counts.satisfied, counts.valid) if counts.valid else None


def dissatisfied_rate(counts: ChoiceCounts) -> Decimal | None:
    """不满意率 = 不满意 / 有效票, as an unrounded percentage; None without valid marks."""
    return percent(counts.dissatisfied, counts.valid) if counts.valid else None


def weighted_score(counts: ChoiceCounts, weights: ChoiceWeights) -> Decimal | None:
    """测评得分 = Σ 票数 × 分值 / 有效票 (不了解 not counted), unrounded; None without valid
    marks."""
    if not counts.valid:
        return None
    points = sum((counts.of(choice) * weights.of(choice) for choice in VALID_CHOICES), Decimal(0))
    return points / counts.valid


def score_arithmetic(counts: ChoiceCounts, weights: ChoiceWeights) -> str:
    """The weighted score written out, both steps:
    (60×100 + 25×70 + 15×30) / 100 = (6000 + 1750 + 450) / 100."""
    terms = [(counts.of(choice), weights.of(choice)) for choice in VALID_CHOICES]
    products = " + ".join(f"{count}×{plain(weight)}" for count, weight in terms)
    sums = " + ".join(plain(count * weight) for count, weight in terms)
    return f"({products}) / {counts.valid} = ({sums}) / {counts.valid}"


def _shown(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


@dataclass(frozen=True)
class SubjectTally:
    """One subject's tally; rates are exact, the *_shown figures are rounded half-up to 0.1."""

    counts: ChoiceCounts
    weights: ChoiceWeights = DEFAULT_CADRE_WEIGHTS

    @property
    def valid(self) -> int:
        return self.counts.valid

    @property
    def recognition_rate(self) -> Decimal | None:
        return recognition_rate(self.counts)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return satisfaction_rate(self.counts)

    @property
    def dissatisfied_rate(self) -> Decimal | None:
        return dissatisfied_rate(self.counts)

    @property
    def weighted_score(self) -> Decimal | None:
        return weighted_score(self.counts, self.weights)

    @property
    def recognition_shown(self) -> Decimal | None:
        return _shown(self.recognition_rate)

    @property
    def satisfaction_shown(self) -> Decimal | None:
        return _shown(self.satisfaction_rate)

    @property
    def dissatisfied_shown(self) -> Decimal | None:
        return _shown(self.dissatisfied_rate)

    @property
    def score_shown(self) -> Decimal | None:
        return _shown(self.weighted_score)

    def explain(self, approval_rate_label: str = "认可率") -> list[str]:
        """The arithmetic, line by line; (满意 + 基本满意) / 有效票 is called by the section's
        name for it (认可率 for members, 综合满意率 for cadres)."""
        c = self.counts
        lines = [
            "　".join(f"{choice.label} {c.of(choice)} 票" for choice in Choice)
            + f"　未填 {c.blank} 票",
            f"有效票 = 满意 + 基本满意 + 不满意 = {c.satisfied} + {c.basic} + {c.dissatisfied}"
            f" = {c.valid}（不了解和未填不计入）",
        ]
        if not c.valid:
            return [*lines, f"没有有效票，不计算{approval_rate_label}、满意率和测评得分"]
        return [
            *lines,
            f"{approval_rate_label} = (满意 + 基本满意) / 有效票"
            f" = ({c.satisfied} + {c.basic}) / {c.valid} = {rate(self.recognition_rate)}",
            f"满意率 = 满意 / 有效票 = {c.satisfied} / {c.valid} = {rate(self.satisfaction_rate)}",
            f"不满意率 = 不满意 / 有效票 = {c.dissatisfied} / {c.valid}"
            f" = {rate(self.dissatisfied_rate)}",
            f"测评得分 = {score_arithmetic(c, self.weights)} = {self.score_shown}",
        ]


def tally_subject(
    marks: Iterable[Choice | None], weights: ChoiceWeights = DEFAULT_CADRE_WEIGHTS
) -> SubjectTally:
    """Count one subject's marks over all returned ballots (None is a row left blank)."""
    return SubjectTally(ChoiceCounts.from_marks(marks), weights)


@dataclass(frozen=True)
class RoundTally(Generic[SubjectId]):
    """A whole round: eligible, issued, returned and valid ballots, turnout, quorum, subjects.

    A returned ballot is valid when at least one box is ticked (不了解 included); a ballot with
    every row blank is a 空白票: it is returned, counts towards quorum, but is not valid.
    """

    eligible: int
    issued: int
    returned: int
    valid_ballots: int
    quorum: QuorumRule
    subjects: tuple[tuple[SubjectId, SubjectTally], ...]

    @property
    def blank_ballots(self) -> int:
        return self.returned - self.valid_ballots

    @property
    def turnout(self) -> Decimal:
        """参与率 = 回收 / 应参加, unrounded percentage."""
        return percent(self.returned, self.eligible)

    @property
    def turnout_shown(self) -> Decimal:
        return round_half_up(self.turnout)

    @property
    def quorum_met(self) -> bool:
        return quorum_met(self.returned, self.eligible, self.quorum)

    @property
    def counts(self) -> bool:
        """Only a round that met quorum is counted; otherwise it is re-run (补测)."""
        return self.quorum_met

    def tally_for(self, subject_id: SubjectId) -> SubjectTally:
        for known, tally in self.subjects:
            if known == subject_id:
                return tally
        raise UnknownSubject(f"本次测评没有对象 {subject_id}")

    def explain(self) -> list[str]:
        required = self.quorum.required(self.eligible)
        verdict = "已达法定人数，测评有效" if self.counts else "未达法定人数，需补测"
        sign = "≥" if self.counts else "<"
        return [
            f"应参加 {self.eligible} 人，发出 {self.issued} 张，收回 {self.returned} 张，"
            f"有效 {self.valid_ballots} 张（空白票 {self.blank_ballots} 张）",
            f"参与率 = 收回 / 应参加 = {self.returned} / {self.eligible} = {rate(self.turnout)}",
            f"法定人数（{self.quorum.describe()}）：需收回至少 {required} 张，"
            f"实收 {self.returned} {sign} {required}，{verdict}",
        ]


def _check_round_figures(eligible: int, issued: int, returned: int) -> None:
    if eligible < 1:
        raise NoEligibleVoters(f"应参加人数应至少为 1，现为 {eligible}")
    if issued < 0:
        raise NegativeCount(f"发出票数不能为负数，现为 {issued}")
    if issued > eligible:
        raise IssuedExceedsEligible(f"发出票数 {issued} 超过应参加人数 {eligible}")
    if returned > issued:
        raise ReturnedExceedsIssued(f"收回票数 {returned} 超过发出票数 {issued}")


def _check_subjects(
    ballots: Sequence[Mapping[SubjectId, Choice | None]], subject_ids: Sequence[SubjectId]
) -> None:
    known = set(subject_ids)
    if len(known) != len(subject_ids):
        raise DuplicateSubject("测评对象重复")
    for ballot in ballots:
        strangers = [subject for subject in ballot if subject not in known]
        if strangers:
            raise UnknownSubject(f"选票上有本次测评之外的对象：{strangers[0]}")


def tally_round(
    *,
    eligible: int,
    issued: int,
    ballots: Sequence[Mapping[SubjectId, Choice | None]],
    subject_ids: Sequence[SubjectId],
    weights: ChoiceWeights = DEFAULT_CADRE_WEIGHTS,
    quorum: QuorumRule = DEFAULT_QUORUM,
) -> RoundTally[SubjectId]:
    """Tally a closed round: every returned ballot, each subject in the order of subject_ids.

    A subject missing from a ballot counts as a blank row.
    """
    _check_round_figures(eligible, issued, len(ballots))
    _check_subjects(ballots, subject_ids)
    subjects = tuple(
        (subject, tally_subject((ballot.get(subject) for ballot in ballots), weights))
        for subject in subject_ids
    )
    valid_ballots = sum(1 for ballot in ballots if any(m is not None for m in ballot.values()))
    return RoundTally(
        eligible=eligible,
        issued=issued,
        returned=len(ballots),
        valid_ballots=valid_ballots,
        quorum=quorum,
        subjects=subjects,
    )
