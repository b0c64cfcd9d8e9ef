"""Forms of the secretary's ballot round pages: shape only. Whether a year is open, how many
codes are left and which serials exist are the services' business."""

from typing import Any

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from starrating.forms import REQUIRED, OnceField, choices, required
from starrating.forms.assessment import FIRST_YEAR, LAST_YEAR, ChineseIntegerField
from starrating.forms.base import ChineseForm
from starrating.rules.electorate import Electorate
from starrating.rules.serials import EXAMPLE as SERIALS_EXAMPLE
from starrating.rules.serials import BadSerials, parse_serials

TITLE_LENGTH = 100
REASON_LENGTH = 200
# one print job: a batch of 500 sheets is already a 500-page print; print more in batches
MAX_BATCH = 500
SHEET, SLIPS = "sheet", "slips"
LAYOUTS = [
    SelectChoice(
        SHEET, "A4 选票：每人一页，含票码、二维码和全部测评对象（可手机投，也可纸上勾选）"
    ),
    SelectChoice(SLIPS, "小票：每页 10 张，只有票码和二维码（只用手机投票时用）"),
]


class ChineseDateTimeField(DateTimeLocalField):
    """A moment as the browser's datetime-local sends it, read as China time by the view."""

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)  # type: ignore[arg-type]

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("请填写日期和时间，如 2026-03-02 09:00") from error


class RoundForm(ChineseForm):
    once = OnceField()
    title = StringField(
        "测评名称（不填则为“某年度民主测评”）", validators=[Optional(), Length(max=TITLE_LENGTH)]
    )
    year = ChineseIntegerField(
        "年度",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(
                min=FIRST_YEAR, max=LAST_YEAR, message=f"年度须在 {FIRST_YEAR}–{LAST_YEAR} 之间"
            ),
        ],
    )
    members = BooleanField("党员（本年度十星评定名单上的党员）")
    cadres = BooleanField("村干部")
    electorate = SelectField("参加人员", choices=choices(Electorate), validators=[required()])
    eligible = ChineseIntegerField(
        "应参加人数",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, message="应参加人数应至少为 1"),
        ],
    )
    starts_at = ChineseDateTimeField("计划开始时间（可不填）", validators=[Optional()])
    ends_at = ChineseDateTimeField("计划结束时间（可不填）", validators=[Optional()])


class SerialsField(StringField):
    """Sheet numbers as typed ("12-20", "3, 7, 9"): data is the list of numbers."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.typed = valuelist[0] if valuelist else ""
        self.data = []
        if valuelist:
            try:
                self.data = parse_serials(valuelist[0])
            except BadSerials as bad:
                raise ValueError(bad.message) from bad

    def _value(self) -> str:
        return getattr(self, "typed", "")


class AddressConfirmation:
    """The secretary's confirmation that the printed address may not open on a phone (a
    loopback or bare LAN address, rules/public_address.py): the view asks for it."""

    address_confirmed = BooleanField("我已知道手机扫码可能打不开，仍然生成")


class CodesForm(AddressConfirmation, ChineseForm):
    count = ChineseIntegerField(
        "生成张数",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(
                min=1, max=MAX_BATCH, message=f"每次可生成 1–{MAX_BATCH} 张，人数多时请分批生成打印"
            ),
        ],
    )
    layout = RadioField("打印样式", choices=LAYOUTS, default=SHEET, validators=[required()])
    # the issued count the page showed: a reloaded or double-sent form must not print twice
    issued = IntegerField(validators=[InputRequired()])


class VoidForm(AddressConfirmation, ChineseForm):
    serials = SerialsField(
        "作废哪些编号",
        description="写选票上的编号：一张写 5，连续的写 12-20，几张写 3, 7, 9（可以混写）",
        validators=[InputRequired(message=f"请填写要作废的选票编号，{SERIALS_EXAMPLE}")],
    )
    void_reason = StringField(
        "作废原因（如：遗失、污损、打印失败）", validators=[required(), Length(max=REASON_LENGTH)]
    )
    layout = RadioField(
        "补发选票的打印样式", choices=LAYOUTS, default=SHEET, validators=[required()]
    )
