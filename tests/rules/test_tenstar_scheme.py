"""The township's ten-star scheme: the defaults of DESIGN §4, the editor's checks, the JSON form."""

import dataclasses
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from starrating.rules.tenstar_scheme import (
    DEFAULT_VETO_REASONS,
    GradeRule,
    MarkingMode,
    MarkingRule,
    MassMeasure,
    MassStarRule,
    SchemeInvalid,
    Star,
    StarGroup,
    TenStarScheme,
    default_tenstar_scheme,
    scheme_problems,
    validate_scheme,
)
from starrating.rules.tenstar_scheme_json import scheme_from_dict, scheme_to_dict

DEFAULT = default_tenstar_scheme()


def with_stars(stars: list[Star]) -> TenStarScheme:
    return dataclasses.replace(DEFAULT, stars=tuple(stars))


def replaced_star(index: int, **changes: Any) -> TenStarScheme:
    stars = list(DEFAULT.stars)
    stars[index] = dataclasses.replace(stars[index], **changes)
    return with_stars(stars)


def alternative_scheme() -> TenStarScheme:
    """One other setting of every rule, as a township might choose."""
    return dataclasses.replace(
        replaced_star(4, criteria="按岗位职责完成村两委交办的任务。"),
        marking=MarkingRule(MarkingMode.POINTS, Decimal("75")),
        mass=MassStarRule(Decimal("70"), Decimal("50.5"), 10),
        grades=GradeRule(4, 9, 4, 2, Fraction(1, 4)),
        veto_reasons=("受党纪处分", "违法犯罪"),
        publicity_days=7,
        answer_days=15,
    )


# --- the defaults of DESIGN §4 -------------------------------------------------------------------


def test_default_scheme_has_four_basic_stars_in_order() -> None:
    names = [star.name for star in DEFAULT.stars_in(StarGroup.BASIC)]
    assert names == ["理想信念星", "组织观念星", "品行表现星", "带头表率星"]


def test_default_scheme_has_four_vanguard_stars_in_order() -> None:
    names = [star.name for star in DEFAULT.stars_in(StarGroup.VANGUARD)]
    assert names == ["履职尽责星", "义务奉献星", "攻坚克难星", "致富带富星"]


def test_default_scheme_has_two_mass_stars_decided_by_recognition_and_satisfaction() -> None:
    assert DEFAULT.mass_star(MassMeasure.RECOGNITION).name == "群众认可星"
    assert DEFAULT.mass_star(MassMeasure.SATISFACTION).name == "群众满意星"
    assert [s.group for s in DEFAULT.stars[8:]] == [StarGroup.MASS, StarGroup.MASS]


def test_default_scheme_lists_ten_stars_basic_then_vanguard_then_mass() -> None:
    assert len(DEFAULT.stars) == 10
    assert [star.group for star in DEFAULT.stars] == [StarGroup.BASIC] * 4 + [
        StarGroup.VANGUARD
    ] * 4 + [StarGroup.MASS] * 2


def test_every_default_star_has_criteria_text_for_raters() -> None:
    assert all(len(star.criteria) >= 10 for star in DEFAULT.stars)


def test_organisational_stars_are_marked_by_majority_by_default() -> None:
    assert DEFAULT.marking.mode is MarkingMode.MAJORITY


def test_points_mode_awards_at_a_mean_of_80_by_default() -> None:
    assert DEFAULT.marking.points_threshold == Decimal("80")


def test_recognition_star_needs_80_percent_by_default() -> None:
    assert DEFAULT.mass.recognition_threshold == Decimal("80")
    assert DEFAULT.mass.threshold(MassMeasure.RECOGNITION) == Decimal("80")


def test_satisfaction_star_needs_60_percent_by_default() -> None:
    assert DEFAULT.mass.satisfaction_threshold == Decimal("60")
    assert DEFAULT.mass.threshold(MassMeasure.SATISFACTION) == Decimal("60")


def test_mass_stars_need_five_valid_marks_by_default() -> None:
    assert DEFAULT.mass.minimum_sample == 5


def test_excellence_needs_all_four_basic_stars_and_eight_in_total() -> None:
    assert DEFAULT.grades.basic_for_excellent == 4
    assert DEFAULT.grades.total_for_excellent == 8


def test_qualified_needs_all_four_basic_stars_and_basically_qualified_three() -> None:
    assert DEFAULT.grades.basic_for_pass == 4
    assert DEFAULT.grades.basic_for_basic_pass == 3


def test_excellence_quota_is_one_third_of_graded_members() -> None:
    assert DEFAULT.grades.excellent_quota == Fraction(1, 3)


def test_default_veto_reasons_are_the_five_of_the_design() -> None:
    assert DEFAULT.veto_reasons == (
        "受党纪处分",
        "违法犯罪",
        "参与邪教或封建迷信活动",
        "无正当理由连续6个月不参加组织生活",
        "不按规定交纳党费",
    )
    assert DEFAULT.veto_reasons == DEFAULT_VETO_REASONS


def test_results_are_publicised_for_five_days() -> None:
    assert DEFAULT.publicity_days == 5


def test_default_scheme_has_no_problems() -> None:
    assert scheme_problems(DEFAULT) == []
    assert validate_scheme(DEFAULT) is DEFAULT


def test_a_scheme_cannot_be_changed_in_place() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.publicity_days = 7  # type: ignore[misc]


def test_looking_up_a_star_by_code() -> None:
    assert DEFAULT.star("organisation").name == "组织观念星"
    with pytest.raises(KeyError):
        DEFAULT.star("nonexistent")


def test_the_alternative_scheme_has_no_problems() -> None:
    assert scheme_problems(alternative_scheme()) == []


# --- what the township's scheme editor refuses ----------------------------------------------------


@pytest.mark.parametrize("value", ["100.1", "-0.1", "NaN", "Infinity"])
def test_recognition_threshold_outside_0_to_100_is_refused(value: str) -> None:
    scheme = dataclasses.replace(DEFAULT, mass=MassStarRule(recognition_threshold=Decimal(value)))
    assert any("认可率标准须在 0–100%" in problem for problem in scheme_problems(scheme))


def test_satisfaction_threshold_above_100_is_refused() -> None:
    scheme = dataclasses.replace(DEFAULT, mass=MassStarRule(satisfaction_threshold=Decimal(120)))
    assert scheme_problems(scheme) == ["群众满意星的满意率标准须在 0–100% 之间，现为 120%"]


@pytest.mark.parametrize("value", ["0", "100"])
def test_thresholds_at_0_and_100_are_allowed(value: str) -> None:
    scheme = dataclasses.replace(
        DEFAULT,
        mass=MassStarRule(Decimal(value), Decimal(value)),
        marking=MarkingRule(MarkingMode.POINTS, Decimal(value)),
    )
    assert scheme_problems(scheme) == []


def test_points_threshold_above_100_is_refused() -> None:
    scheme = dataclasses.replace(DEFAULT, marking=MarkingRule(MarkingMode.POINTS, Decimal(101)))
    assert scheme_problems(scheme) == ["评分制授星分数线须在 0–100 分 之间，现为 101 分"]


@pytest.mark.parametrize("quota", [Fraction(4, 3), Fraction(-1, 3)])
def test_excellence_quota_outside_0_to_1_is_refused(quota: Fraction) -> None:
    scheme = dataclasses.replace(DEFAULT, grades=GradeRule(excellent_quota=quota))
    assert scheme_problems(scheme) == [f"优秀名额比例须在 0–1 之间，现为 {quota}"]


def test_minimum_sample_below_one_is_refused() -> None:
    scheme = dataclasses.replace(DEFAULT, mass=MassStarRule(minimum_sample=0))
    assert scheme_problems(scheme) == ["群众星最低有效票数不能少于 1 票，现为 0 票"]


def test_duplicate_star_codes_are_refused() -> None:
    problems = scheme_problems(replaced_star(1, code="ideals"))
    assert problems == ["星的代码“ideals”重复"]


def test_duplicate_star_names_are_refused() -> None:
    assert scheme_problems(replaced_star(5, name="履职尽责星")) == ["星的名称“履职尽责星”重复"]


def test_a_ten_star_scheme_needs_ten_stars() -> None:
    eleven = [*DEFAULT.stars, Star("extra", "额外星", StarGroup.VANGUARD, "额外的评定标准。")]
    assert scheme_problems(with_stars(eleven)) == ["十星评定须设 10 颗星，现有 11 颗"]


def test_removing_a_basic_star_makes_the_grade_rules_inconsistent() -> None:
    problems = scheme_problems(with_stars(list(DEFAULT.stars[1:])))
    assert problems[0] == "十星评定须设 10 颗星，现有 9 颗"
    assert any("合格所需须不多于基础星总数（3 颗）" in problem for problem in problems)
    assert any("优秀所需基础星（4 颗）" in problem for problem in problems)


def test_two_mass_stars_on_the_same_rate_are_refused() -> None:
    problems = scheme_problems(replaced_star(9, measure=MassMeasure.RECOGNITION))
    assert problems == ["群众星须有两颗：一颗按认可率评定，一颗按满意率评定"]


def test_a_mass_star_without_a_rate_is_refused() -> None:
    problems = scheme_problems(replaced_star(8, measure=None))
    assert problems[0] == "群众认可星是群众星，须指明按认可率还是满意率评定"


def test_an_organisational_star_decided_by_the_ballot_is_refused() -> None:
    problems = scheme_problems(replaced_star(0, measure=MassMeasure.SATISFACTION))
    assert problems[0] == "理想信念星是基础星，不能按群众测评评定"


@pytest.mark.parametrize("code", ["", "Ideals", "理想", "1st", "with space"])
def test_star_codes_are_lowercase_identifiers(code: str) -> None:
    problems = scheme_problems(replaced_star(0, code=code))
    assert problems == [f"理想信念星的代码“{code}”只能由小写英文字母、数字和下划线组成"]


def test_a_star_without_name_or_criteria_is_refused() -> None:
    problems = scheme_problems(replaced_star(2, name=" ", criteria=""))
    assert problems == ["第 3 颗星缺少名称", "第 3 颗星缺少评定标准"]


def test_excellence_cannot_need_more_basic_stars_than_there_are() -> None:
    scheme = dataclasses.replace(DEFAULT, grades=GradeRule(basic_for_excellent=5))
    assert scheme_problems(scheme) == [
        "优秀所需基础星（5 颗）须在合格所需（4 颗）与基础星总数（4 颗）之间"
    ]


def test_excellence_cannot_need_more_stars_than_the_scheme_has() -> None:
    scheme = dataclasses.replace(DEFAULT, grades=GradeRule(total_for_excellent=11))
    assert scheme_problems(scheme) == [
        "优秀所需总星数（11 颗）须在优秀所需基础星（4 颗）与星的总数（10 颗）之间"
    ]


def test_basic_pass_cannot_need_more_basic_stars_than_pass() -> None:
    scheme = dataclasses.replace(
        DEFAULT, grades=GradeRule(basic_for_pass=3, basic_for_basic_pass=4)
    )
    assert len(scheme_problems(scheme)) == 1
    assert scheme_problems(scheme)[0].startswith("基本合格所需基础星（4 颗）须不多于合格所需")


def test_excellence_cannot_need_fewer_basic_stars_than_pass() -> None:
    scheme = dataclasses.replace(DEFAULT, grades=GradeRule(basic_for_excellent=3))
    assert scheme_problems(scheme)[0].startswith("优秀所需基础星（3 颗）须在合格所需（4 颗）")


@pytest.mark.parametrize("days", [0, 31])
def test_publicity_period_outside_1_to_30_days_is_refused(days: int) -> None:
    scheme = dataclasses.replace(DEFAULT, publicity_days=days)
    assert scheme_problems(scheme) == [f"公示期须在 1–30 天之间，现为 {days} 天"]


def test_objections_are_answered_within_10_days_by_default() -> None:
    assert DEFAULT.answer_days == 10
    assert scheme_to_dict(DEFAULT)["answer_days"] == 10


@pytest.mark.parametrize("days", [1, 30])
def test_an_answer_deadline_of_1_to_30_days_is_allowed(days: int) -> None:
    assert scheme_problems(dataclasses.replace(DEFAULT, answer_days=days)) == []


@pytest.mark.parametrize("days", [0, 31, -5])
def test_an_answer_deadline_outside_1_to_30_days_is_refused(days: int) -> None:
    scheme = dataclasses.replace(DEFAULT, answer_days=days)
    assert scheme_problems(scheme) == [f"异议答复期限须在 1–30 天之间，现为 {days} 天"]


def test_veto_reasons_must_be_listed_distinct_and_not_blank() -> None:
    assert scheme_problems(dataclasses.replace(DEFAULT, veto_reasons=())) == [
        "至少须列出一种一票否决情形"
    ]
    repeated = dataclasses.replace(DEFAULT, veto_reasons=("违法犯罪", " ", "违法犯罪"))
    assert scheme_problems(repeated) == ["一票否决情形不能为空白", "一票否决情形“违法犯罪”重复"]


def test_validate_scheme_lists_every_problem_in_the_exception() -> None:
    scheme = dataclasses.replace(DEFAULT, publicity_days=0, mass=MassStarRule(minimum_sample=0))
    with pytest.raises(SchemeInvalid) as refused:
        validate_scheme(scheme)
    assert refused.value.problems == [
        "群众星最低有效票数不能少于 1 票，现为 0 票",
        "公示期须在 1–30 天之间，现为 0 天",
    ]


# --- stored as JSON per year ----------------------------------------------------------------------


def test_default_scheme_survives_a_round_trip_through_json() -> None:
    stored = json.dumps(scheme_to_dict(DEFAULT), ensure_ascii=False)
    assert scheme_from_dict(json.loads(stored)) == DEFAULT


def test_alternative_scheme_survives_a_round_trip_through_json() -> None:
    scheme = alternative_scheme()
    assert scheme_from_dict(json.loads(json.dumps(scheme_to_dict(scheme)))) == scheme


def test_stored_scheme_writes_decimals_and_the_quota_as_strings() -> None:
    data = scheme_to_dict(alternative_scheme())
    assert data["marking"] == {"mode": "points", "points_threshold": "75"}
    assert data["mass"] == {
        "recognition_threshold": "70",
        "satisfaction_threshold": "50.5",
        "minimum_sample": 10,
    }
    assert data["grades"]["excellent_quota"] == "1/4"
    assert data["stars"][8]["measure"] == "recognition"
    assert data["stars"][0]["measure"] is None


def test_a_stored_threshold_written_as_a_float_is_refused() -> None:
    data = scheme_to_dict(DEFAULT)
    data["mass"]["recognition_threshold"] = 80.0
    with pytest.raises(SchemeInvalid, match="方案数据格式有误"):
        scheme_from_dict(data)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("marking", "mode", "lottery"),
        ("grades", "excellent_quota", "one third"),
        ("grades", "excellent_quota", "1/0"),
        ("mass", "minimum_sample", True),
        ("mass", "minimum_sample", "5"),
    ],
)
def test_malformed_stored_values_are_refused(section: str, key: str, value: object) -> None:
    data = scheme_to_dict(DEFAULT)
    data[section][key] = value
    with pytest.raises(SchemeInvalid, match="方案数据格式有误"):
        scheme_from_dict(data)


def test_a_stored_scheme_missing_a_rule_is_refused() -> None:
    data = scheme_to_dict(DEFAULT)
    del data["publicity_days"]
    with pytest.raises(SchemeInvalid, match="方案数据格式有误"):
        scheme_from_dict(data)


def test_a_scheme_stored_before_answer_deadlines_existed_reads_10_days() -> None:
    data = scheme_to_dict(alternative_scheme())
    del data["answer_days"]
    assert scheme_from_dict(data) == dataclasses.replace(alternative_scheme(), answer_days=10)


@pytest.mark.parametrize("value", ["10", True, 10.0, None])
def test_a_stored_answer_deadline_that_is_no_whole_number_is_refused(value: object) -> None:
    data = {**scheme_to_dict(DEFAULT), "answer_days": value}
    with pytest.raises(SchemeInvalid, match="方案数据格式有误"):
        scheme_from_dict(data)


def test_a_stored_answer_deadline_out_of_range_is_refused_with_its_problem() -> None:
    with pytest.raises(SchemeInvalid) as refused:
        scheme_from_dict({**scheme_to_dict(DEFAULT), "answer_days": 0})
    assert refused.value.problems == ["异议答复期限须在 1–30 天之间，现为 0 天"]


def test_a_stored_scheme_of_an_unknown_format_is_refused() -> None:
    with pytest.raises(SchemeInvalid):
        scheme_from_dict({**scheme_to_dict(DEFAULT), "format": 2})


def test_a_stored_scheme_out_of_range_is_refused_with_its_problems() -> None:
    data = scheme_to_dict(DEFAULT)
    data["mass"]["satisfaction_threshold"] = "160"
    with pytest.raises(SchemeInvalid) as refused:
        scheme_from_dict(data)
    assert refused.value.problems == ["群众满意星的满意率标准须在 0–100% 之间，现为 160%"]


def test_a_veto_reason_longer_than_a_hundred_characters_is_refused():
    scheme = dataclasses.replace(default_tenstar_scheme(), veto_reasons=("受党纪处分", "长" * 101))
    assert "每种一票否决情形不能超过 100 字" in scheme_problems(scheme)
    assert scheme_problems(dataclasses.replace(scheme, veto_reasons=("长" * 100,))) == []
