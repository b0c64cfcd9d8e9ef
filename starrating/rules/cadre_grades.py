"""A cadre's grade from the combined score, and what follows from it and from the ballot.

Every threshold is compared with the figure as published, rounded half-up to 0.1, so that a
township official who reads "综合得分 90.0" or "综合满意率 50.0%" on the sheet reaches the same
verdict.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from starrating.rules.numbers import round_half_up
from starrating.rules.wording import plain, rate


class CadreGrade(StrEnum):
    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASICALLY_COMPETENT = "basically_competent"
    INCOMPETENT = "incompetent"

    @property
    def label(self) -> str:
        return CADRE_GRADE_LABELS[self]


CADRE_GRADE_LABELS = {
    CadreGrade.EXCELLENT: "优秀",
    CadreGrade.COMPETENT: "称职",
    CadreGrade.BASICALLY_COMPETENT: "基本称职",
    CadreGrade.INCOMPETENT: "不称职",
}


class ConsequenceFlag(StrEnum):
    ADJUST = "adjust"
    ADMONISH = "admonish"
    TERMINATE = "terminate"

    @property
    def label(self) -> str:
        return {
            ConsequenceFlag.ADJUST: "建议调整",
            ConsequenceFlag.ADMONISH: "诫勉谈话",
            ConsequenceFlag.TERMINATE: "职务终止",
        }[self]


@dataclass(frozen=True)
class GradeBands:
    """Lowest combined score of each grade; below the last band the cadre is 不称职."""

    excellent_from: Decimal = Decimal(90)
    competent_from: Decimal = Decimal(80)
    basically_competent_from: Decimal = Decimal(70)

    def problems(self) -> list[str]:
        if not 0 < self.basically_competent_from < self.competent_from < self.excellent_from <= 100:
            return ["等次分数线应满足 0 < 基本称职 < 称职 < 优秀 ≤ 100"]
        return []

    def describe(self) -> str:
        return (
            f"≥ {plain(self.excellent_from)} 优秀，≥ {plain(self.competent_from)} 称职，"
            f"≥ {plain(self.basically_competent_from)} 基本称职，"
            f"< {plain(self.basically_competent_from)} 不称职"
        )


def grade_for(score: Decimal, bands: GradeBands) -> CadreGrade:
    """≥ 90 优秀, ≥ 80 称职, ≥ 70 基本称职, else 不称职 — on the score rounded half-up to 0.1,
    the figure published: 89.95 is published as 90.0 and graded 优秀."""
    published = round_half_up(score)
    if published >= bands.excellent_from:
        return CadreGrade.EXCELLENT
    if published >= bands.competent_from:
        return CadreGrade.COMPETENT
    if published >= bands.basically_competent_from:
        return CadreGrade.BASICALLY_COMPETENT
    return CadreGrade.INCOMPETENT


@dataclass(frozen=True)
class ConsequenceThresholds:
    """综合满意率 below the first → 不称职 and 建议调整; 不满意率 at or above the second →
    诫勉谈话."""

    adjust_below_satisfaction: Decimal = Decimal(50)
    admonish_from_dissatisfied: Decimal = Decimal(30)

    def problems(self) -> list[str]:
        problems = []
        if not 0 <= self.adjust_below_satisfaction <= 100:
            problems.append("建议调整的综合满意率界限应在 0% 到 100% 之间")
        if not 0 < self.admonish_from_dissatisfied <= 100:
            problems.append("诫勉谈话的不满意率界限应大于 0% 且不超过 100%")
        return problems


@dataclass(frozen=True)
class Consequences:
    """The final grade after the ballot's veto, the flags raised, and why."""

    grade: CadreGrade
    flags: tuple[ConsequenceFlag, ...]
    explanation: list[str]


def _ballot_verdict(
    satisfaction: Decimal, dissatisfied: Decimal, thresholds: ConsequenceThresholds
) -> tuple[list[ConsequenceFlag], list[str]]:
    flags, lines = [], []
    low, high = thresholds.adjust_below_satisfaction, thresholds.admonish_from_dissatisfied
    if round_half_up(satisfaction) < low:
        flags.append(ConsequenceFlag.ADJUST)
        lines.append(
            f"综合满意率 {rate(satisfaction)} < {plain(low)}%，不论得分定为不称职，建议调整"
        )
    else:
        lines.append(f"综合满意率 {rate(satisfaction)} ≥ {plain(low)}%，不作调整")
    if round_half_up(dissatisfied) >= high:
        flags.append(ConsequenceFlag.ADMONISH)
        lines.append(f"不满意率 {rate(dissatisfied)} ≥ {plain(high)}%，诫勉谈话")
    else:
        lines.append(f"不满意率 {rate(dissatisfied)} < {plain(high)}%，不诫勉谈话")
    return flags, lines


def consequences(
    *,
    score_grade: CadreGrade,
    satisfaction: Decimal | None,
    dissatisfied: Decimal | None,
    last_year_grade: CadreGrade | None,
    thresholds: ConsequenceThresholds,
) -> Consequences:
    """综合满意率 < 50% → 不称职 whatever the score, 建议调整; 不满意率 ≥ 30% → 诫勉谈话;
    不称职 this year and last year → 职务终止. Rates are (满意+基本满意)/有效票 and 不满意/有效票,
    compared as published (0.1%); without a valid ballot neither ballot rule applies."""
    flags: list[ConsequenceFlag] = []
    lines: list[str] = []
    if satisfaction is not None and dissatisfied is not None:
        flags, lines = _ballot_verdict(satisfaction, dissatisfied, thresholds)
    grade = CadreGrade.INCOMPETENT if ConsequenceFlag.ADJUST in flags else score_grade
    if grade is CadreGrade.INCOMPETENT and last_year_grade is CadreGrade.INCOMPETENT:
        flags.append(ConsequenceFlag.TERMINATE)
        lines.append("本年度不称职，上年度也不称职，连续两年不称职，职务终止")
    elif last_year_grade is not None:
        lines.append(f"上年度 {last_year_grade.label}，本年度 {grade.label}，不构成连续两年不称职")
    return Consequences(grade=grade, flags=tuple(flags), explanation=lines)
