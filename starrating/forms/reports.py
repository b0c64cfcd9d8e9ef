"""The quarterly report form (每季度汇报): progress %, what was done, the next step, and the
version of the report the form showed."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from starrating.forms import required
from starrating.forms.cadres import ShownVersionField

TEXT_LENGTH = 1000
PROGRESS_STEP = Decimal("0.1")
PROGRESS_MESSAGE = "请填写 0–100 之间的数字"


def _finite(form: FlaskForm, field: Field) -> None:
    # Decimal("NaN") and Decimal("Infinity") parse, but are no progress
    if field.data is not None and not field.data.is_finite():
        raise ValidationError(PROGRESS_MESSAGE)


def _one_decimal_place(form: FlaskForm, field: Field) -> None:
    if field.data is not None and field.data != field.data.quantize(PROGRESS_STEP):
        raise ValidationError("进度最多保留一位小数")


class ReportForm(FlaskForm):
    progress = DecimalField(
        "完成进度（%）",
        places=None,
        invalid_value_message=PROGRESS_MESSAGE,
        validators=[
            InputRequired(message="请填写完成进度（0–100）"),
            _finite,
            NumberRange(min=0, max=100, message="进度须在 0–100%% 之间"),
            _one_decimal_place,
        ],
    )
    done = TextAreaField(
        "本季度做了什么",
        validators=[required(), Length(max=TEXT_LENGTH, message=f"最多 {TEXT_LENGTH} 字")],
    )
    next_step = TextAreaField(
        "下一步打算",
        validators=[required(), Length(max=TEXT_LENGTH, message=f"最多 {TEXT_LENGTH} 字")],
    )
    version = ShownVersionField()
    submit = SubmitField("保存汇报")
