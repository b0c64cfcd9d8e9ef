"""The quarterly report form (每季度汇报): progress %, what was done, the next step, and the
version of the report the form showed."""

from decimal import Decimal

from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from starrating.forms import ShownVersionField, required
from starrating.forms.base import ChineseForm
from starrating.forms.numbers import FigureField
from starrating.rules.values import Figure

TEXT_LENGTH = 1000


class ReportForm(ChineseForm):
    progress = FigureField(
        "完成进度（%）",
        Figure(
            Decimal(0),
            Decimal(100),
            places=1,
            example="80 或 80.5",
            range_message="进度须在 0–100% 之间",
        ),
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
