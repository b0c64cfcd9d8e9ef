"""Who may sit on the 监委会, and who is conflicted for a round's cadre section (DESIGN §14)."""

import pytest

from starrating.rules.supervision import (
    CadreRecord,
    Relative,
    add_problem,
    chair_warning,
    complete_problem,
    member_problem,
    remove_problem,
    section_conflict,
)
from starrating.rules.vocabulary import PostKind

ZHUREN = CadreRecord(
    name="李永利",
    post="村委会主任",
    kind=PostKind.VILLAGE_COMMITTEE,
    user_id=10,
    relatives=(Relative("王秀英", "配偶", user_id=20), Relative("李小军", "儿子")),
)
SHUJI = CadreRecord(name="王建国", post="村党支部书记", kind=PostKind.PARTY, user_id=1)
KUAIJI = CadreRecord(name="林丽华", post="村会计", kind=PostKind.STAFF)


@pytest.mark.parametrize(
    ("user_id", "reason"),
    [
        (10, "您是本次村干部测评的对象「李永利」（村委会主任）本人"),
        (1, "您是本次村干部测评的对象「王建国」（村党支部书记）本人"),  # the secretary-书记
        (20, "您是本次村干部测评对象「李永利」（村委会主任）登记的近亲属（配偶）"),
    ],
)
def test_a_subject_or_a_listed_relatives_account_is_conflicted(user_id, reason):
    problem = section_conflict(user_id, [ZHUREN, SHUJI, KUAIJI])
    assert problem is not None and problem.startswith(reason)
    assert "不能录入、监票或确认本次测评" in problem


def test_anyone_else_is_not_and_a_relative_without_an_account_matches_no_one():
    assert section_conflict(99, [ZHUREN, SHUJI, KUAIJI]) is None
    assert section_conflict(1, [ZHUREN, KUAIJI]) is None  # the 书记 is not a subject here


def test_a_villagers_committee_member_may_not_sit_on_the_jianweihui():
    problem = member_problem(30, "李永利", [ZHUREN])  # same name, the cadre's record linked
    assert problem is None  # linked to account 10: the record says it is someone else
    unlinked = CadreRecord(name="丛振华", post="村委会副主任", kind=PostKind.VILLAGE_COMMITTEE)
    problem = member_problem(30, "丛振华", [unlinked])
    assert problem is not None
    assert problem.startswith("「丛振华」是村民委员会成员（村委会副主任），村民委员会成员不能担任")
    assert "同名的另一个人" in problem  # matched by name only: how to tell a namesake apart


def test_a_party_post_or_other_staff_may_sit_on_it():
    assert member_problem(1, "王建国", [SHUJI]) is None
    assert member_problem(2, "林丽华", [KUAIJI]) is None


@pytest.mark.parametrize(
    ("user_id", "name"),
    [(20, "王秀英"), (31, "李小军")],  # by the relative's account; by name when it has none
)
def test_a_cadres_listed_relative_may_not_sit_on_it(user_id, name):
    problem = member_problem(user_id, name, [ZHUREN])
    assert problem is not None
    assert f"「{name}」是村干部「李永利」（村委会主任）登记的近亲属" in problem
    assert "村干部的近亲属不能担任村务监督委员会成员" in problem


def test_a_chair_who_is_the_branch_secretary_is_warned():
    warning = chair_warning("王建国", ["王建国"])
    assert warning is not None and "主任「王建国」是村党组织书记" in warning
    assert chair_warning("孙志强", ["王建国"]) is None


@pytest.mark.parametrize(
    ("members", "chairs", "reason"),
    [
        (2, 1, "须有 3–5 名成员，现在只有 2 名：请再添加 1 名"),
        (6, 1, "最多 5 名成员，现在有 6 名"),
        (3, 0, "请指定一名主任"),
        (3, 1, None),
        (5, 1, None),
    ],
)
def test_a_complete_committee_has_three_to_five_members_and_one_chair(members, chairs, reason):
    problem = complete_problem(members, chairs)
    assert problem == reason or (reason is not None and reason in (problem or ""))


def test_a_committee_never_grows_past_five_nor_an_established_one_below_three():
    assert add_problem(4) is None
    assert "最多 5 名成员，已有 5 名" in (add_problem(5) or "")
    assert remove_problem(members=3, established=False, is_chair=True) is None
    assert "请先添加接替的成员" in (
        remove_problem(members=3, established=True, is_chair=False) or ""
    )
    assert remove_problem(members=4, established=True, is_chair=False) is None
    assert "请先指定另一名成员为主任" in (
        remove_problem(members=4, established=True, is_chair=True) or ""
    )
