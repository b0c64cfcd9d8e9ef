"""A cadre's year-end appraisal: completion, ballot, combined score, grade and consequences."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from starrating.rules.appraisal import (
    AppraisalOutcome,
    CompletionOutOfRange,
    NothingToCombine,
    PledgeResult,
    ScoreOutOfRange,
    WeightOutOfRange,
    WeightsDoNotSum,
    appraise,
    ballot_score,
    cadre_dissatisfied_rate,
    cadre_satisfaction_rate,
    combine,
    completion_ratio,
)
from starrating.rules.appraisal_scheme import (
    AppraisalScheme,
    ComponentWeights,
    default_appraisal_scheme,
    scheme_problems,
)
from starrating.rules.ballots import ChoiceCounts, ChoiceWeights
from starrating.rules.cadre_grades import (
    CadreGrade,
    ConsequenceFlag,
    ConsequenceThresholds,
    GradeBands,
    consequences,
    grade_for,
)
from starrating.rules.pay import PayProfile, PayRule, PayRuleKind, TierPercents

ZHANG_SAN_ITEMS = [
    PledgeResult(40, Decimal(100), "A"),
    PledgeResult(30, Decimal(80), "B"),
    PledgeResult(30, Decimal(50), "C"),
]
ZHANG_SAN_BALLOT = ChoiceCounts(satisfied=60, basic=25, dissatisfied=15, unknown=8)
ZHANG_SAN_PAY = PayProfile(base_pay=Decimal("24000"), reward_amount=Decimal("3000"))


def appraise_zhang_san(*, ballot: ChoiceCounts | None = ZHANG_SAN_BALLOT) -> AppraisalOutcome:
    return appraise(
        items=ZHANG_SAN_ITEMS,
        ballot=ballot,
        township_score=Decimal(85),
        pay_profile=ZHANG_SAN_PAY,
        scheme=default_appraisal_scheme(),
    )


def test_worked_example_zhang_san() -> None:
    outcome = appraise_zhang_san()

    assert outcome.completion == Decimal("79.0")
    assert outcome.pay.deduction == Decimal("2640.00")
    assert outcome.total_pay == Decimal("21360.00")
    assert outcome.ballot_score == Decimal("82.0")
    assert outcome.satisfaction == Decimal("85.0")
    assert outcome.dissatisfied == Decimal("15.0")
    assert outcome.combined_score == Decimal("81.1")
    assert outcome.grade is CadreGrade.COMPETENT
    assert outcome.flags == ()
    assert not outcome.combined.renormalised


def test_worked_example_explains_itself_step_by_step() -> None:
    lines = appraise_zhang_san().explanation

    for expected in [
        "完成率 r = (40×100 + 30×80 + 30×50) / 100 = 79.0%",
        "测评得分 = (60×100 + 25×70 + 15×30) / 100 = (6000 + 1750 + 450) / 100 = 82.0",
        "综合满意率 = (满意 + 基本满意) / 有效票 = (60 + 25) / 100 = 85.0%",
        "不满意率 = 不满意 / 有效票 = 15 / 100 = 15.0%",
        "综合得分 = 0.5 × 79.0 + 0.3 × 82.0 + 0.2 × 85 = 81.1",
        "79.0% < 90%，扣减 24,000.00 × (90% − 79.0%) = 2,640.00 元",
        "应发 = 24,000.00 − 2,640.00 = 21,360.00 元",
        "最终等次：称职；处理：无",
    ]:
        assert expected in lines


def test_completion_over_100_percent_counts_as_100() -> None:
    items = [PledgeResult(50, Decimal(130), "修路"), PledgeResult(50, Decimal(80), "绿化")]

    assert completion_ratio(items) == Decimal("90.0")


def test_completion_is_rounded_half_up_to_a_tenth() -> None:
    items = [PledgeResult(1, Decimal("0.5")), PledgeResult(99, Decimal(100))]

    assert completion_ratio(items) == Decimal("99.0")  # 99.005 → 99.0
    assert completion_ratio([PledgeResult(100, Decimal("78.95"))]) == Decimal("79.0")


@pytest.mark.parametrize("last_weight", [29, 31])
def test_weights_that_do_not_sum_to_100_are_refused(last_weight: int) -> None:
    items = [PledgeResult(40, Decimal(100)), PledgeResult(30, Decimal(80))]
    items.append(PledgeResult(last_weight, Decimal(50)))

    with pytest.raises(WeightsDoNotSum, match=f"权重之和应为 100，现为 {70 + last_weight}"):
        completion_ratio(items)


def test_negative_progress_is_refused() -> None:
    with pytest.raises(CompletionOutOfRange, match="不能为负数"):
        completion_ratio([PledgeResult(100, Decimal(-5), "修路")])


def test_an_item_without_weight_is_refused() -> None:
    with pytest.raises(WeightOutOfRange):
        completion_ratio([PledgeResult(100, Decimal(80)), PledgeResult(0, Decimal(80))])


def test_ballot_score_leaves_unknown_out() -> None:
    assert ballot_score(ZHANG_SAN_BALLOT, ChoiceWeights()) == Decimal("82.0")
    assert ballot_score(ChoiceCounts(unknown=5), ChoiceWeights()) is None


def test_cadre_satisfaction_counts_satisfied_and_basically_satisfied() -> None:
    assert cadre_satisfaction_rate(ZHANG_SAN_BALLOT) == Decimal("85.0")
    assert cadre_dissatisfied_rate(ZHANG_SAN_BALLOT) == Decimal("15.0")


def test_missing_ballot_is_dropped_and_the_others_renormalised() -> None:
    combined = combine(Decimal("79.0"), None, Decimal(85))

    assert combined.score == Decimal("80.7")  # (39.5 + 17) / 0.7 = 80.71
    assert combined.missing == ("群众测评",)
    assert combined.explanation == [
        "缺少群众测评，按其余两项折算",
        "综合得分 = (0.5 × 79.0 + 0.2 × 85) / 0.7 = 80.7",
    ]


def test_only_completion_left_counts_alone() -> None:
    combined = combine(Decimal("79.0"), None, None)

    assert combined.score == Decimal("79.0")
    assert combined.explanation[0] == "缺少群众测评、乡镇评价，按目标完成一项折算"


def test_nothing_to_combine_is_refused() -> None:
    with pytest.raises(NothingToCombine):
        combine(None, None, None)


def test_township_score_above_100_is_refused() -> None:
    with pytest.raises(ScoreOutOfRange, match="乡镇评价"):
        combine(Decimal(80), Decimal(80), Decimal(101))


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("90", CadreGrade.EXCELLENT),
        ("89.9", CadreGrade.COMPETENT),
        ("80", CadreGrade.COMPETENT),
        ("79.9", CadreGrade.BASICALLY_COMPETENT),
        ("70", CadreGrade.BASICALLY_COMPETENT),
        ("69.9", CadreGrade.INCOMPETENT),
        ("89.95", CadreGrade.EXCELLENT),
        ("89.94", CadreGrade.COMPETENT),
    ],
)
def test_grade_bands_on_the_published_score(score: str, grade: CadreGrade) -> None:
    assert grade_for(Decimal(score), GradeBands()) is grade


def test_combined_89_95_is_published_as_90_0_and_graded_excellent() -> None:
    combined = combine(Decimal("89.9"), Decimal("90.0"), Decimal(90))

    assert combined.score == Decimal("90.0")
    assert grade_for(combined.score, GradeBands()) is CadreGrade.EXCELLENT


def judged(
    satisfaction: str,
    dissatisfied: str,
    *,
    score_grade: CadreGrade = CadreGrade.EXCELLENT,
    last_year: CadreGrade | None = None,
) -> tuple[CadreGrade, tuple[ConsequenceFlag, ...]]:
    verdict = consequences(
        score_grade=score_grade,
        satisfaction=Decimal(satisfaction),
        dissatisfied=Decimal(dissatisfied),
        last_year_grade=last_year,
        thresholds=ConsequenceThresholds(),
    )
    return verdict.grade, verdict.flags


def test_satisfaction_of_exactly_half_is_not_below_half() -> None:
    assert judged("50", "10") == (CadreGrade.EXCELLENT, ())


def test_satisfaction_below_half_makes_the_cadre_incompetent_whatever_the_score() -> None:
    assert judged("49.9", "10") == (CadreGrade.INCOMPETENT, (ConsequenceFlag.ADJUST,))


def test_satisfaction_published_as_50_0_is_not_below_half() -> None:
    assert judged("49.96", "10") == (CadreGrade.EXCELLENT, ())


def test_dissatisfied_of_exactly_30_percent_brings_an_admonishing_talk() -> None:
    assert judged("70", "30") == (CadreGrade.EXCELLENT, (ConsequenceFlag.ADMONISH,))
    assert judged("70.1", "29.9") == (CadreGrade.EXCELLENT, ())


def test_incompetent_two_years_running_ends_the_post() -> None:
    grade, flags = judged(
        "60", "20", score_grade=CadreGrade.INCOMPETENT, last_year=CadreGrade.INCOMPETENT
    )

    assert grade is CadreGrade.INCOMPETENT
    assert flags == (ConsequenceFlag.TERMINATE,)


def test_incompetent_after_a_basically_competent_year_keeps_the_post() -> None:
    grade, flags = judged(
        "60", "20", score_grade=CadreGrade.INCOMPETENT, last_year=CadreGrade.BASICALLY_COMPETENT
    )

    assert (grade, flags) == (CadreGrade.INCOMPETENT, ())


def test_ballot_forced_incompetence_counts_towards_two_years_running() -> None:
    grade, flags = judged("40", "35", last_year=CadreGrade.INCOMPETENT)

    assert grade is CadreGrade.INCOMPETENT
    assert flags == (ConsequenceFlag.ADJUST, ConsequenceFlag.ADMONISH, ConsequenceFlag.TERMINATE)


def test_a_well_scored_cadre_the_villagers_reject_is_graded_incompetent() -> None:
    rejected = ChoiceCounts(satisfied=30, basic=19, dissatisfied=51)
    items = [PledgeResult(100, Decimal(100))]

    outcome = appraise(
        items=items,
        ballot=rejected,
        township_score=Decimal(100),
        pay_profile=ZHANG_SAN_PAY,
        scheme=default_appraisal_scheme(),
    )

    assert outcome.score_grade is CadreGrade.COMPETENT  # 50 + 0.3 × 60.4 + 20 = 88.1
    assert outcome.grade is CadreGrade.INCOMPETENT
    assert outcome.flags == (ConsequenceFlag.ADJUST, ConsequenceFlag.ADMONISH)
    assert "综合满意率 49.0% < 50%，不论得分定为不称职，建议调整" in outcome.explanation


def test_appraisal_without_a_ballot_is_flagged_and_renormalised() -> None:
    outcome = appraise_zhang_san(ballot=None)

    assert outcome.combined.renormalised
    assert outcome.combined_score == Decimal("80.7")
    assert "缺少群众测评，按其余两项折算" in outcome.explanation
    assert "群众测评：未举行" in outcome.explanation


def test_a_ballot_with_no_valid_mark_counts_as_missing() -> None:
    outcome = appraise_zhang_san(ballot=ChoiceCounts(unknown=40, blank=3))

    assert outcome.satisfaction is None
    assert outcome.flags == ()
    assert "群众测评：没有有效票" in outcome.explanation


def test_default_scheme_is_the_wengjiabu_rules() -> None:
    scheme = default_appraisal_scheme()

    assert scheme.ballot_weights == ChoiceWeights(Decimal(100), Decimal(70), Decimal(30))
    assert scheme.components == ComponentWeights(50, 30, 20)
    assert scheme.pay_rule.kind is PayRuleKind.PROPORTIONAL
    assert scheme.pay_rule.pass_ratio == Decimal("0.9")
    assert scheme_problems(scheme) == []


def test_scheme_round_trips_through_json() -> None:
    scheme = AppraisalScheme(
        components=ComponentWeights(60, 25, 15),
        grade_bands=GradeBands(Decimal("92.5"), Decimal(82), Decimal(72)),
        pay_rule=PayRule(kind=PayRuleKind.TIERED, tiers=TierPercents(excellent=Decimal(130))),
    )

    stored = json.dumps(scheme.to_dict())

    assert AppraisalScheme.from_dict(json.loads(stored)) == scheme
    assert AppraisalScheme.from_dict(default_appraisal_scheme().to_dict()) == AppraisalScheme()


def test_scheme_settings_left_out_keep_their_defaults() -> None:
    scheme = AppraisalScheme.from_dict({"pay_rule": {"kind": "per_point"}})

    assert scheme.pay_rule == PayRule(kind=PayRuleKind.PER_POINT)


def test_scheme_with_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="不认识的设置项：bonus"):
        AppraisalScheme.from_dict({"bonus": "1"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"components": ComponentWeights(50, 30, 30)}, "合计 100，现为 110"),
        ({"grade_bands": GradeBands(Decimal(80), Decimal(80), Decimal(70))}, "等次分数线"),
        ({"consequences": ConsequenceThresholds(Decimal(120))}, "满意率界限"),
        ({"pay_rule": PayRule(pass_ratio=Decimal("1.2"))}, "合格完成率"),
        ({"pay_rule": PayRule(deduction_cap=Decimal("-0.1"))}, "扣减上限"),
        ({"pay_rule": PayRule(per_point_step=Decimal("50.005"))}, "最多两位小数"),
        ({"ballot_weights": ChoiceWeights(basic=Decimal(110))}, "基本满意"),
        ({"components": ComponentWeights(120, -20, 0)}, "群众测评的权重不能为负数，现为 -20"),
        (
            {"pay_rule": PayRule(tiers=TierPercents(incompetent=Decimal(-1)))},
            "不称职等次的绩效工资比例不能为负数，现为 -1%",
        ),
        (
            {"pay_rule": PayRule(tiers=TierPercents(basically_competent=Decimal(110)))},
            "各等次绩效工资比例应满足 优秀 ≥ 称职 ≥ 基本称职 ≥ 不称职",
        ),
        (
            {"grade_bands": GradeBands(Decimal("89.95"), Decimal(80), Decimal(70))},
            "优秀分数线最多一位小数（公布的得分和比率精确到 0.1），现为 89.95 分",
        ),
        (
            {"consequences": ConsequenceThresholds(Decimal(50), Decimal("29.99"))},
            "诫勉谈话的不满意率界限最多一位小数",
        ),
        ({"pay_rule": PayRule(pass_ratio=Decimal("0.9005"))}, "合格完成率最多一位小数"),
        ({"pay_rule": PayRule(full_pay_from=Decimal("89.99"))}, "全额发放绩效工资的分数线最多"),
    ],
)
def test_out_of_range_settings_are_reported_in_chinese(
    changes: dict[str, object], message: str
) -> None:
    problems = scheme_problems(replace(default_appraisal_scheme(), **changes))  # type: ignore[arg-type]

    assert any(message in problem for problem in problems), problems


def test_thresholds_with_one_decimal_and_equal_tiers_are_accepted() -> None:
    scheme = AppraisalScheme(
        grade_bands=GradeBands(Decimal("92.5"), Decimal("80.0"), Decimal(70)),
        consequences=ConsequenceThresholds(Decimal("45.5"), Decimal(30)),
        pay_rule=PayRule(
            pass_ratio=Decimal("0.855"),
            full_pay_from=Decimal("88.5"),
            tiers=TierPercents(Decimal(100), Decimal(100), Decimal(100), Decimal(0)),
        ),
    )

    assert scheme_problems(scheme) == []


def test_tiered_pay_follows_the_grade_after_the_ballot_veto() -> None:
    scheme = replace(default_appraisal_scheme(), pay_rule=PayRule(kind=PayRuleKind.TIERED))
    profile = PayProfile(base_pay=Decimal("20000"), performance_pay=Decimal("10000"))

    outcome = appraise(
        items=[PledgeResult(100, Decimal(100))],
        ballot=ChoiceCounts(satisfied=30, basic=19, dissatisfied=51),
        township_score=Decimal(100),
        pay_profile=profile,
        scheme=scheme,
        last_year_grade=CadreGrade.INCOMPETENT,
    )

    assert outcome.pay.performance == Decimal("7500.00")
    assert ConsequenceFlag.TERMINATE in outcome.flags
    assert "等次 不称职，绩效工资 10,000.00 × 75% = 7,500.00 元" in outcome.explanation
