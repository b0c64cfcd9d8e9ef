"""The ten-star grading: a member's grade from the ten star decisions (how each star is
decided is in tenstar_awards.py), and the grades' names and order."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from starrating.rules.numbers import round_half_up
from starrating.rules.tenstar_scheme import MassMeasure, StarGroup, TenStarScheme
from starrating.rules.vocabulary import Membership

TEN_STAR_TITLE = "十星党员"


class DecisionsIncomplete(ValueError):
    """Grading needs exactly one decision for every star of the scheme."""


class VetoReasonUnknown(ValueError):
    """A veto whose reason is not one of the scheme's veto reasons."""


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
