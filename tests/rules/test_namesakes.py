"""Namesakes on one list: the name alone when unique, else the name and a detail safe to publish."""

from starrating.rules.namesakes import Label, Listed, labelled, labels, repeated_names


def row(name: str, person: int, *, group: str | None = None, born: int | None = None) -> Listed:
    return Listed(name=name, person=person, number=person, group=group, birth_year=born)


def test_a_name_nobody_else_on_the_list_bears_shows_alone():
    assert labels([row("王德胜", 1, group="一组", born=1984), row("谷学军", 2)]) == (
        "王德胜",
        "谷学军",
    )


def test_namesakes_in_different_groups_show_their_groups():
    shown = labels([row("孙学军", 1, group="三组", born=1984), row("孙学军", 2, group="五组")])
    assert shown == ("孙学军（三组）", "孙学军（五组）")


def test_a_namesake_without_a_group_makes_both_show_their_birth_year():
    # "三组" beside one would not tell the other apart: he may live in 三组 too
    shown = labels(
        [row("孙学军", 1, group="三组", born=1984), row("孙学军", 2, group=None, born=1949)]
    )
    assert shown == ("孙学军（1984年生）", "孙学军（1949年生）")


def test_namesakes_in_one_group_show_their_birth_year():
    shown = labels(
        [row("孙学军", 1, group="三组", born=1984), row("孙学军", 2, group="三组", born=1949)]
    )
    assert shown == ("孙学军（1984年生）", "孙学军（1949年生）")


def test_three_namesakes_sharing_a_group_and_a_year_pairwise_show_both():
    shown = labels(
        [
            row("张伟", 1, group="三组", born=1968),
            row("张伟", 2, group="三组", born=1975),
            row("张伟", 3, group="五组", born=1968),
        ]
    )
    assert shown == ("张伟（三组，1968年生）", "张伟（三组，1975年生）", "张伟（五组，1968年生）")


def test_namesakes_born_the_same_year_without_groups_show_their_number_on_the_list():
    shown = labels([row("张伟", 4, born=1968), row("李秀英", 5), row("张伟", 9, born=1968)])
    assert shown == ("张伟（序号 4）", "李秀英", "张伟（序号 9）")


def test_one_person_twice_on_a_list_is_not_their_own_namesake():
    # 孙学军 is on the ballot as a member and again as a cadre
    member = Listed("孙学军", person="m7", number=3, group="三组", birth_year=1984)
    as_cadre = Listed("孙学军", person="m7", number=60, group="三组", birth_year=1984)
    assert labels([member, as_cadre]) == ("孙学军", "孙学军")


def test_one_person_twice_beside_a_namesake_shows_the_same_detail_both_times():
    member = Listed("孙学军", person="m7", number=3, group="三组", birth_year=1984)
    other = Listed("孙学军", person="m9", number=17, group="五组", birth_year=1949)
    as_cadre = Listed("孙学军", person="m7", number=60, group="三组", birth_year=1984)
    assert labels([member, other, as_cadre]) == (
        "孙学军（三组）",
        "孙学军（五组）",
        "孙学军（三组）",
    )


def test_a_name_typed_with_a_trailing_space_is_the_same_name():
    shown = labels([row("孙学军", 1, born=1984), row("孙学军 ", 2, born=1949)])
    assert shown == ("孙学军（1984年生）", "孙学军（1949年生）")
    assert repeated_names(["孙学军", "孙学军 ", "王德胜"]) == {"孙学军"}


def test_a_label_never_shows_more_than_group_year_or_number():
    # the rule gets no phone, ID number or birth date to show: only these three facts exist
    assert set(Listed.__dataclass_fields__) == {"name", "person", "number", "group", "birth_year"}


def test_a_label_keeps_the_name_and_the_detail_apart_for_the_page_to_set():
    shown = labelled([row("张伟", 1, group="三组"), row("张伟", 2, group="五组"), row("李秀英", 3)])
    assert shown == (Label("张伟", "三组"), Label("张伟", "五组"), Label("李秀英"))
