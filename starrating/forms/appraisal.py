"""The cadres' year end: the secretary's verified completion of an item, the township's score."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, Field
from wtforms.validators import InputRequired, NumberRange, ValidationError

from starrating.forms import REQUIRED

STEP = Decimal("0.1")


def _one_decimal_place(form: FlaskForm, field: Field) -> None:
    if field.data is not None and field.data != field.data.quantize(STEP):
        raise ValidationError("最多保留一位小数")


def _finite(form: FlaskForm, field: Field) -> None:
    # Decimal("NaN") and Decimal("Infinity") parse, but are no figure
    if field.data is not None and not field.data.is_finite():
        raise ValidationError("请填写数字")


class CompletionForm(FlaskForm):
    """核定完成 in percent: not negative; above 100 is kept and counted as 100 by the rule."""

    completion = DecimalField(
        "核定完成（%）",
        places=None,
        invalid_value_message="请填写数字，如 80 或 80.5",
        validators=[
            InputRequired(message=REQUIRED),
            _finite,
            NumberRange(min=0, max=1000, message="核定完成须在 0–1000 之间（超过 100 按 100 计）"),
            _one_decimal_place,
        ],
    )


class TownshipScoreForm(FlaskForm):
    """乡镇评价: 0–100, one decimal."""

    score = DecimalField(
        "乡镇评价",
        places=None,
        invalid_value_message="请填写 0–100 之间的数字",
        validators=[
            InputRequired(message=REQUIRED),
            _finite,
            NumberRange(min=0, max=100, message="乡镇评价须在 0–100 之间"),
            _one_decimal_place,
        ],
    )
