"""The 监委会 page's form: which supervisor account joins, and whether as its chair. The
choices are filled in by the view."""

from wtforms import BooleanField, SelectField

from starrating.forms import required
from starrating.forms.base import ChineseForm


class SupervisorForm(ChineseForm):
    user_id = SelectField("监委会成员账号", choices=[], validators=[required()])
    chair = BooleanField("担任主任")
