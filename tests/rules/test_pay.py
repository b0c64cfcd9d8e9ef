"""A cadre's year-end pay: proportional reward or deduction, tiered or per-point pay."""

from decimal import Decimal

import pytest

from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.pay import (
    MoneyPrecision,
    NegativeMoney,
    PayProfile,
    PayRule,
    PayRuleKind,
    pay_for,
)

BASE_24000 = PayProfile(base_pay=Decimal("24000"), reward_amount=Decimal("3000"))
PERFORMANCE_10000 = PayProfile(base_pay=Decimal("20000"), performance_pay=Decimal("10000"))


def proportional(completion: str) -> tuple[Decimal, Decimal, Decimal, list[str]]:
    pay = pay_for(
        PayRule(),
        BASE_24000,
        completion=Decimal(completion),
        score=Decimal(80),
        grade=CadreGrade.COMPETENT,
    )
    return pay.deduction, pay.reward, pay.total, pay.explanation


def test_completion_of_exactly_the_pass_ratio_earns_the_reward() -> None:
    deduction, reward, total, lines = proportional("90.0")

    assert (deduction, reward, total) == (Decimal("0.00"), Decimal("3000.00"), Decimal("27000.00"))
    assert "90.0% ≥ 90%，奖励 3,000.00 元" in lines
    assert lines[-1] == "应发 = 24,000.00 + 3,000.00 = 27,000.00 元"


def test_completion_a_tenth_below_the_pass_ratio_is_deducted() -> None:
    deduction, reward, total, _ = proportional("89.9")

    assert (deduction, reward, total) == (Decimal("24.00"), Decimal("0.00"), Decimal("23976.00"))


def test_deduction_of_exactly_30_percent_of_base_pay_is_not_capped() -> None:
    deduction, _, total, lines = proportional("60.0")

    assert (deduction, total) == (Decimal("7200.00"), Decimal("16800.00"))
    assert not any("扣减不超过" in line for line in lines)


def test_deduction_is_capped_at_30_percent_of_base_pay() -> None:
    deduction, _, total, lines = proportional("50.0")

    assert (deduction, total) == (Decimal("7200.00"), Decimal("16800.00"))
    assert "50.0% < 90%，扣减 24,000.00 × (90% − 50.0%) = 9,600.00 元" in lines
    assert "扣减不超过基本工资的 30%（7,200.00 元），按 7,200.00 元扣减" in lines


def test_deduction_just_under_the_cap_is_paid_in_full() -> None:
    deduction, _, _, _ = proportional("61.0")

    assert deduction == Decimal("6960.00")


@pytest.mark.parametrize(
    ("grade", "performance"),
    [
        (CadreGrade.EXCELLENT, "12000.00"),
        (CadreGrade.COMPETENT, "10000.00"),
        (CadreGrade.BASICALLY_COMPETENT, "8500.00"),
        (CadreGrade.INCOMPETENT, "7500.00"),
    ],
)
def test_tiered_pay_follows_the_grade(grade: CadreGrade, performance: str) -> None:
    pay = pay_for(
        PayRule(kind=PayRuleKind.TIERED),
        PERFORMANCE_10000,
        completion=Decimal(50),
        score=Decimal(50),
        grade=grade,
    )

    assert pay.performance == Decimal(performance)
    assert pay.total == Decimal("20000") + Decimal(performance)
    assert pay.deduction == pay.reward == Decimal("0.00")


@pytest.mark.parametrize(
    ("score", "performance"),
    [("90.0", "10000.00"), ("95", "10000.00"), ("89.9", "9995.00"), ("85.5", "9775.00")],
)
def test_per_point_pay_loses_50_yuan_a_point_below_90(score: str, performance: str) -> None:
    pay = pay_for(
        PayRule(kind=PayRuleKind.PER_POINT),
        PERFORMANCE_10000,
        completion=Decimal(100),
        score=Decimal(score),
        grade=CadreGrade.COMPETENT,
    )

    assert pay.performance == Decimal(performance)


def test_per_point_pay_never_goes_below_nothing() -> None:
    small = PayProfile(base_pay=Decimal("20000"), performance_pay=Decimal("1000"))

    pay = pay_for(
        PayRule(kind=PayRuleKind.PER_POINT),
        small,
        completion=Decimal(10),
        score=Decimal("60.0"),
        grade=CadreGrade.INCOMPETENT,
    )

    assert pay.performance == Decimal("0.00")
    assert pay.total == Decimal("20000.00")


@pytest.mark.parametrize("figure", ["24000.005", "24000.000", "NaN"])
def test_a_pay_figure_finer_than_a_fen_is_refused(figure: str) -> None:
    with pytest.raises(MoneyPrecision, match="基本工资最多两位小数"):
        PayProfile(base_pay=Decimal(figure))


def test_reward_and_performance_pay_are_checked_too() -> None:
    with pytest.raises(MoneyPrecision, match="奖励金额"):
        PayProfile(base_pay=Decimal(1), reward_amount=Decimal("0.001"))
    with pytest.raises(NegativeMoney, match="绩效工资"):
        PayProfile(base_pay=Decimal(1), performance_pay=Decimal("-1"))


def test_a_scheme_step_finer_than_a_fen_is_refused() -> None:
    with pytest.raises(MoneyPrecision):
        pay_for(
            PayRule(kind=PayRuleKind.PER_POINT, per_point_step=Decimal("0.125")),
            PERFORMANCE_10000,
            completion=Decimal(100),
            score=Decimal(80),
            grade=CadreGrade.COMPETENT,
        )
