"""Forms of the secretary's ballot round pages: shape only. Whether a year is open, how many
codes are left and which serials exist are the services' business."""

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
from starrating.models.types import DATABASE_INT_MAX
from starrating.rules.electorate import Electorate

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


class CodesForm(ChineseForm):
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


class VoidForm(ChineseForm):
    serial = ChineseIntegerField(
        "作废第几号选票",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=DATABASE_INT_MAX, message="请填写选票上的编号"),
        ],
    )
    void_reason = StringField(
        "作废原因（如：遗失、污损、填错）", validators=[required(), Length(max=REASON_LENGTH)]
    )
    layout = RadioField(
        "补发选票的打印样式", choices=LAYOUTS, default=SHEET, validators=[required()]
    )
