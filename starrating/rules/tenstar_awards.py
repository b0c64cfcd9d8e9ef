"""Awarding the ten stars: the organisational stars from the raters' marks (达标 by majority,
or mean points), the mass stars from the certified member ballot."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from enum import Enum
from typing import Protocol

from starrating.rules.numbers import percent, round_half_up
from starrating.rules.tenstar import StarDecision, StarStatus
from starrating.rules.tenstar_scheme import (
    MarkingMode,
    MassMeasure,
    Star,
    StarGroup,
    TenStarScheme,
)
from starrating.rules.wording import plain


class MarkInvalid(ValueError):
    """A rater's mark that does not fit the scheme's marking mode (or points outside 0–100)."""


class WrongStar(ValueError):
    """A star asked of the wrong rule: a mass star marked by raters, or a code not in the scheme."""


class BallotCountsInvalid(ValueError):
    """Ballot counts below zero."""


class Abstention(Enum):
    """A rater's explicit 弃权 on one star: the rater has decided not to mark it. It counts as
    done for the rater's progress and as no mark at all for the star."""

    ABSTAIN = "abstain"


ABSTAIN = Abstention.ABSTAIN
RaterMark = bool | Decimal | Abstention


@dataclass(frozen=True)
class BallotCounts:
    """One member's marks in a certified member ballot."""

    satisfied: int
    basic: int
    dissatisfied: int
    unknown: int = 0
    blank: int = 0

    def __post_init__(self) -> None:
        if min(self.satisfied, self.basic, self.dissatisfied, self.unknown, self.blank) < 0:
            raise BallotCountsInvalid(f"ballot counts cannot be negative: {self}")

    @property
    def valid(self) -> int:
        """满意, 基本满意 and 不满意 count; 不了解 and blanks do not."""
        return self.satisfied + self.basic + self.dissatisfied

    def rate(self, measure: MassMeasure) -> Decimal | None:
        """认可率 (满意+基本满意)/valid or 满意率 满意/valid, in %, unrounded; None if none valid"""
        return percent(favourable(self, measure), self.valid) if self.valid else None


class MarkCounts(Protocol):
    """What the mass stars read from a tally; rules.ballots.ChoiceCounts has the same shape."""

    @property
    def satisfied(self) -> int: ...

    @property
    def basic(self) -> int: ...

    @property
    def valid(self) -> int: ...


def favourable(counts: MarkCounts, measure: MassMeasure) -> int:
    """满意+基本满意 for 认可率, 满意 alone for 满意率."""
    if measure is MassMeasure.RECOGNITION:
        return counts.satisfied + counts.basic
    return counts.satisfied


def _compared(value: Decimal, threshold: Decimal, unit: str, *, meets: bool) -> str:
    """Writes 82.5% ≥ 80%; when half-up rounding makes a shortfall look like a pass, adds the
    figure cut (not rounded) to 0.01: 80.0%（未四舍五入为 79.96…%）< 80%."""
    shown, limit = round_half_up(value), f"{plain(threshold)}{unit}"
    if meets:
        return f"{shown}{unit} ≥ {limit}"
    if shown < threshold:
        return f"{shown}{unit} < {limit}"
    cut = value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{shown}{unit}（未四舍五入为 {cut}…{unit}）< {limit}"


def _verdict(awarded: bool) -> tuple[StarStatus, str]:
    return (StarStatus.AWARDED, "授星") if awarded else (StarStatus.NOT_AWARDED, "不授星")


# --- organisational stars -----------------------------------------------------------------------


def award_organisational_star(
    star_code: str, marks: Sequence[RaterMark], scheme: TenStarScheme
) -> StarDecision:
    """Majority: awarded when more than half of the raters who marked say 达标 (half is not enough).
    Points: awarded when the raters' mean reaches the threshold. A 弃权 is no mark, neither for
    nor against: it is left out of the count. No marks yet (or only 弃权): undecided."""
    star = _star(scheme, star_code)
    if star.group is StarGroup.MASS:
        raise WrongStar(f"{star.name} is decided by the member ballot, not by raters")
    given = [mark for mark in marks if not isinstance(mark, Abstention)]
    abstained = len(marks) - len(given)
    if not given:
        why = f"{abstained} 名评委均弃权，尚无评定" if abstained else "尚无评委评定"
        return StarDecision(star.code, StarStatus.UNDECIDED, f"{star.name}：{why}，待定")
    if scheme.marking.mode is MarkingMode.MAJORITY:
        decision = _by_majority(star.code, star.name, given)
    else:
        decision = _by_points(star.code, star.name, given, scheme.marking.points_threshold)
    if not abstained:
        return decision
    note = f"（另有 {abstained} 名评委弃权，不计入）"
    return replace(decision, explanation=decision.explanation + note)


def _by_majority(code: str, name: str, marks: Sequence[bool | Decimal]) -> StarDecision:
    if not all(isinstance(mark, bool) for mark in marks):
        raise MarkInvalid(f"majority marking takes 达标/不达标 (True/False), got {list(marks)}")
    yes, raters = sum(1 for mark in marks if mark), len(marks)
    majority = 2 * yes > raters
    status, verdict = _verdict(majority)
    beyond = "超过半数" if majority else "未超过半数"
    text = f"{name}：{raters} 名评委中 {yes} 名评为达标，{beyond}，{verdict}"
    return StarDecision(code, status, text, percent(yes, raters))


def _by_points(
    code: str, name: str, marks: Sequence[bool | Decimal], threshold: Decimal
) -> StarDecision:
    points = [mark for mark in marks if isinstance(mark, Decimal) and mark.is_finite()]
    if len(points) != len(marks) or not all(0 <= p <= 100 for p in points):
        raise MarkInvalid(f"points marking takes Decimals from 0 to 100, got {list(marks)}")
    total, raters = sum(points, Decimal(0)), len(points)
    mean = total / raters
    # compare the sum, not the divided mean: exact whatever the number of raters
    meets = total >= threshold * raters
    status, verdict = _verdict(meets)
    comparison = _compared(mean, threshold, " 分", meets=meets)
    text = f"{name}：{raters} 名评委平均 {comparison}，{verdict}"
    return StarDecision(code, status, text, mean)


def _star(scheme: TenStarScheme, code: str) -> Star:
    try:
        return scheme.star(code)
    except KeyError:
        raise WrongStar(f"the scheme has no star {code!r}") from None


# --- mass stars ---------------------------------------------------------------------------------


def award_mass_stars(
    counts: MarkCounts | None, scheme: TenStarScheme
) -> tuple[StarDecision, StarDecision]:
    """群众认可星 and 群众满意星 from a certified member ballot: the exact rate must reach the
    threshold (79.96% is short of 80% though shown as 80.0%). Too few valid marks: 样本不足,
    not awarded; the rate is kept to be shown, and decides nothing."""
    return (
        _mass_star(counts, scheme, MassMeasure.RECOGNITION),
        _mass_star(counts, scheme, MassMeasure.SATISFACTION),
    )


def _mass_star(
    counts: MarkCounts | None, scheme: TenStarScheme, measure: MassMeasure
) -> StarDecision:
    star = scheme.mass_star(measure)
    if counts is None:
        return StarDecision(
            star.code, StarStatus.UNDECIDED, f"{star.name}：群众测评尚未计票确认，待测评"
        )
    minimum = scheme.mass.minimum_sample
    part = favourable(counts, measure)
    if counts.valid < minimum:
        # the rate is still shown, as the tally shows it; it only decides nothing
        text = f"{star.name}：有效票 {counts.valid}，少于最低 {minimum} 票，样本不足，不授星"
        if not counts.valid:
            return StarDecision(star.code, StarStatus.INSUFFICIENT_SAMPLE, text)
        rate = percent(part, counts.valid)
        text += f"（{measure.label} {round_half_up(rate)}%，不作评星依据）"
        return StarDecision(star.code, StarStatus.INSUFFICIENT_SAMPLE, text, rate)
    threshold = scheme.mass.threshold(measure)
    rate = percent(part, counts.valid)
    # counts against the threshold without dividing: no rounding ever decides a star
    meets = part * 100 >= threshold * counts.valid
    status, verdict = _verdict(meets)
    who = "满意+基本满意" if measure is MassMeasure.RECOGNITION else "满意"
    comparison = _compared(rate, threshold, "%", meets=meets)
    text = (
        f"{star.name}：有效票 {counts.valid}，{who} {part}，{measure.label} {comparison}，{verdict}"
    )
    return StarDecision(star.code, status, text, rate)
