from datetime import date
from decimal import Decimal

import pytest

from starrating.rules.values import DATE_RANGE_MESSAGE, Figure, Whole, date_problem, typed

PERCENT = Figure(Decimal(0), Decimal(100), places=1)
YUAN = Figure(Decimal(0), Decimal(10_000_000), places=2, unit="元", example="24000")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("80", "80"),
        ("80.5", "80.5"),
        (" ８０．５ ", "80.5"),
        ("80%", "80"),
        ("０", "0"),
        (".5", "0.5"),
    ],
)
def test_a_percentage_typed_any_way_reads(text, value):
    assert PERCENT.read(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写数字"),
        ("   ", "请填写数字"),
        ("元", "请填写数字"),
        ("Infinity", "请填写数字"),
        ("NaN", "请填写数字"),
        ("1e308", "请填写数字"),
        ("9" * 40, "请填写数字"),
        ("100.1", "须在 0–100 之间"),
        ("-1", "须在 0–100 之间"),
        ("80.25", "最多保留 1 位小数"),
        ("八十", "请填写数字"),
    ],
)
def test_nonsense_is_refused_in_chinese(text, message):
    with pytest.raises(ValueError, match=message):
        PERCENT.read(text)


def test_an_amount_in_yuan_reads_with_its_unit_and_separators():
    assert YUAN.read("24,000元") == Decimal(24000)
    assert YUAN.read("２４０００．５０ 元") == Decimal("24000.50")
    with pytest.raises(ValueError, match="请填写数字，如 24000"):
        YUAN.read("元")


def test_a_whole_number_has_its_range():
    days = Whole(1, 30)
    assert days.read("５") == 5
    for text in ("0", "31", "1" + "0" * 24, "5.5", "", "1e3"):
        with pytest.raises(ValueError):
            days.read(text)


def test_dates_lie_between_1900_and_2100():
    assert date_problem(date(1, 1, 1)) == DATE_RANGE_MESSAGE
    assert date_problem(date(9999, 12, 31)) == DATE_RANGE_MESSAGE
    assert date_problem(date(1900, 1, 1)) is None and date_problem(date(2100, 12, 31)) is None


def test_typed_text_loses_its_full_width_forms():
    assert typed("　ＡＢＣ－１２３　") == "ABC-123"


def test_a_phone_is_its_digits_however_typed():
    from starrating.rules.values import phone_digits

    assert phone_digits("138 0001 2345") == "13800012345"
    assert phone_digits("１３８－０００１－２３４５") == "13800012345"
    assert phone_digits("0571-88881234") == "057188881234"
    assert phone_digits("\u3000\u3000") is None and phone_digits("") is None
    assert phone_digits("+86 138 0001 2345") == phone_digits("0086-13800012345") == "13800012345"
    for wrong in ("12345", "call me", "1234567890123", "+1 555 0100"):
        with pytest.raises(ValueError, match="电话号码不对"):
            phone_digits(wrong)
