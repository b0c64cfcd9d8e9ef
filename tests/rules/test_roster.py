"""What a member's name may be, and one spelling per person (DESIGN.md §9, issue 14)."""

import pytest

from starrating.rules.roster import clean_name, name_problems


@pytest.mark.parametrize("name", ["张三", "欧阳𠀾", "阿依古丽·买买提·艾尔肯", "阿依古丽・买买提"])
def test_names_of_any_cjk_and_a_middle_dot_are_names(name):
    assert name_problems(clean_name(name)) == []


@pytest.mark.parametrize(
    "name", ["😀", "张三😀", "-1", "NaN", "2026-02-30", "张三1", "·张三", "张*三"]
)
def test_digits_symbols_emoji_and_latin_alone_are_no_name(name):
    (problem,) = name_problems(clean_name(name))
    assert problem.field == "姓名" and "不对" in problem.message


def test_one_person_is_one_name_however_it_is_typed():
    assert clean_name(" 张\u3000三 ") == "张三"
    assert clean_name("阿依古丽・买买提") == "阿依古丽·买买提"
    assert clean_name("ＡＢ") == "AB"
    assert clean_name("\uf900") == "\uf900"  # a CJK compatibility ideograph stays as typed
