"""A village cadre's year-end appraisal (年终考核): completion, ballot, township score, grade, pay
(the township's settings for it are in appraisal_scheme.py).

Each figure is rounded half-up to 0.1 as soon as it is worked out, and the next step uses the
rounded figure — the one printed on the sheet — so an official can redo every step by hand.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from starrating.rules.appraisal_scheme import (
    DEFAULT_COMPONENT_WEIGHTS,
    AppraisalScheme,
    ComponentWeights,
)
from starrating.rules.ballots import (
    ChoiceCounts,
    ChoiceWeights,
    dissatisfied_rate,
    recognition_rate,
    score_arithmetic,
    weighted_score,
)
from starrating.rules.cadre_grades import CadreGrade, ConsequenceFlag, consequences, grade_for
from starrating.rules.numbers import round_half_up
from starrating.rules.pay import PayBreakdown, PayProfile, pay_for
from starrating.rules.wording import plain, rate

FULL_MARKS = Decimal(100)


class WeightsDoNotSum(ValueError):
    pass


class WeightOutOfRange(ValueError):
    pass


class CompletionOutOfRange(ValueError):
    pass


class ScoreOutOfRange(ValueError):
    pass


class NothingToCombine(ValueError):
    pass


@dataclass(frozen=True)
class PledgeResult:
    """One pledge item at year end: its weight and its verified completion (核定完成) in percent."""

    weight: int
    completion: Decimal
    item: str = ""


def _item_name(result: PledgeResult, number: int) -> str:
    return result.item or f"第 {number} 项"


def _check_pledge(items: Sequence[PledgeResult]) -> None:
    for number, result in enumerate(items, start=1):
        name = _item_name(result, number)
        if result.weight <= 0:
            raise WeightOutOfRange(f"承诺事项“{name}”的权重应为正整数，现为 {result.weight}")
        if result.completion < 0:
            raise CompletionOutOfRange(
                f"承诺事项“{name}”的完成进度不能为负数，现为 {plain(result.completion)}%"
            )
    total = sum(result.weight for result in items)
    if total != 100:
        raise WeightsDoNotSum(f"各承诺事项的权重之和应为 100，现为 {total}")


def _capped(result: PledgeResult) -> Decimal:
    return min(result.completion, FULL_MARKS)


def completion_ratio(items: Sequence[PledgeResult]) -> Decimal:
    """完成率 r = Σ 权重 × 核定完成 / Σ 权重 (权重之和为 100, 完成超过 100% 按 100% 计),
    as a percentage rounded half-up to 0.1: 79.0 means 79.0 %."""
    _check_pledge(items)
    points = sum((result.weight * _capped(result) for result in items), Decimal(0))
    return round_half_up(points / sum(result.weight for result in items))


def _completion_lines(items: Sequence[PledgeResult], completion: Decimal) -> list[str]:
    lines = [
        f"承诺事项“{_item_name(result, number)}”核定完成 {plain(result.completion)}%，"
        "超过 100% 按 100% 计"
        for number, result in enumerate(items, start=1)
        if result.completion > FULL_MARKS
    ]
    terms = " + ".join(f"{result.weight}×{plain(_capped(result))}" for result in items)
    total = sum(result.weight for result in items)
    return [*lines, f"完成率 r = ({terms}) / {total} = {completion}%"]


def ballot_score(counts: ChoiceCounts, weights: ChoiceWeights) -> Decimal | None:
    """测评得分 = Σ 票数 × 分值 / 有效票 (满意 100, 基本满意 70, 不满意 30; 不了解 not counted),
    rounded half-up to 0.1; None when there is no valid mark."""
    score = weighted_score(counts, weights)
    return None if score is None else round_half_up(score)


def cadre_satisfaction_rate(counts: ChoiceCounts) -> Decimal | None:
    """A cadre's 综合满意率 = (满意 + 基本满意) / 有效票, in percent rounded half-up to 0.1
    (满意率 alone is 满意 / 有效票, as for members)."""
    value = recognition_rate(counts)
    return None if value is None else round_half_up(value)


def cadre_dissatisfied_rate(counts: ChoiceCounts) -> Decimal | None:
    """A cadre's 不满意率 = 不满意 / 有效票, in percent rounded half-up to 0.1."""
    value = dissatisfied_rate(counts)
    return None if value is None else round_half_up(value)


@dataclass(frozen=True)
class CadreBallot:
    """The cadre ballot as published: counts, score, 综合满意率, 不满意率 (None without valid
    marks)."""

    counts: ChoiceCounts | None
    score: Decimal | None
    satisfaction: Decimal | None
    dissatisfied: Decimal | None
    explanation: list[str]


def cadre_ballot(counts: ChoiceCounts | None, weights: ChoiceWeights) -> CadreBallot:
    """The cadre ballot's figures, each rounded half-up to 0.1; no ballot or no valid mark
    leaves 群众测评 out of the combined score."""
    score = None if counts is None else ballot_score(counts, weights)
    if counts is None or score is None:
        said = "未举行" if counts is None else "没有有效票"
        return CadreBallot(counts, None, None, None, [f"群众测评：{said}"])
    c = counts
    blank = f"，未填 {c.blank} 票" if c.blank else ""
    satisfaction, dissatisfied = cadre_satisfaction_rate(c), cadre_dissatisfied_rate(c)
    lines = [
        f"群众测评：满意 {c.satisfied} 票，基本满意 {c.basic} 票，不满意 {c.dissatisfied} 票，"
        f"不了解 {c.unknown} 票（不计入）{blank}，有效票 {c.valid}",
        f"测评得分 = {score_arithmetic(c, weights)} = {score}",
        f"综合满意率 = (满意 + 基本满意) / 有效票 = ({c.satisfied} + {c.basic}) / {c.valid}"
        f" = {rate(satisfaction)}",
        f"不满意率 = 不满意 / 有效票 = {c.dissatisfied} / {c.valid} = {rate(dissatisfied)}",
    ]
    return CadreBallot(counts, score, satisfaction, dissatisfied, lines)


@dataclass(frozen=True)
class CombinedScore:
    """The combined score (rounded half-up to 0.1), the components that were missing, and why."""

    score: Decimal
    missing: tuple[str, ...]
    explanation: list[str]

    @property
    def renormalised(self) -> bool:
        return bool(self.missing)


def _missing_note(missing: Sequence[str], present: Sequence[str]) -> str:
    rest = "其余两项" if len(present) == 2 else f"{'、'.join(present)}一项"
    return f"缺少{'、'.join(missing)}，按{rest}折算"


def _check_scores(present: Sequence[tuple[str, Decimal, int]]) -> None:
    for name, value, _ in present:
        if not 0 <= value <= FULL_MARKS:
            raise ScoreOutOfRange(f"{name}得分应在 0 到 100 之间，现为 {plain(value)}")


def combine(
    completion: Decimal | None,
    ballot_score: Decimal | None,
    township_score: Decimal | None,
    weights: ComponentWeights = DEFAULT_COMPONENT_WEIGHTS,
) -> CombinedScore:
    """综合得分 = 0.5 × 完成率 + 0.3 × 测评得分 + 0.2 × 乡镇评价. A missing component is dropped
    and the others' weights renormalised (divided by their sum); the result says so."""
    parts = [
        ("目标完成", completion, weights.completion),
        ("群众测评", ballot_score, weights.ballot),
        ("乡镇评价", township_score, weights.township),
    ]
    present = [(name, value, weight) for name, value, weight in parts if value is not None]
    _check_scores(present)
    share = sum(weight for _, _, weight in present)
    if not share:
        raise NothingToCombine("没有可以折算综合得分的考核分数")
    points = sum((weight * value for _, value, weight in present), Decimal(0))
    score = round_half_up(points / share)
    terms = " + ".join(f"{plain(Decimal(w) / 100)} × {v:f}" for _, v, w in present)
    missing = tuple(name for name, value, _ in parts if value is None)
    if not missing:
        return CombinedScore(score, missing, [f"综合得分 = {terms} = {score}"])
    lines = [
        _missing_note(missing, [name for name, _, _ in present]),
        f"综合得分 = ({terms}) / {plain(Decimal(share) / 100)} = {score}",
    ]
    return CombinedScore(score, missing, lines)


@dataclass(frozen=True)
class AppraisalOutcome:
    """Every figure of a cadre's year-end appraisal, the grade, flags, pay and the explanation."""

    completion: Decimal
    ballot: CadreBallot
    township_score: Decimal | None
    combined: CombinedScore
    score_grade: CadreGrade
    grade: CadreGrade
    flags: tuple[ConsequenceFlag, ...]
    pay: PayBreakdown
    explanation: list[str]

    @property
    def ballot_score(self) -> Decimal | None:
        return self.ballot.score

    @property
    def satisfaction(self) -> Decimal | None:
        return self.ballot.satisfaction

    @property
    def dissatisfied(self) -> Decimal | None:
        return self.ballot.dissatisfied

    @property
    def combined_score(self) -> Decimal:
        return self.combined.score

    @property
    def total_pay(self) -> Decimal:
        return self.pay.total


def _flags_line(grade: CadreGrade, flags: Sequence[ConsequenceFlag]) -> str:
    named = "、".join(flag.label for flag in flags) if flags else "无"
    return f"最终等次：{grade.label}；处理：{named}"


def appraise(
    *,
    items: Sequence[PledgeResult],
    ballot: ChoiceCounts | None,
    township_score: Decimal | None,
    pay_profile: PayProfile,
    scheme: AppraisalScheme,
    last_year_grade: CadreGrade | None = None,
) -> AppraisalOutcome:
    """A cadre's year: completion r, ballot score, township score → combined score, grade (the
    ballot may force 不称职), consequence flags, and pay under the scheme's pay rule.
    ballot is None when no cadre ballot was held (or its round missed quorum)."""
    completion = completion_ratio(items)
    figures = cadre_ballot(ballot, scheme.ballot_weights)
    combined = combine(completion, figures.score, township_score, scheme.components)
    score_grade = grade_for(combined.score, scheme.grade_bands)
    verdict = consequences(
        score_grade=score_grade,
        satisfaction=figures.satisfaction,
        dissatisfied=figures.dissatisfied,
        last_year_grade=last_year_grade,
        thresholds=scheme.consequences,
    )
    rule = scheme.pay_rule
    pay = pay_for(
        rule, pay_profile, completion=completion, score=combined.score, grade=verdict.grade
    )
    township = "未评" if township_score is None else plain(township_score)
    explanation = [
        *_completion_lines(items, completion),
        *figures.explanation,
        f"乡镇评价：{township}",
        *combined.explanation,
        f"等次：{scheme.grade_bands.describe()}；{combined.score} → {score_grade.label}",
        *verdict.explanation,
        _flags_line(verdict.grade, verdict.flags),
        f"工资规则：{rule.kind.label}",
        *pay.explanation,
    ]
    return AppraisalOutcome(
        completion=completion,
        ballot=figures,
        township_score=township_score,
        combined=combined,
        score_grade=score_grade,
        grade=verdict.grade,
        flags=verdict.flags,
        pay=pay,
        explanation=explanation,
    )
