"""A township's villages: those waiting for the reviewer first, then by pinyin."""

from starrating.collation import spelled
from starrating.rules.village_order import VillageToList, township_order

NAMES = ["翁家埠村", "西岙村", "北塘村", "东沙村", "前洋村", "南黄庄村"]


def villages(*names: str, awaiting: tuple[str, ...] = ()) -> list[VillageToList]:
    return [
        VillageToList(i, name, spelled(name), awaiting_review=name in awaiting)
        for i, name in enumerate(names)
    ]


def names_in_order(listed: list[VillageToList]) -> list[str]:
    by_id = {village.id: village.name for village in listed}
    return [by_id[village_id] for village_id in township_order(listed)]


def test_villages_go_by_pinyin_not_by_character_code():
    assert names_in_order(villages(*NAMES)) == [
        "北塘村",  # bei
        "东沙村",  # dong (东 comes first by character code)
        "南黄庄村",  # nan
        "前洋村",  # qian
        "翁家埠村",  # weng
        "西岙村",  # xi
    ]


def test_villages_waiting_for_the_reviewer_come_first_each_part_by_pinyin():
    listed = villages(*NAMES, awaiting=("西岙村", "东沙村"))
    assert names_in_order(listed) == [
        "东沙村",
        "西岙村",
        "北塘村",
        "南黄庄村",
        "前洋村",
        "翁家埠村",
    ]


def test_a_name_goes_syllable_by_syllable_and_letters_before_the_tone():
    # xi1 before xian1 (a shorter syllable first), 长 read chang in 长乐 and 重 chong in 重阳
    assert names_in_order(villages("仙居村", "西湖村", "重阳村", "长乐村")) == [
        "长乐村",
        "重阳村",
        "西湖村",
        "仙居村",
    ]


def test_names_that_read_alike_keep_a_fixed_order():
    assert names_in_order(villages("石桥村", "时桥村")) == names_in_order(
        villages("时桥村", "石桥村")
    )


def test_the_spelling_reads_each_character_with_its_tone():
    assert spelled("西岙村") == ("xi1", "ao4", "cun1")
    assert spelled("A组") == ("a", "zu3")
