"""Forms of the secretary's ten-star year pages: shape only. Choices that come from the data
(raters, veto reasons, candidates) are checked by the services, not here; the member to add to
a year is chosen from the list the view offers."""

from typing import Any

from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from starrating.forms import REQUIRED, ChineseDateField, database_id, required, required_date
from starrating.forms.base import ChineseForm

FIRST_YEAR, LAST_YEAR = 2000, 2100
REASON_LENGTH = 200
OPINION_LENGTH = 500


class ChineseIntegerField(IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("请填写数字") from error


class CheckboxesField(SelectMultipleField):
    """Several ids ticked in a list of checkboxes; the service decides which are allowed."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, coerce=database_id, validate_choice=False, **kwargs)


class OpenYearForm(ChineseForm):
    year = ChineseIntegerField(
        "评定年度",
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(
                min=FIRST_YEAR,
                max=LAST_YEAR,
                message=f"年度须在 {FIRST_YEAR}–{LAST_YEAR} 之间",
            ),
        ],
    )
    raters = CheckboxesField("评委")


class RatersForm(ChineseForm):
    raters = CheckboxesField("评委")
    confirmed = HiddenField()  # "1": the secretary has seen which grades this changes


class AddYearMemberForm(ChineseForm):
    member = SelectField(  # the view offers the members not yet in the year
        "党员", coerce=database_id, validators=[InputRequired(message=REQUIRED)]
    )


class ReopenForm(ChineseForm):
    reopen_reason = StringField(
        "重新开放的原因", validators=[required(), Length(max=REASON_LENGTH)]
    )


class CloseMarkingForm(ChineseForm):
    # needed only while some rater has not finished: the service decides
    close_reason = TextAreaField(
        "仍要结束评分的原因", validators=[Optional(), Length(max=REASON_LENGTH)]
    )


class ExcellenceForm(ChineseForm):
    members = CheckboxesField("评为优秀")
    opinion = TextAreaField("支委会意见", validators=[required(), Length(max=OPINION_LENGTH)])
    # no JavaScript: re-show the form with the first candidates of the ranking ticked
    pick_top = SubmitField()


class RemoveForm(ChineseForm):
    removed_reason = StringField(
        "移出原因（如：已转出、去世）", validators=[required(), Length(max=REASON_LENGTH)]
    )


class VetoForm(ChineseForm):
    veto_reason = SelectField("否决情形", validate_choice=False, validators=[required()])
    veto_on = ChineseDateField("事实发生日期", validators=[required_date()])
    veto_note = StringField(
        "说明（如处分文件、判决书）", validators=[Optional(), Length(max=REASON_LENGTH)]
    )
    version = IntegerField(validators=[required()])


class ExemptionForm(ChineseForm):
    meeting_date = ChineseDateField("党员大会通过日期", validators=[required_date()])
    exempt_reason = StringField("免评说明", validators=[Optional(), Length(max=REASON_LENGTH)])
    version = IntegerField(validators=[required()])
