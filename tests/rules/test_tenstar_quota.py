"""The 优秀 quota: at most 1/3 of graded members, rounded down; the 支委会 confirms the rest."""

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from starrating.rules.tenstar import Grade, MemberOutcome
from starrating.rules.tenstar_quota import (
    DuplicateMember,
    apply_excellence_quota,
    excellence_quota,
)
from starrating.rules.tenstar_scheme import GradeRule, default_tenstar_scheme

SCHEME = default_tenstar_scheme()
CODES = [star.code for star in SCHEME.stars]


def outcome(
    member_id: int,
    *,
    grade: Grade = Grade.QUALIFIED,
    stars: int = 7,
    rate: str | None = None,
    provisional: bool = False,
) -> MemberOutcome:
    return MemberOutcome(
        member_id=member_id,
        grade=grade,
        decisions=(),
        awarded=frozenset(CODES[:stars]),
        basic_count=min(stars, 4),
        explanation=(),
        provisional_reason="群众星待测评" if provisional else None,
        satisfaction_rate=None if rate is None else Decimal(rate),
    )


def eligible(member_id: int, stars: int = 8, rate: str | None = "70") -> MemberOutcome:
    return outcome(member_id, grade=Grade.EXCELLENT_ELIGIBLE, stars=stars, rate=rate)


def branch_of_nine(*eligible_members: MemberOutcome) -> list[MemberOutcome]:
    """Nine graded members: the eligible given, the rest 合格."""
    others = [outcome(100 + n) for n in range(9 - len(eligible_members))]
    return [*eligible_members, *others]


FOUR_ELIGIBLE = branch_of_nine(
    eligible(1, stars=8, rate="90"),
    eligible(2, stars=10, rate="60"),
    eligible(3, stars=9, rate="75"),
    eligible(4, stars=9, rate="80"),
)


@pytest.mark.parametrize(("graded", "quota"), [(9, 3), (10, 3), (11, 3), (12, 4), (2, 0), (0, 0)])
def test_quota_is_one_third_of_graded_members_rounded_down(graded: int, quota: int) -> None:
    assert excellence_quota(graded, SCHEME) == quota


def test_a_quota_of_one_quarter_allows_two_of_nine() -> None:
    quarter = dataclasses.replace(SCHEME, grades=GradeRule(excellent_quota=Fraction(1, 4)))
    assert excellence_quota(9, quarter) == 2
    result = apply_excellence_quota(branch_of_nine(eligible(1), eligible(2), eligible(3)), quarter)
    assert result.quota == 2 and result.needs_confirmation


def test_probationary_and_exempt_members_do_not_count_towards_the_quota() -> None:
    members = [
        *branch_of_nine(),
        outcome(50, grade=Grade.NOT_GRADED),
        outcome(51, grade=Grade.NOT_GRADED),
        outcome(52, grade=Grade.EXEMPT),
    ]
    result = apply_excellence_quota(members, SCHEME)
    assert (result.graded, result.quota) == (9, 3)


def test_unqualified_members_count_towards_the_quota() -> None:
    members = [*branch_of_nine()[:8], outcome(60, grade=Grade.UNQUALIFIED, stars=0)]
    assert apply_excellence_quota(members, SCHEME).graded == 9


def test_three_eligible_of_nine_are_all_excellent() -> None:
    result = apply_excellence_quota(branch_of_nine(eligible(1), eligible(2), eligible(3)), SCHEME)
    assert not result.needs_confirmation and not result.blocked
    assert [result.grades[n] for n in (1, 2, 3)] == [Grade.EXCELLENT] * 3
    assert result.grades[100] is Grade.QUALIFIED
    assert result.explanations[1][-1] == "未超过优秀名额，评为优秀"
    assert result.summary == (
        "参评党员 9 人（不含预备党员和免评党员），优秀名额 = 9 × 1/3，向下取整 = 3 人；"
        "具备优秀资格 3 人",
        "未超过名额，具备优秀资格的党员全部评为优秀",
    )


def test_four_eligible_of_nine_need_the_committee_to_confirm() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME)
    assert result.needs_confirmation and result.blocked
    assert result.problems == (
        "具备优秀资格 4 人，超过优秀名额 3 人，须由支委会确认评为优秀的人选",
    )
    assert all(result.grades[n] is Grade.EXCELLENT_ELIGIBLE for n in (1, 2, 3, 4))
    assert result.explanations[1][-1] == "超过优秀名额，待支委会确认"


def test_eligible_members_are_listed_by_stars_then_satisfaction_rate() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME)
    assert [c.member_id for c in result.candidates] == [2, 4, 3, 1]
    assert [c.rank for c in result.candidates] == [1, 2, 3, 4]
    assert result.explanations[4][0] == "优秀资格第 2 名：9 颗星，满意率 80.0%"


def test_equal_stars_and_rates_share_a_rank_and_an_unknown_rate_comes_last() -> None:
    members = branch_of_nine(
        eligible(1, rate="75"), eligible(2, rate=None), eligible(3, rate="75"), eligible(4)
    )
    result = apply_excellence_quota(members, SCHEME)
    assert [(c.member_id, c.rank, c.tied) for c in result.candidates] == [
        (1, 1, True),
        (3, 1, True),
        (4, 3, False),
        (2, 4, False),
    ]
    assert result.explanations[3][0] == "优秀资格第 1 名（并列）：8 颗星，满意率 75.0%"
    assert result.explanations[2][0] == "优秀资格第 4 名：8 颗星，满意率 —"


def test_confirming_three_of_four_grades_them_excellent_and_the_fourth_qualified() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME, confirmed_ids={2, 3, 4})
    assert not result.blocked
    assert [result.grades[n] for n in (2, 3, 4)] == [Grade.EXCELLENT] * 3
    assert result.grades[1] is Grade.QUALIFIED
    assert result.explanations[2][-1] == "经支委会确认，评为优秀"
    assert result.explanations[1][-1] == "因优秀名额所限（3 人），未列入支委会确认名单，评为合格"


def test_the_committee_may_confirm_fewer_than_the_quota() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME, confirmed_ids={2, 4})
    assert not result.blocked
    assert sorted(n for n, g in result.grades.items() if g is Grade.EXCELLENT) == [2, 4]


def test_confirming_more_than_the_quota_keeps_submission_blocked() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME, confirmed_ids={1, 2, 3, 4})
    assert result.blocked
    assert result.problems == ("确认评为优秀 4 人，超过优秀名额 3 人",)
    assert result.grades[1] is Grade.EXCELLENT_ELIGIBLE


def test_confirming_a_member_who_is_not_eligible_keeps_submission_blocked() -> None:
    result = apply_excellence_quota(FOUR_ELIGIBLE, SCHEME, confirmed_ids={2, 3, 100})
    assert result.problems == ("确认名单中有 1 人不具备优秀资格",)


def test_a_confirmation_is_not_needed_within_the_quota() -> None:
    members = branch_of_nine(eligible(1), eligible(2))
    result = apply_excellence_quota(members, SCHEME, confirmed_ids=set())
    assert result.grades[1] is result.grades[2] is Grade.EXCELLENT


def test_provisional_stars_keep_submission_blocked() -> None:
    members = [*branch_of_nine(eligible(1))[:8], outcome(70, provisional=True)]
    result = apply_excellence_quota(members, SCHEME)
    assert result.blocked and not result.needs_confirmation
    assert result.problems == ("尚有 1 名党员的星级未评定完毕，等次为暂定",)


def test_the_same_member_twice_is_refused() -> None:
    with pytest.raises(DuplicateMember):
        apply_excellence_quota([eligible(1), eligible(1)], SCHEME)
