"""Forms of the tellers' paper ballot pages: the code on the sheet and one digit per subject.

A sheet is keyed as a row of digits, one per subject in ballot order — 1 满意, 2 基本满意,
3 不满意, 4 不了解, 0 空白 — so a 58-subject sheet is 58 key presses. Spaces may group the digits
for checking and are ignored. Reading the digits is shape; whether the code belongs to the round
is the service's business.
"""

from collections.abc import Sequence

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from starrating.forms.base import ChineseForm
from starrating.rules.ballots import Choice

DIGITS = {"1": Choice.SATISFIED, "2": Choice.BASIC, "3": Choice.DISSATISFIED, "4": Choice.UNKNOWN}
BLANK = "0"
KEY = "1 满意　2 基本满意　3 不满意　4 不了解　0 空白"
MAX_SUBJECTS = 400


class BadDigits(ValueError):
    """Digits no sheet could give; the message names the position, in Chinese."""


class PaperForm(ChineseForm):
    code = StringField(
        "票码", validators=[DataRequired(message="请输入选票上的票码"), Length(max=40)]
    )
    digits = StringField(
        "每人一位数字",
        validators=[
            DataRequired(message="请按选票顺序输入每人一位数字"),
            Length(max=MAX_SUBJECTS * 2),
        ],
    )


class CorrectionForm(ChineseForm):
    digits = StringField(
        "更正后的数字",
        validators=[DataRequired(message="请输入核对后的数字"), Length(max=MAX_SUBJECTS * 2)],
    )


class VoidSheetForm(ChineseForm):
    reason = StringField(
        "作废原因",
        validators=[
            DataRequired(message="请填写作废原因（如：纸质选票遗失、字迹无法辨认）"),
            Length(max=200, message="作废原因不能超过 200 字"),
        ],
    )


def read_digits(typed: str, names: Sequence[str]) -> list[Choice | None]:
    """One choice (None: 空白) per subject, in ballot order, from one digit each.

    Exactly as many digits as subjects; a wrong character is refused with its position and the
    subject's name, so the keyer can find the row on the sheet."""
    digits = "".join(typed.split())
    for position, (digit, name) in enumerate(zip(digits, names, strict=False), start=1):
        if digit != BLANK and digit not in DIGITS:
            raise BadDigits(f"第 {position} 位（{name}）是“{digit}”，只能是 0–4：{KEY}")
    if len(digits) != len(names):
        raise BadDigits(
            f"输入了 {len(digits)} 位数字，选票上有 {len(names)} 人，应为 {len(names)} 位"
            f"（每人一位，空白填 0）"
        )
    return [None if digit == BLANK else DIGITS[digit] for digit in digits]


def digits_of(choices: Sequence[Choice | None]) -> str:
    """The digits that key these choices (for showing an entry back)."""
    back = {choice: digit for digit, choice in DIGITS.items()}
    return "".join(BLANK if choice is None else back[choice] for choice in choices)
