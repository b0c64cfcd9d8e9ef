"""The ten-star rules: award each star from marks or the ballot, and grade a member by stars."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import Enum, StrEnum
from typing import Protocol

from starrating.rules.numbers import percent, round_half_up
from starrating.rules.tenstar_scheme import (
    MarkingMode,
    MassMeasure,
    Star,
    StarGroup,
    TenStarScheme,
)
from starrating.rules.vocabulary import Membership
from starrating.rules.wording import plain

TEN_STAR_TITLE = "十星党员"


class MarkInvalid(ValueError):
    """A rater's mark that does not fit the scheme's marking mode (or points outside 0–100)."""


class WrongStar(ValueError):
    """A star asked of the wrong rule: a mass star marked by raters, or a code not in the scheme."""


class DecisionsIncomplete(ValueError):
    """Grading needs exactly one decision for every star of the scheme."""


class VetoReasonUnknown(ValueError):
    """A veto whose reason is not one of the scheme's veto reasons."""


class BallotCountsInvalid(ValueError):
    """Ballot counts below zero."""


class Abstention(Enum):
    """A rater's explicit 弃权 on one star: the rater has decided not to mark it. It counts as
    done for the rater's progress and as no mark at all for the star."""

    ABSTAIN = "abstain"


ABSTAIN = Abstention.ABSTAIN
RaterMark = bool | Decimal | Abstention


class StarStatus(StrEnum):
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    UNDECIDED = "undecided"

    @property
    def label(self) -> str:
        return {
            StarStatus.AWARDED: "授星",
            StarStatus.NOT_AWARDED: "不授星",
            StarStatus.INSUFFICIENT_SAMPLE: "样本不足",
            StarStatus.UNDECIDED: "待定",
        }[self]


class Grade(StrEnum):
    EXCELLENT_ELIGIBLE = "excellent_eligible"
    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    BASICALLY_QUALIFIED = "basically_qualified"
    UNQUALIFIED = "unqualified"
    NOT_GRADED = "not_graded"
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def is_graded(self) -> bool:
        """预备党员 and exempt members have no grade and do not count towards the 优秀 quota."""
        return self not in (Grade.NOT_GRADED, Grade.EXEMPT)


#: the grades in the order a table, a chart or a workbook shows them
GRADE_ORDER = (
    Grade.EXCELLENT,
    Grade.EXCELLENT_ELIGIBLE,
    Grade.QUALIFIED,
    Grade.BASICALLY_QUALIFIED,
    Grade.UNQUALIFIED,
    Grade.NOT_GRADED,
    Grade.EXEMPT,
)

GRADE_LABELS = {
    Grade.EXCELLENT_ELIGIBLE: "优秀资格",
    Grade.EXCELLENT: "优秀",
    Grade.QUALIFIED: "合格",
    Grade.BASICALLY_QUALIFIED: "基本合格",
    Grade.UNQUALIFIED: "不合格",
    Grade.NOT_GRADED: "不评定等次",
    Grade.EXEMPT: "免评",
}


@dataclass(frozen=True)
class StarDecision:
    """One star for one member: the status, the sentence that explains it, and the exact figure
    it rests on: share of 达标 %, mean points or ballot rate % (None when nothing to compute)."""

    star_code: str
    status: StarStatus
    explanation: str
    value: Decimal | None = None

    @property
    def awarded(self) -> bool:
        return self.status is StarStatus.AWARDED

    @property
    def decided(self) -> bool:
        return self.status is not StarStatus.UNDECIDED

    @property
    def shown_value(self) -> Decimal | None:
        """The mean or rate as shown: half-up to 0.1."""
        return None if self.value is None else round_half_up(self.value)


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


# --- a member's grade ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberOutcome:
    """A member's year: the ten decisions (scheme order), the stars that count, the grade, the
    title, and the sentences that explain it. Provisional while some star is undecided."""

    member_id: int
    grade: Grade
    decisions: tuple[StarDecision, ...]
    awarded: frozenset[str]
    basic_count: int
    explanation: tuple[str, ...]
    title: str | None = None
    provisional_reason: str | None = None
    satisfaction_rate: Decimal | None = None

    @property
    def star_count(self) -> int:
        return len(self.awarded)

    @property
    def provisional(self) -> bool:
        return self.provisional_reason is not None


def grade_member(
    *,
    member_id: int,
    membership: Membership,
    decisions: Iterable[StarDecision],
    scheme: TenStarScheme,
    veto: str | None = None,
    exempt_meeting_date: date | None = None,
) -> MemberOutcome:
    """A veto voids every star: 不合格. Exempt (by a 党员大会): 免评. 预备党员: stars shown,
    不评定等次. Otherwise the grade follows the basic stars and the total; while a star is
    undecided the grade is reckoned from the stars awarded so far and marked provisional."""
    ordered = _in_scheme_order(decisions, scheme)
    if veto is not None:
        return _vetoed(member_id, veto, ordered, scheme)
    if exempt_meeting_date is not None:
        line = f"经 {_chinese_date(exempt_meeting_date)} 党员大会同意免评，不参加星级评定"
        return MemberOutcome(member_id, Grade.EXEMPT, ordered, frozenset(), 0, (line,))
    awarded = frozenset(d.star_code for d in ordered if d.awarded)
    basic = sum(1 for star in scheme.stars_in(StarGroup.BASIC) if star.code in awarded)
    if membership is Membership.PROBATIONARY:
        grade, grade_line = Grade.NOT_GRADED, "预备党员：星级照常评定和公示，不评定等次"
    else:
        grade, grade_line = _grade_by_stars(awarded, basic, scheme)
    lines = [*(d.explanation for d in ordered), grade_line]
    title = TEN_STAR_TITLE if len(awarded) == len(scheme.stars) else None
    if title:
        lines.append(f"{len(awarded)} 颗星全部获得，授予“{TEN_STAR_TITLE}”称号")
    pending = _pending_reason(ordered, scheme)
    if pending:
        lines.append(f"等次为暂定（{pending}），按目前已获得的星计算")
    satisfaction = ordered[scheme.stars.index(scheme.mass_star(MassMeasure.SATISFACTION))]
    rate = satisfaction.value if satisfaction.status is not StarStatus.INSUFFICIENT_SAMPLE else None
    return MemberOutcome(
        member_id, grade, ordered, awarded, basic, tuple(lines), title, pending, rate
    )


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _in_scheme_order(
    decisions: Iterable[StarDecision], scheme: TenStarScheme
) -> tuple[StarDecision, ...]:
    by_code: dict[str, StarDecision] = {}
    for decision in decisions:
        if decision.star_code in by_code:
            raise DecisionsIncomplete(f"two decisions for star {decision.star_code!r}")
        by_code[decision.star_code] = decision
    codes = [star.code for star in scheme.stars]
    if set(by_code) != set(codes):
        missing, extra = set(codes) - set(by_code), set(by_code) - set(codes)
        raise DecisionsIncomplete(f"missing {sorted(missing)}, not in scheme {sorted(extra)}")
    return tuple(by_code[code] for code in codes)


def _vetoed(
    member_id: int, veto: str, ordered: tuple[StarDecision, ...], scheme: TenStarScheme
) -> MemberOutcome:
    if veto not in scheme.veto_reasons:
        raise VetoReasonUnknown(f"{veto!r} is not a veto reason of this scheme")
    voided = sum(1 for d in ordered if d.awarded)
    line = f"一票否决（{veto}）：本年度所获星一律作废（原评 {voided} 颗），评为不合格"
    return MemberOutcome(member_id, Grade.UNQUALIFIED, ordered, frozenset(), 0, (line,))


def _grade_by_stars(
    awarded: frozenset[str], basic: int, scheme: TenStarScheme
) -> tuple[Grade, str]:
    rule, total = scheme.grades, len(awarded)
    missing = "、".join(s.name for s in scheme.stars_in(StarGroup.BASIC) if s.code not in awarded)
    if basic >= rule.basic_for_excellent and total >= rule.total_for_excellent:
        return Grade.EXCELLENT_ELIGIBLE, (
            f"基础星 {basic} 颗，总星数 {total} 颗 ≥ {rule.total_for_excellent}，"
            "符合优秀条件，具备优秀资格"
        )
    if basic >= rule.basic_for_pass:
        return Grade.QUALIFIED, (
            f"基础星 {basic} 颗，总星数 {total} 颗，未达优秀条件（基础星 ≥ "
            f"{rule.basic_for_excellent} 且总星数 ≥ {rule.total_for_excellent}），评为合格"
        )
    if basic >= rule.basic_for_basic_pass:
        return Grade.BASICALLY_QUALIFIED, (
            f"基础星 {basic} 颗（缺{missing}），少于合格所需 {rule.basic_for_pass} 颗，评为基本合格"
        )
    return Grade.UNQUALIFIED, (
        f"基础星 {basic} 颗（缺{missing}），少于基本合格所需 {rule.basic_for_basic_pass} 颗，"
        "评为不合格"
    )


def _pending_reason(ordered: tuple[StarDecision, ...], scheme: TenStarScheme) -> str | None:
    pending = [scheme.star(d.star_code) for d in ordered if not d.decided]
    reasons = []
    if any(star.group is StarGroup.MASS for star in pending):
        reasons.append("群众星待测评")
    unmarked = [star.name for star in pending if star.group is not StarGroup.MASS]
    if unmarked:
        reasons.append(f"{'、'.join(unmarked)}尚无评定")
    return "；".join(reasons) or None
