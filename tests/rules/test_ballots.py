"""The satisfaction ballot's tally: counts, rates, weighted score, turnout and quorum."""

from decimal import Decimal
from fractions import Fraction

import pytest

from starrating.rules.ballots import (
    DEFAULT_QUORUM,
    Choice,
    ChoiceCounts,
    ChoiceWeights,
    DuplicateSubject,
    IssuedExceedsEligible,
    NegativeCount,
    NoEligibleVoters,
    QuorumKind,
    QuorumRule,
    ReturnedExceedsIssued,
    UnknownSubject,
    quorum_met,
    tally_round,
    tally_subject,
)

S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN
HOUSEHOLDS = QuorumRule.for_kind(QuorumKind.HOUSEHOLDS_TWO_THIRDS)
REPRESENTATIVES = QuorumRule.for_kind(QuorumKind.REPRESENTATIVES_TWO_THIRDS)


def worked_example_marks() -> list[Choice | None]:
    return [*[S] * 60, *[B] * 25, *[D] * 15, *[U] * 8]


def test_the_four_boxes_carry_their_chinese_labels() -> None:
    assert [choice.label for choice in Choice] == ["满意", "基本满意", "不满意", "不了解"]


def test_tally_counts_each_box_and_the_blank_rows() -> None:
    tally = tally_subject([S, S, B, D, U, U, None])

    assert tally.counts == ChoiceCounts(satisfied=2, basic=1, dissatisfied=1, unknown=2, blank=1)
    assert tally.valid == 4


def test_unknown_and_blank_rows_are_left_out_of_valid_marks() -> None:
    tally = tally_subject([S, U, U, None, None, None])

    assert tally.valid == 1
    assert tally.satisfaction_rate == Decimal(100)


def test_worked_example_ballot_gives_rates_and_weighted_score() -> None:
    tally = tally_subject(worked_example_marks())

    assert tally.valid == 100
    assert tally.recognition_rate == Decimal(85)
    assert tally.satisfaction_rate == Decimal(60)
    assert tally.dissatisfied_rate == Decimal(15)
    assert tally.weighted_score == Decimal(82)
    assert tally.score_shown == Decimal("82.0")


def test_rates_are_kept_exact_and_shown_half_up_to_a_tenth() -> None:
    one_in_sixteen = tally_subject([S] + [D] * 15)
    two_in_three = tally_subject([S, S, D])

    assert one_in_sixteen.satisfaction_rate == Decimal("6.25")
    assert one_in_sixteen.satisfaction_shown == Decimal("6.3")
    assert two_in_three.satisfaction_rate is not None
    assert two_in_three.satisfaction_rate > Decimal("66.66")
    assert two_in_three.satisfaction_shown == Decimal("66.7")


def test_no_valid_mark_gives_no_rates_and_says_so() -> None:
    tally = tally_subject([U, U, None])

    assert tally.recognition_rate is None
    assert tally.satisfaction_shown is None
    assert tally.weighted_score is None
    assert "没有有效票" in tally.explain()[-1]


def test_weighted_score_uses_the_weights_given() -> None:
    tally = tally_subject([S, B, D, U], ChoiceWeights(Decimal(100), Decimal(60), Decimal(0)))

    assert tally.weighted_score == Decimal("160") / 3
    assert tally.score_shown == Decimal("53.3")


def test_subject_explanation_shows_the_arithmetic() -> None:
    lines = tally_subject([*worked_example_marks(), None, None]).explain()

    assert "未填 2 票" in lines[0]
    assert "有效票 = 满意 + 基本满意 + 不满意 = 60 + 25 + 15 = 100（不了解和未填不计入）" in lines
    assert "认可率 = (满意 + 基本满意) / 有效票 = (60 + 25) / 100 = 85.0%" in lines
    assert "满意率 = 满意 / 有效票 = 60 / 100 = 60.0%" in lines
    assert "测评得分 = (60×100 + 25×70 + 15×30) / 100 = (6000 + 1750 + 450) / 100 = 82.0" in lines


def test_negative_counts_are_refused() -> None:
    with pytest.raises(NegativeCount):
        ChoiceCounts(satisfied=-1)


def test_choice_weights_out_of_order_are_reported() -> None:
    weights = ChoiceWeights(Decimal(70), Decimal(100), Decimal(120))

    assert weights.problems() == [
        "“不满意”的分值应在 0 到 100 之间，现为 120",
        "分值应满足 满意 ≥ 基本满意 ≥ 不满意",
    ]
    assert ChoiceWeights().problems() == []


@pytest.mark.parametrize(
    ("returned", "eligible", "met"),
    [(100, 200, True), (99, 200, False), (100, 201, False), (101, 201, True), (1, 1, True)],
)
def test_villagers_meeting_needs_half_of_the_eligible(
    returned: int, eligible: int, met: bool
) -> None:
    assert quorum_met(returned, eligible, DEFAULT_QUORUM) is met


@pytest.mark.parametrize(("returned", "met"), [(283, True), (282, False)])
def test_household_meeting_needs_two_thirds_of_424_households(returned: int, met: bool) -> None:
    assert quorum_met(returned, 424, HOUSEHOLDS) is met
    assert HOUSEHOLDS.required(424) == 283


@pytest.mark.parametrize(("returned", "met"), [(20, True), (19, False)])
def test_representatives_meeting_needs_two_thirds_of_30(returned: int, met: bool) -> None:
    assert quorum_met(returned, 30, REPRESENTATIVES) is met


def test_two_thirds_is_compared_exactly_not_as_a_rounded_decimal() -> None:
    assert quorum_met(2, 3, HOUSEHOLDS)
    assert not quorum_met(666, 1000, HOUSEHOLDS)
    assert quorum_met(667, 1000, HOUSEHOLDS)


def test_quorum_rules_describe_themselves_in_chinese() -> None:
    assert QuorumKind.ELIGIBLE_HALF.label == "村民会议: 到会/投票 ≥ 应参加人数的 1/2"
    assert HOUSEHOLDS.describe() == "户代表会议: 到会/投票 ≥ 户数的 2/3"
    assert REPRESENTATIVES.describe() == "村民代表会议: 到会/投票 ≥ 村民代表人数的 2/3"


def test_quorum_rule_round_trips_through_a_dict() -> None:
    assert QuorumRule.from_dict(HOUSEHOLDS.to_dict()) == HOUSEHOLDS
    assert DEFAULT_QUORUM.to_dict() == {"kind": "eligible_half", "fraction": "1/2"}


@pytest.mark.parametrize("fraction", [Fraction(0), Fraction(3, 2)])
def test_impossible_quorum_fraction_is_reported(fraction: Fraction) -> None:
    assert QuorumRule(QuorumKind.ELIGIBLE_HALF, fraction).problems()


def test_round_tallies_each_subject_in_the_order_given() -> None:
    ballots: list[dict[str, Choice | None]] = [
        {"李四": S, "张三": D},
        {"张三": S},
        {"李四": B, "张三": None},
    ]

    result = tally_round(eligible=4, issued=4, ballots=ballots, subject_ids=["张三", "李四"])

    assert [subject for subject, _ in result.subjects] == ["张三", "李四"]
    assert result.tally_for("张三").counts == ChoiceCounts(satisfied=1, dissatisfied=1, blank=1)
    assert result.tally_for("李四").counts == ChoiceCounts(satisfied=1, basic=1, blank=1)


def test_an_all_blank_ballot_is_returned_but_not_valid() -> None:
    ballots: list[dict[int, Choice | None]] = [{1: S, 2: None}, {1: None, 2: None}, {}, {1: U}]

    result = tally_round(eligible=8, issued=6, ballots=ballots, subject_ids=[1, 2])

    assert (result.returned, result.valid_ballots, result.blank_ballots) == (4, 2, 2)


def test_round_at_exactly_half_turnout_counts() -> None:
    result = tally_round(eligible=10, issued=8, ballots=[{1: S}] * 5, subject_ids=[1])

    assert result.turnout == Decimal(50)
    assert result.quorum_met and result.counts
    assert result.explain()[-1].endswith("实收 5 ≥ 5，已达法定人数，测评有效")


def test_round_below_quorum_does_not_count_and_is_rerun() -> None:
    result = tally_round(eligible=10, issued=10, ballots=[{1: S}] * 4, subject_ids=[1])

    assert not result.counts
    assert "未达法定人数，需补测" in result.explain()[-1]


def test_round_explanation_gives_the_figures_and_turnout() -> None:
    result = tally_round(eligible=3, issued=3, ballots=[{1: S}, {1: None}], subject_ids=[1])

    assert result.turnout_shown == Decimal("66.7")
    assert result.explain()[:2] == [
        "应参加 3 人，发出 3 张，收回 2 张，有效 1 张（空白票 1 张）",
        "参与率 = 收回 / 应参加 = 2 / 3 = 66.7%",
    ]


def test_round_under_a_households_quorum() -> None:
    ballots = [{1: S}] * 283

    result = tally_round(
        eligible=424, issued=424, ballots=ballots, subject_ids=[1], quorum=HOUSEHOLDS
    )

    assert result.counts


def test_more_ballots_issued_than_voters_is_impossible() -> None:
    with pytest.raises(IssuedExceedsEligible, match="发出票数 11 超过应参加人数 10"):
        tally_round(eligible=10, issued=11, ballots=[], subject_ids=[1])


def test_more_ballots_returned_than_issued_is_impossible() -> None:
    with pytest.raises(ReturnedExceedsIssued, match="收回票数 3 超过发出票数 2"):
        tally_round(eligible=10, issued=2, ballots=[{1: S}] * 3, subject_ids=[1])


def test_a_round_needs_an_electorate() -> None:
    with pytest.raises(NoEligibleVoters):
        tally_round(eligible=0, issued=0, ballots=[], subject_ids=[1])


def test_negative_issued_count_is_impossible() -> None:
    with pytest.raises(NegativeCount):
        tally_round(eligible=5, issued=-1, ballots=[], subject_ids=[1])


def test_a_mark_for_someone_not_on_the_sheet_is_refused() -> None:
    with pytest.raises(UnknownSubject):
        tally_round(eligible=5, issued=5, ballots=[{1: S, 9: D}], subject_ids=[1])


def test_a_subject_listed_twice_is_refused() -> None:
    with pytest.raises(DuplicateSubject):
        tally_round(eligible=5, issued=5, ballots=[], subject_ids=[1, 1])


def test_asking_for_a_subject_not_in_the_round_is_refused() -> None:
    result = tally_round(eligible=5, issued=5, ballots=[], subject_ids=[1])

    with pytest.raises(UnknownSubject):
        result.tally_for(2)
