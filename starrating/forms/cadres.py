"""Forms for the cadre list and the cadres' pledges: shape only; the choices of linked records
are filled in by the view."""

from decimal import Decimal

from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from starrating.forms import (
    REQUIRED,
    ChineseDateField,
    OnceField,
    ShownVersionField,
    required,
    required_date,
)
from starrating.forms.base import ChineseForm
from starrating.forms.numbers import FigureField
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.pledges import TOTAL_WEIGHT
from starrating.rules.roster import MAX_NAME_LENGTH
from starrating.rules.values import Figure
from starrating.rules.vocabulary import PostKind
from starrating.services.cadres import MAX_POST_LENGTH, MAX_RELATION_LENGTH
from starrating.services.pledges import MAX_REASON_LENGTH

NOT_LINKED = ""
# An amount in 元 as typed (24,000元 and ２４０００ read); the pay rule says 精确到分 itself.
YUAN = Figure(Decimal(0), Decimal(10_000_000), places=6, unit="元", example="24000 或 24000.50")


class WeightField(IntegerField):
    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"权重须为 1–{TOTAL_WEIGHT} 的整数") from error


class OptionalSelectField(SelectField):
    """A select whose blank choice means "none"; an id not offered is refused in Chinese."""

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(label, default=NOT_LINKED, **kwargs)  # type: ignore[arg-type]

    def process_data(self, value: object) -> None:
        self.data = NOT_LINKED if value is None else str(value)  # an id, or a StrEnum's value

    def pre_validate(self, form: object) -> None:
        if self.data not in {str(choice.value) for choice in self.choices or []}:
            raise ValidationError("请从列表中选择")


def grade_choices() -> list[SelectChoice]:
    return [SelectChoice(NOT_LINKED, "（不填）")] + [
        SelectChoice(grade.value, grade.label) for grade in CadreGrade
    ]


class CadreForm(ChineseForm):
    once = OnceField()
    name = StringField("姓名", validators=[required(), Length(max=MAX_NAME_LENGTH)])
    post = StringField("职务", validators=[required(), Length(max=MAX_POST_LENGTH)])
    post_kind = SelectField(
        "职务类别",
        choices=[SelectChoice(NOT_LINKED, "（请选择）")]
        + [SelectChoice(kind.value, kind.label) for kind in PostKind],
        validators=[DataRequired(message="请选择职务类别")],
    )
    member_id = OptionalSelectField("关联党员（可不选）", choices=[])
    user_id = OptionalSelectField("关联登录账号（可不选）", choices=[])
    base_pay = FigureField("基本工资（元）", YUAN)
    performance_pay = FigureField("绩效工资（元）", YUAN, required=False)
    reward_amount = FigureField("奖励金额（元）", YUAN, required=False)
    previous_grade = OptionalSelectField("上年度考核等次（首年填写）", choices=grade_choices())
    version = ShownVersionField()


class RelativeForm(ChineseForm):
    name = StringField("近亲属姓名", validators=[required(), Length(max=MAX_NAME_LENGTH)])
    relation = StringField(
        "关系（可不填）", validators=[Length(max=MAX_RELATION_LENGTH)], default=""
    )
    user_id = OptionalSelectField("其登录账号（可不选）", choices=[])


class CadreUploadForm(ChineseForm):
    file = FileField("村干部名单（.xlsx）", validators=[FileRequired(message="请选择要上传的文件")])


class PledgeItemForm(ChineseForm):
    once = OnceField()
    content = StringField("承诺事项", validators=[required(), Length(max=300)])
    indicator = StringField("衡量指标", validators=[required(), Length(max=200)])
    target = StringField("目标值", validators=[required(), Length(max=100)])
    deadline = ChineseDateField("完成时限", validators=[required_date()])
    weight = WeightField(
        "权重",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=1, max=TOTAL_WEIGHT, message=f"权重须为 1–{TOTAL_WEIGHT} 的整数"),
        ],
    )
    reason = StringField("修改理由（已公开的承诺必填）", validators=[Length(max=MAX_REASON_LENGTH)])
    version = ShownVersionField()
