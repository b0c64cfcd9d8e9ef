"""Forms of the public board and of the secretary's objections page (shape only: the services
check what an objection or an answer must be, and say so in Chinese)."""

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from starrating.forms import OnceField, choices, required
from starrating.forms.base import ChineseForm
from starrating.models import ObjectionTopic

# A board page may stay open on a phone for hours before the objection is sent.
OBJECTION_CSRF_SECONDS = 6 * 3600
# Generous caps on what is read at all; the services give the real limits and their messages.
TEXT_CAP = 5000


class ObjectionForm(ChineseForm):
    once = OnceField()

    class Meta:
        csrf_time_limit = OBJECTION_CSRF_SECONDS

    topic = SelectField("对哪一项有异议", choices=choices(ObjectionTopic), validators=[required()])
    content = TextAreaField("异议内容（必填）", validators=[Length(max=TEXT_CAP)])
    name = StringField("您的姓名（可不填）", validators=[Length(max=TEXT_CAP)])
    phone = StringField("联系电话（可不填）", validators=[Length(max=TEXT_CAP)])


class AnswerForm(ChineseForm):
    answer = TextAreaField("答复", validators=[Length(max=TEXT_CAP)])
    shown = HiddenField()  # rules/stale.fingerprint of the answer the form showed


class PublishForm(ChineseForm):
    """Publishing the ten-star results, only after the secretary has read what goes public:
    shown is the digest of the rows on the confirmation page, confirmed the tick under them."""

    shown = HiddenField(validators=[DataRequired(message="请先核对将要公示的名单")])
    confirmed = BooleanField(
        "我已核对以上姓名、获星、等次和公示期，同意在公示栏公开",
        validators=[DataRequired(message="请勾选“我已核对”后再公示")],
    )


class BranchContactForm(ChineseForm):
    phone = StringField("联系电话（可不填）", validators=[Length(max=TEXT_CAP)])
