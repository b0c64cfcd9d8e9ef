"""The township's review of a village's year: approve (ticking each 优秀 and 不合格 member),
return with an opinion, reopen an approved year with a reason.

Shape only: which members must be ticked, and that an opinion or a reason is there, is the
services' business (their messages say what to write)."""

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from starrating.forms.assessment import CheckboxesField
from starrating.forms.base import ChineseForm
from starrating.rules.assessment_state import OPINION_LENGTH

TOO_LONG = f"不能超过 {OPINION_LENGTH} 字"


class ApproveForm(ChineseForm):
    members = CheckboxesField("确认评为优秀、不合格的党员")
    opinion = TextAreaField(
        "审核意见（可不填）", validators=[Optional(), Length(max=OPINION_LENGTH, message=TOO_LONG)]
    )


class ReturnForm(ChineseForm):
    opinion = TextAreaField("退回意见", validators=[Length(max=OPINION_LENGTH, message=TOO_LONG)])


class ReopenYearForm(ChineseForm):
    reason = TextAreaField(
        "重新打开的原因", validators=[Length(max=OPINION_LENGTH, message=TOO_LONG)]
    )
