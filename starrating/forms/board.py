"""Forms of the public board and of the secretary's objections page (shape only: the services
check what an objection or an answer must be, and say so in Chinese)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from starrating.forms import choices, required
from starrating.models import ObjectionTopic

# A board page may stay open on a phone for hours before the objection is sent.
OBJECTION_CSRF_SECONDS = 6 * 3600
# Generous caps on what is read at all; the services give the real limits and their messages.
TEXT_CAP = 5000


class ObjectionForm(FlaskForm):
    class Meta:
        csrf_time_limit = OBJECTION_CSRF_SECONDS

    topic = SelectField("对哪一项有异议", choices=choices(ObjectionTopic), validators=[required()])
    content = TextAreaField("异议内容（必填）", validators=[Length(max=TEXT_CAP)])
    name = StringField("您的姓名（可不填）", validators=[Length(max=TEXT_CAP)])
    phone = StringField("联系电话（可不填）", validators=[Length(max=TEXT_CAP)])


class AnswerForm(FlaskForm):
    answer = TextAreaField("答复", validators=[Length(max=TEXT_CAP)])


class BranchContactForm(FlaskForm):
    phone = StringField("联系电话（可不填）", validators=[Length(max=TEXT_CAP)])
