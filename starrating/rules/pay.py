"""A cadre's year-end pay under the township's pay rule: proportional, tiered or per point.

Money is Decimal in 元, at most two decimals in and rounded half-up to 0.01 元 out.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.numbers import money, round_half_up
from starrating.rules.wording import one_decimal, plain, ratio_as_percent, yuan


class MoneyPrecision(ValueError):
    """A money figure with more than two decimals (finer than 0.01 元) is refused, not rounded."""


class NegativeMoney(ValueError):
    pass


def checked_money(value: Decimal, what: str) -> Decimal:
    """A money input as given: finite, not negative, at most two decimals as written."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise MoneyPrecision(f"{what}最多两位小数（精确到分），现为 {value}")
    if value < 0:
        raise NegativeMoney(f"{what}不能为负数，现为 {value}")
    return value


class PayRuleKind(StrEnum):
    PROPORTIONAL = "proportional"
    TIERED = "tiered"
    PER_POINT = "per_point"

    @property
    def label(self) -> str:
        return {
            PayRuleKind.PROPORTIONAL: "按完成率奖励或扣减基本工资",
            PayRuleKind.TIERED: "按等次发放绩效工资",
            PayRuleKind.PER_POINT: "按综合得分计发绩效工资",
        }[self]


@dataclass(frozen=True)
class TierPercents:
    """Share of the performance pay paid for each grade, in percent."""

    excellent: Decimal = Decimal(120)
    competent: Decimal = Decimal(100)
    basically_competent: Decimal = Decimal(85)
    incompetent: Decimal = Decimal(75)

    def of(self, grade: CadreGrade) -> Decimal:
        return {
            CadreGrade.EXCELLENT: self.excellent,
            CadreGrade.COMPETENT: self.competent,
            CadreGrade.BASICALLY_COMPETENT: self.basically_competent,
            CadreGrade.INCOMPETENT: self.incompetent,
        }[grade]

    def problems(self) -> list[str]:
        """No share is negative, and a better grade is never paid a smaller share."""
        problems = [
            f"{grade.label}等次的绩效工资比例不能为负数，现为 {plain(self.of(grade))}%"
            for grade in CadreGrade
            if self.of(grade) < 0
        ]
        shares = [self.of(grade) for grade in CadreGrade]
        if any(better < worse for better, worse in zip(shares, shares[1:], strict=False)):
            problems.append("各等次绩效工资比例应满足 优秀 ≥ 称职 ≥ 基本称职 ≥ 不称职")
        return problems


@dataclass(frozen=True)
class PayRule:
    """The township's pay rule; only the settings of its kind are used."""

    kind: PayRuleKind = PayRuleKind.PROPORTIONAL
    pass_ratio: Decimal = Decimal("0.9")
    deduction_cap: Decimal = Decimal("0.3")
    tiers: TierPercents = TierPercents()
    full_pay_from: Decimal = Decimal(90)
    per_point_step: Decimal = Decimal(50)

    def problems(self) -> list[str]:
        problems = []
        if not 0 < self.pass_ratio <= 1:
            problems.append(
                f"合格完成率应大于 0 且不超过 100%，现为 {ratio_as_percent(self.pass_ratio)}"
            )
        if not 0 <= self.deduction_cap <= 1:
            problems.append(
                "扣减上限应在基本工资的 0% 到 100% 之间，"
                f"现为 {ratio_as_percent(self.deduction_cap)}"
            )
        problems += self.tiers.problems()
        if not 0 <= self.full_pay_from <= 100:
            problems.append(
                f"全额发放绩效工资的分数线应在 0 到 100 之间，现为 {plain(self.full_pay_from)}"
            )
        try:
            checked_money(self.per_point_step, "每低 1 分扣减的金额")
        except (MoneyPrecision, NegativeMoney) as error:
            problems.append(str(error))
        return problems


@dataclass(frozen=True)
class PayProfile:
    """A cadre's pay settings: base pay, reward amount (proportional rule), performance pay."""

    base_pay: Decimal
    reward_amount: Decimal = Decimal(0)
    performance_pay: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        checked_money(self.base_pay, "基本工资")
        checked_money(self.reward_amount, "奖励金额")
        checked_money(self.performance_pay, "绩效工资")


@dataclass(frozen=True)
class PayBreakdown:
    """应发 = 基本工资 − 扣减 + 奖励 + 绩效工资, each part in 元, with the arithmetic."""

    kind: PayRuleKind
    base_pay: Decimal
    deduction: Decimal
    reward: Decimal
    performance: Decimal
    explanation: list[str]

    @property
    def total(self) -> Decimal:
        return money(self.base_pay - self.deduction + self.reward + self.performance)


def proportional_pay(rule: PayRule, profile: PayProfile, completion: Decimal) -> PayBreakdown:
    """完成率 r ≥ p: base pay plus the reward amount. r < p: base pay less base × (p − r),
    the deduction at most the cap share of base pay (30 %). r is the published percentage."""
    base, p, r = profile.base_pay, rule.pass_ratio, round_half_up(completion)
    p_shown, r_shown = ratio_as_percent(p), f"{one_decimal(r)}%"
    if r >= p * 100:
        reward = profile.reward_amount
        lines = [f"{r_shown} ≥ {p_shown}，奖励 {yuan(reward)} 元"]
        return PayBreakdown(rule.kind, base, Decimal(0), reward, Decimal(0), lines)
    owed = money(base * (p - r / 100))
    cap = money(base * rule.deduction_cap)
    lines = [
        f"{r_shown} < {p_shown}，扣减 {yuan(base)} × ({p_shown} − {r_shown}) = {yuan(owed)} 元"
    ]
    if owed > cap:
        lines.append(
            f"扣减不超过基本工资的 {ratio_as_percent(rule.deduction_cap)}"
            f"（{yuan(cap)} 元），按 {yuan(cap)} 元扣减"
        )
    deduction = min(owed, cap)
    return PayBreakdown(rule.kind, base, deduction, Decimal(0), Decimal(0), lines)


def tiered_pay(rule: PayRule, profile: PayProfile, grade: CadreGrade) -> PayBreakdown:
    """Base pay, plus the performance pay × the grade's share (120 / 100 / 85 / 75 %)."""
    share = rule.tiers.of(grade)
    performance = money(profile.performance_pay * share / 100)
    lines = [
        f"等次 {grade.label}，绩效工资 {yuan(profile.performance_pay)} × {plain(share)}%"
        f" = {yuan(performance)} 元"
    ]
    return PayBreakdown(rule.kind, profile.base_pay, Decimal(0), Decimal(0), performance, lines)


def per_point_pay(rule: PayRule, profile: PayProfile, score: Decimal) -> PayBreakdown:
    """Base pay, plus the full performance pay at a score ≥ 90; below, 50 元 less for each point
    short (a tenth of a point counts a tenth), never below 0. The score is the published one."""
    full, published = profile.performance_pay, round_half_up(score)
    threshold = rule.full_pay_from
    if published >= threshold:
        lines = [f"综合得分 {published} ≥ {plain(threshold)}，全额发放绩效工资 {yuan(full)} 元"]
        return PayBreakdown(rule.kind, profile.base_pay, Decimal(0), Decimal(0), full, lines)
    short = threshold - published
    performance = max(Decimal(0), money(full - rule.per_point_step * short))
    lines = [
        f"综合得分 {published} < {plain(threshold)}，差 {plain(short)} 分，绩效工资 {yuan(full)}"
        f" − {plain(rule.per_point_step)} × {plain(short)} = {yuan(performance)} 元（不低于 0）"
    ]
    return PayBreakdown(rule.kind, profile.base_pay, Decimal(0), Decimal(0), performance, lines)


def _settings_line(rule: PayRule, profile: PayProfile) -> str:
    base = f"基本工资 {yuan(profile.base_pay)} 元"
    if rule.kind is PayRuleKind.PROPORTIONAL:
        p = ratio_as_percent(rule.pass_ratio)
        return (
            f"{base}，奖励金额 {yuan(profile.reward_amount)} 元；完成率 ≥ {p} 给予奖励，"
            f"低于 {p} 按差额扣减基本工资，最多扣 {ratio_as_percent(rule.deduction_cap)}"
        )
    performance = f"绩效工资 {yuan(profile.performance_pay)} 元"
    if rule.kind is PayRuleKind.TIERED:
        shares = "、".join(f"{grade.label} {plain(rule.tiers.of(grade))}%" for grade in CadreGrade)
        return f"{base}，{performance}；按等次发放：{shares}"
    return (
        f"{base}，{performance}；综合得分 ≥ {plain(rule.full_pay_from)} 全额发放，"
        f"每低 1 分少发 {plain(rule.per_point_step)} 元，最少为 0"
    )


def pay_for(
    rule: PayRule, profile: PayProfile, *, completion: Decimal, score: Decimal, grade: CadreGrade
) -> PayBreakdown:
    """The year's pay under the scheme's rule; completion is 完成率 r in percent."""
    checked_money(rule.per_point_step, "每低 1 分扣减的金额")
    if rule.kind is PayRuleKind.PROPORTIONAL:
        breakdown = proportional_pay(rule, profile, completion)
    elif rule.kind is PayRuleKind.TIERED:
        breakdown = tiered_pay(rule, profile, grade)
    else:
        breakdown = per_point_pay(rule, profile, score)
    return _with_settings_and_total(breakdown, _settings_line(rule, profile))


def _with_settings_and_total(breakdown: PayBreakdown, settings: str) -> PayBreakdown:
    parts = [yuan(breakdown.base_pay)]
    parts += [f"− {yuan(breakdown.deduction)}"] if breakdown.deduction else []
    parts += [f"+ {yuan(breakdown.reward)}"] if breakdown.reward else []
    parts += [f"+ {yuan(breakdown.performance)}"] if breakdown.performance else []
    line = f"应发 = {' '.join(parts)} = {yuan(breakdown.total)} 元"
    return replace(
        breakdown,
        base_pay=money(breakdown.base_pay),
        deduction=money(breakdown.deduction),
        reward=money(breakdown.reward),
        performance=money(breakdown.performance),
        explanation=[settings, *breakdown.explanation, line],
    )
