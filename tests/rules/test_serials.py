"""Sheet numbers typed to void a failed print run: ranges, lists, both; refused when unreadable."""

import pytest

from starrating.rules.serials import MAX_SERIALS, BadSerials, describe_serials, parse_serials


@pytest.mark.parametrize(
    ("typed", "serials"),
    [
        ("12-20", list(range(12, 21))),
        ("3, 7, 9", [3, 7, 9]),
        ("3，7、9", [3, 7, 9]),
        ("９, 3 7", [3, 7, 9]),
        ("3, 7, 12 - 14", [3, 7, 12, 13, 14]),
        ("12－14", [12, 13, 14]),
        ("12~14；5", [5, 12, 13, 14]),
        ("12至14", [12, 13, 14]),
        ("5", [5]),
        ("5-5", [5]),
        ("7, 3, 7, 6-8", [3, 6, 7, 8]),
    ],
)
def test_ranges_and_lists_are_read_each_number_once_in_order(typed, serials):
    assert parse_serials(typed) == serials


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "请填写要作废的选票编号"),
        (" ， ", "请填写要作废的选票编号"),
        ("12-", "看不懂「12-」"),
        ("a3", "看不懂「a3」"),
        ("3.5", "看不懂「3.5」"),
        ("1-2-3", "看不懂「1-2-3」"),
        ("20-12", "起止写反了"),
        ("0", "从 1 开始"),
        ("0-3", "从 1 开始"),
        ("1-100000", f"一次最多作废 {MAX_SERIALS} 张"),
        ("1-400, 600-800", f"一次最多作废 {MAX_SERIALS} 张"),
        ("1234567890", "看不懂"),
    ],
)
def test_unreadable_numbers_are_refused_with_the_reason(typed, said):
    with pytest.raises(BadSerials) as refused:
        parse_serials(typed)
    assert said in refused.value.message


def test_numbers_are_described_as_a_person_writes_them():
    assert describe_serials([9, 3, 7]) == "3、7、9"
    assert describe_serials([*range(12, 21), 3]) == "3、12–20"
    assert describe_serials([4, 5]) == "4、5"
