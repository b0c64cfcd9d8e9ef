"""Awarding the ten stars and grading a member, with the default scheme and alternative settings."""

import dataclasses
from collections.abc import Collection
from datetime import date
from decimal import Decimal

import pytest

from starrating.rules.tenstar import (
    DecisionsIncomplete,
    Grade,
    MemberOutcome,
    StarDecision,
    StarStatus,
    VetoReasonUnknown,
    grade_member,
)
from starrating.rules.tenstar_awards import (
    ABSTAIN,
    BallotCounts,
    BallotCountsInvalid,
    MarkInvalid,
    RaterMark,
    WrongStar,
    award_mass_stars,
    award_organisational_star,
)
from starrating.rules.tenstar_scheme import (
    GradeRule,
    MarkingMode,
    MarkingRule,
    MassMeasure,
    MassStarRule,
    TenStarScheme,
    default_tenstar_scheme,
)
from starrating.rules.vocabulary import Membership

SCHEME = default_tenstar_scheme()
POINTS = dataclasses.replace(SCHEME, marking=MarkingRule(MarkingMode.POINTS))
POINTS_75 = dataclasses.replace(SCHEME, marking=MarkingRule(MarkingMode.POINTS, Decimal("75")))
LENIENT_MASS = dataclasses.replace(SCHEME, mass=MassStarRule(Decimal(70), Decimal(50), 10))
BASIC = ("ideals", "organisation", "conduct", "exemplary")
VANGUARD = ("duty", "volunteering", "hardship", "prosperity")
MASS = ("recognition", "satisfaction")
ALL = BASIC + VANGUARD + MASS


def raters(yes: int, no: int) -> list[bool | Decimal]:
    return [mark for mark in [True] * yes + [False] * no]


def points(*marks: str) -> list[bool | Decimal]:
    return [Decimal(mark) for mark in marks]


def decisions(
    awarded: Collection[str],
    *,
    undecided: Collection[str] = (),
    satisfaction: StarDecision | None = None,
    scheme: TenStarScheme = SCHEME,
) -> list[StarDecision]:
    """One decision per star: awarded, undecided or not awarded as listed."""

    def status(code: str) -> StarStatus:
        if code in undecided:
            return StarStatus.UNDECIDED
        return StarStatus.AWARDED if code in awarded else StarStatus.NOT_AWARDED

    made = [
        StarDecision(s.code, status(s.code), f"{s.code}：{status(s.code).label}")
        for s in scheme.stars
    ]
    return [satisfaction if satisfaction and d.star_code == "satisfaction" else d for d in made]


def member(
    awarded: Collection[str],
    *,
    membership: Membership = Membership.FULL,
    undecided: Collection[str] = (),
    satisfaction: StarDecision | None = None,
    scheme: TenStarScheme = SCHEME,
    veto: str | None = None,
    exempt_meeting_date: date | None = None,
) -> MemberOutcome:
    return grade_member(
        member_id=1,
        membership=membership,
        decisions=decisions(awarded, undecided=undecided, satisfaction=satisfaction, scheme=scheme),
        scheme=scheme,
        veto=veto,
        exempt_meeting_date=exempt_meeting_date,
    )


# --- organisational stars, marked 达标 / 不达标 by majority -----------------------------------


def test_three_of_five_raters_is_a_majority() -> None:
    decision = award_organisational_star("organisation", raters(3, 2), SCHEME)
    assert decision.awarded
    assert decision.explanation == "组织观念星：5 名评委中 3 名评为达标，超过半数，授星"


def test_two_of_five_raters_is_not_a_majority() -> None:
    decision = award_organisational_star("organisation", raters(2, 3), SCHEME)
    assert decision.status is StarStatus.NOT_AWARDED
    assert decision.explanation == "组织观念星：5 名评委中 2 名评为达标，未超过半数，不授星"


def test_two_of_four_raters_is_not_a_majority() -> None:
    assert not award_organisational_star("duty", raters(2, 2), SCHEME).awarded


def test_three_of_four_raters_is_a_majority() -> None:
    assert award_organisational_star("duty", raters(3, 1), SCHEME).awarded


def test_a_single_rater_saying_up_to_standard_is_a_majority() -> None:
    assert award_organisational_star("duty", raters(1, 0), SCHEME).awarded


@pytest.mark.parametrize("scheme", [SCHEME, POINTS], ids=["majority", "points"])
def test_no_marks_leave_the_star_undecided(scheme: TenStarScheme) -> None:
    decision = award_organisational_star("ideals", [], scheme)
    assert decision.status is StarStatus.UNDECIDED
    assert not decision.decided and not decision.awarded
    assert decision.explanation == "理想信念星：尚无评委评定，待定"


def test_majority_marking_refuses_points() -> None:
    with pytest.raises(MarkInvalid):
        award_organisational_star("ideals", points("90", "85"), SCHEME)


@pytest.mark.parametrize("code", ["recognition", "charm"], ids=["mass_star", "unknown_star"])
def test_raters_mark_only_the_organisational_stars_of_the_scheme(code: str) -> None:
    with pytest.raises(WrongStar):
        award_organisational_star(code, raters(5, 0), SCHEME)


# --- 弃权: a rater who decided not to mark a star ---------------------------------------------


def with_abstentions(marks: list[bool | Decimal], abstained: int) -> list[RaterMark]:
    return [*marks, *[ABSTAIN] * abstained]


def test_abstentions_are_left_out_of_the_majority() -> None:
    # counted as 不达标 they would make 2 of 5: not a majority
    decision = award_organisational_star("duty", with_abstentions(raters(2, 1), 2), SCHEME)
    assert decision.awarded
    assert decision.explanation == (
        "履职尽责星：3 名评委中 2 名评为达标，超过半数，授星（另有 2 名评委弃权，不计入）"
    )
    assert decision.value == award_organisational_star("duty", raters(2, 1), SCHEME).value


def test_an_abstention_is_no_mark_for_the_star_either() -> None:
    # counted as 达标 it would make 2 of 3: a majority
    decision = award_organisational_star("duty", with_abstentions(raters(1, 1), 1), SCHEME)
    assert decision.status is StarStatus.NOT_AWARDED
    assert "2 名评委中 1 名评为达标，未超过半数" in decision.explanation


@pytest.mark.parametrize("scheme", [SCHEME, POINTS], ids=["majority", "points"])
def test_only_abstentions_leave_the_star_undecided(scheme: TenStarScheme) -> None:
    decision = award_organisational_star("ideals", [ABSTAIN, ABSTAIN], scheme)
    assert decision.status is StarStatus.UNDECIDED
    assert decision.explanation == "理想信念星：2 名评委均弃权，尚无评定，待定"


def test_abstentions_are_left_out_of_the_points_mean() -> None:
    decision = award_organisational_star("duty", [*points("90", "70"), ABSTAIN], POINTS)
    assert decision.awarded and decision.shown_value == Decimal("80.0")
    assert decision.explanation.startswith("履职尽责星：2 名评委平均 80.0 分 ≥ 80 分，授星")


def test_a_star_all_raters_abstained_on_keeps_the_grade_provisional() -> None:
    ideals = award_organisational_star("ideals", [ABSTAIN], SCHEME)
    others = [d for d in decisions(ALL) if d.star_code != "ideals"]
    outcome = grade_member(
        member_id=1, membership=Membership.FULL, decisions=[ideals, *others], scheme=SCHEME
    )
    assert outcome.provisional_reason == "理想信念星尚无评定"
    assert outcome.star_count == 9


# --- organisational stars, marked in points ----------------------------------------------------


def test_points_mean_exactly_at_80_awards_the_star() -> None:
    decision = award_organisational_star("duty", points("70", "90", "80"), POINTS)
    assert decision.awarded
    assert decision.explanation == "履职尽责星：3 名评委平均 80.0 分 ≥ 80 分，授星"


def test_points_mean_just_below_80_is_not_enough_though_shown_as_80() -> None:
    decision = award_organisational_star("duty", points("79.9", "80", "80"), POINTS)
    assert not decision.awarded
    assert decision.shown_value == Decimal("80.0")
    assert decision.explanation == (
        "履职尽责星：3 名评委平均 80.0 分（未四舍五入为 79.96… 分）< 80 分，不授星"
    )


def test_points_mean_is_shown_rounded_half_up() -> None:
    decision = award_organisational_star("duty", points("80", "80.1"), POINTS)
    assert decision.value == Decimal("80.05")
    assert decision.shown_value == Decimal("80.1")


def test_points_threshold_of_75_awards_a_mean_of_76() -> None:
    assert award_organisational_star("hardship", points("70", "82"), POINTS_75).awarded
    assert not award_organisational_star("hardship", points("74.9"), POINTS_75).awarded


@pytest.mark.parametrize("marks", [[True, False], [Decimal("101")], [Decimal("-1")]])
def test_points_refuse_booleans_and_points_outside_0_to_100(marks: list[bool | Decimal]) -> None:
    with pytest.raises(MarkInvalid):
        award_organisational_star("duty", marks, POINTS)


# --- mass stars, from the member ballot --------------------------------------------------------


def test_the_design_example_awards_recognition_at_82_5_percent() -> None:
    recognition, satisfaction = award_mass_stars(BallotCounts(25, 8, 7, 3, 1), SCHEME)
    assert recognition.awarded
    assert recognition.explanation == (
        "群众认可星：有效票 40，满意+基本满意 33，认可率 82.5% ≥ 80%，授星"
    )
    assert satisfaction.explanation == "群众满意星：有效票 40，满意 25，满意率 62.5% ≥ 60%，授星"


def test_rates_exactly_at_80_and_60_percent_award_both_mass_stars() -> None:
    recognition, satisfaction = award_mass_stars(BallotCounts(3, 1, 1), SCHEME)
    assert recognition.value == Decimal(80) and recognition.awarded
    assert satisfaction.value == Decimal(60) and satisfaction.awarded


def test_recognition_of_79_96_percent_is_short_of_80_though_shown_as_80_0() -> None:
    recognition, _ = award_mass_stars(BallotCounts(1000, 600, 401), SCHEME)
    assert recognition.shown_value == Decimal("80.0")
    assert recognition.status is StarStatus.NOT_AWARDED
    assert "认可率 80.0%（未四舍五入为 79.96…%）< 80%，不授星" in recognition.explanation


def test_satisfaction_just_below_60_percent_is_not_awarded() -> None:
    _, satisfaction = award_mass_stars(BallotCounts(1800, 1200, 1), SCHEME)
    assert satisfaction.shown_value == Decimal("60.0")
    assert not satisfaction.awarded


def test_unknown_and_blank_marks_are_not_valid_marks() -> None:
    counts = BallotCounts(satisfied=3, basic=1, dissatisfied=1, unknown=30, blank=12)
    assert counts.valid == 5
    assert all(decision.awarded for decision in award_mass_stars(counts, SCHEME))


def test_exactly_five_valid_marks_decide_the_mass_stars() -> None:
    decisions_ = award_mass_stars(BallotCounts(2, 2, 1, unknown=9), SCHEME)
    assert [d.status for d in decisions_] == [StarStatus.AWARDED, StarStatus.NOT_AWARDED]


def test_four_valid_marks_are_too_few_sample() -> None:
    recognition, satisfaction = award_mass_stars(BallotCounts(4, 0, 0, unknown=20), SCHEME)
    assert recognition.status is StarStatus.INSUFFICIENT_SAMPLE
    assert recognition.decided and not recognition.awarded
    assert recognition.explanation == (
        "群众认可星：有效票 4，少于最低 5 票，样本不足，不授星（认可率 100.0%，不作评星依据）"
    )
    assert satisfaction.status.label == "样本不足"
    assert recognition.shown_value == satisfaction.shown_value == 100  # shown, deciding nothing


def test_no_certified_ballot_leaves_the_mass_stars_to_be_assessed() -> None:
    recognition, satisfaction = award_mass_stars(None, SCHEME)
    assert recognition.status is satisfaction.status is StarStatus.UNDECIDED
    assert recognition.explanation == "群众认可星：群众测评尚未计票确认，待测评"


def test_mass_thresholds_of_70_and_50_with_a_sample_of_10() -> None:
    recognition, satisfaction = award_mass_stars(BallotCounts(5, 2, 3), LENIENT_MASS)
    assert recognition.awarded and satisfaction.awarded
    short = award_mass_stars(BallotCounts(5, 2, 2), LENIENT_MASS)
    assert [d.status for d in short] == [StarStatus.INSUFFICIENT_SAMPLE] * 2


def test_rates_are_shown_rounded_half_up() -> None:
    recognition, _ = award_mass_stars(BallotCounts(1649, 0, 351), SCHEME)
    assert recognition.value == Decimal("82.45")
    assert recognition.shown_value == Decimal("82.5")


def test_ballot_counts_give_recognition_and_satisfaction_rates() -> None:
    counts = BallotCounts(60, 25, 15, 8)
    assert counts.rate(MassMeasure.RECOGNITION) == Decimal(85)
    assert counts.rate(MassMeasure.SATISFACTION) == Decimal(60)
    assert BallotCounts(0, 0, 0, 4).rate(MassMeasure.RECOGNITION) is None


def test_negative_ballot_counts_are_refused() -> None:
    with pytest.raises(BallotCountsInvalid):
        BallotCounts(3, -1, 0)


# --- grades ------------------------------------------------------------------------------------


def test_four_basic_and_four_more_stars_make_a_member_eligible_for_excellence() -> None:
    outcome = member(BASIC + VANGUARD)
    assert outcome.grade is Grade.EXCELLENT_ELIGIBLE
    assert (outcome.star_count, outcome.basic_count) == (8, 4)
    assert outcome.explanation[-1] == "基础星 4 颗，总星数 8 颗 ≥ 8，符合优秀条件，具备优秀资格"


def test_four_basic_and_three_more_stars_is_qualified() -> None:
    outcome = member(BASIC + VANGUARD[:3])
    assert outcome.grade is Grade.QUALIFIED
    assert outcome.grade.label == "合格"
    assert outcome.explanation[-1] == (
        "基础星 4 颗，总星数 7 颗，未达优秀条件（基础星 ≥ 4 且总星数 ≥ 8），评为合格"
    )


def test_three_basic_stars_are_basically_qualified_however_many_others() -> None:
    outcome = member(BASIC[1:] + VANGUARD + MASS)
    assert outcome.grade is Grade.BASICALLY_QUALIFIED
    assert outcome.star_count == 9
    assert outcome.explanation[-1] == "基础星 3 颗（缺理想信念星），少于合格所需 4 颗，评为基本合格"


def test_two_basic_stars_are_unqualified() -> None:
    outcome = member(BASIC[:2] + VANGUARD)
    assert outcome.grade is Grade.UNQUALIFIED
    assert outcome.explanation[-1] == (
        "基础星 2 颗（缺品行表现星、带头表率星），少于基本合格所需 3 颗，评为不合格"
    )


def test_ten_stars_carry_the_title_ten_star_member() -> None:
    outcome = member(ALL)
    assert outcome.title == "十星党员"
    assert outcome.grade is Grade.EXCELLENT_ELIGIBLE
    assert "10 颗星全部获得，授予“十星党员”称号" in outcome.explanation
    assert member(ALL[:9]).title is None


def test_explanation_lists_every_star_in_scheme_order_then_the_grade() -> None:
    outcome = member(BASIC + VANGUARD)
    assert outcome.explanation[:2] == ("ideals：授星", "organisation：授星")
    assert outcome.explanation[9] == "satisfaction：不授星"
    assert [d.star_code for d in outcome.decisions] == list(ALL)


def test_a_veto_voids_every_star_and_grades_unqualified() -> None:
    outcome = member(ALL, veto="受党纪处分")
    assert outcome.grade is Grade.UNQUALIFIED
    assert outcome.star_count == 0 and outcome.basic_count == 0 and outcome.title is None
    assert outcome.explanation == (
        "一票否决（受党纪处分）：本年度所获星一律作废（原评 10 颗），评为不合格",
    )


def test_a_veto_reason_the_scheme_does_not_list_is_refused() -> None:
    with pytest.raises(VetoReasonUnknown):
        member(ALL, veto="迟到")


def test_a_probationary_member_is_not_graded_but_keeps_the_stars() -> None:
    outcome = member(ALL, membership=Membership.PROBATIONARY)
    assert outcome.grade is Grade.NOT_GRADED
    assert outcome.grade.label == "不评定等次"
    assert outcome.star_count == 10 and outcome.title == "十星党员"
    assert "预备党员：星级照常评定和公示，不评定等次" in outcome.explanation


def test_a_vetoed_probationary_member_is_unqualified() -> None:
    outcome = member(ALL, membership=Membership.PROBATIONARY, veto="违法犯罪")
    assert outcome.grade is Grade.UNQUALIFIED


def test_an_exempt_member_is_not_assessed() -> None:
    outcome = member((), exempt_meeting_date=date(2024, 3, 5))
    assert outcome.grade is Grade.EXEMPT
    assert outcome.grade.label == "免评"
    assert outcome.star_count == 0
    assert outcome.explanation == ("经 2024年3月5日 党员大会同意免评，不参加星级评定",)


def test_a_veto_outweighs_an_exemption() -> None:
    outcome = member((), veto="违法犯罪", exempt_meeting_date=date(2024, 3, 5))
    assert outcome.grade is Grade.UNQUALIFIED


def test_mass_stars_to_be_assessed_make_the_grade_provisional() -> None:
    outcome = member(BASIC + VANGUARD, undecided=MASS)
    assert outcome.provisional
    assert outcome.provisional_reason == "群众星待测评"
    assert outcome.grade is Grade.EXCELLENT_ELIGIBLE
    assert outcome.explanation[-1] == "等次为暂定（群众星待测评），按目前已获得的星计算"


def test_an_unmarked_organisational_star_makes_the_grade_provisional() -> None:
    outcome = member(BASIC[1:], undecided=("ideals", "recognition"))
    assert outcome.grade is Grade.BASICALLY_QUALIFIED
    assert outcome.provisional_reason == "群众星待测评；理想信念星尚无评定"


def test_insufficient_sample_is_decided_and_not_provisional() -> None:
    _, satisfaction = award_mass_stars(BallotCounts(2, 1, 0), SCHEME)
    outcome = member(BASIC, satisfaction=satisfaction)
    assert not outcome.provisional
    assert outcome.satisfaction_rate is None


def test_the_outcome_carries_the_exact_satisfaction_rate_for_ranking() -> None:
    _, counted = award_mass_stars(BallotCounts(20, 10, 3), SCHEME)
    outcome = member(BASIC, satisfaction=counted)
    assert outcome.satisfaction_rate == Decimal(20) * 100 / 33


def test_grading_needs_one_decision_for_every_star() -> None:
    nine = decisions(ALL)[:9]
    with pytest.raises(DecisionsIncomplete):
        grade_member(member_id=1, membership=Membership.FULL, decisions=nine, scheme=SCHEME)


def test_grading_refuses_two_decisions_for_one_star() -> None:
    twice = [*decisions(ALL), StarDecision("ideals", StarStatus.AWARDED, "again")]
    with pytest.raises(DecisionsIncomplete):
        grade_member(member_id=1, membership=Membership.FULL, decisions=twice, scheme=SCHEME)


def test_a_township_asking_nine_stars_for_excellence_grades_eight_qualified() -> None:
    strict = dataclasses.replace(SCHEME, grades=GradeRule(total_for_excellent=9))
    assert member(BASIC + VANGUARD, scheme=strict).grade is Grade.QUALIFIED
    assert member(BASIC + VANGUARD + MASS[:1], scheme=strict).grade is (Grade.EXCELLENT_ELIGIBLE)


def test_a_township_allowing_two_basic_stars_for_basic_pass() -> None:
    lenient = dataclasses.replace(SCHEME, grades=GradeRule(basic_for_basic_pass=2))
    assert member(BASIC[:2], scheme=lenient).grade is Grade.BASICALLY_QUALIFIED
    assert member(BASIC[:1], scheme=lenient).grade is Grade.UNQUALIFIED


def test_grade_labels_and_who_counts_as_graded() -> None:
    assert [grade.label for grade in Grade] == [
        "优秀资格", "优秀", "合格", "基本合格", "不合格", "不评定等次", "免评"
    ]  # fmt: skip
    assert [grade for grade in Grade if not grade.is_graded] == [Grade.NOT_GRADED, Grade.EXEMPT]
