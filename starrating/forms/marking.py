"""A rater's marking of one member: per organisational star a choice (or points) and a note.

The fields follow the year's frozen scheme, so the form class is built per scheme; the form
checks shape only (达标/不达标/弃权/empty, 0–100 in steps of 0.1 or 弃权), the service checks
meaning.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from starrating.forms.base import ChineseForm
from starrating.forms.numbers import FigureField
from starrating.models import StarMark
from starrating.rules.tenstar_awards import ABSTAIN, Abstention
from starrating.rules.tenstar_scheme import Star
from starrating.rules.values import Figure

PASS, FAIL, ABSTAINED = "pass", "fail", "abstain"
MARK_PREFIX, NOTE_PREFIX, ABSTAIN_PREFIX = "star_", "note_", "abstain_"
NOTE_LENGTH = 200
Mark = bool | Decimal | Abstention | None


def _choice_field(star: Star) -> RadioField:
    return RadioField(
        star.name,
        choices=[
            SelectChoice(PASS, "达标"),
            SelectChoice(FAIL, "不达标"),
            SelectChoice(ABSTAINED, "弃权"),
        ],
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([PASS, FAIL, ABSTAINED], message="请选择达标、不达标或弃权"),
        ],
    )


# A score as every figure of the app is read (rules/values.py): 1e308 or 80.25 is refused in
# Chinese, never left to an arithmetic error.
POINTS = Figure(Decimal(0), Decimal(100), places=1, range_message="分数须在 0–100 之间")


def _points_field(star: Star) -> FigureField:
    return FigureField(star.name, POINTS, required=False)


class MarkForm(ChineseForm):
    """The buttons and the checks every marking form shares; fields come from mark_form_class."""

    # the first submit button is the one Enter presses, so "save and next" comes first
    save_next = SubmitField("保存并评下一位")
    save = SubmitField("保存")
    # a half-marked member: save and move on all the same (the stars left wait for later)
    save_skip = SubmitField("保存，先评下一位")
    shown = HiddenField()  # rules/stale.fingerprint of this rater's marks the page showed

    star_codes: tuple[str, ...] = ()
    points_mode = False

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)
        self.posted_keys = frozenset(formdata.keys()) if formdata else frozenset()
        super().process(formdata, obj, data=data, **kwargs)

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        known = {MARK_PREFIX + code for code in self.star_codes}
        unknown = sorted(
            key.removeprefix(MARK_PREFIX)
            for key in self.posted_keys
            if key.startswith(MARK_PREFIX) and key not in known
        )
        if unknown:
            self.form_errors.append(
                f"表单里有本年度方案没有的星（{'、'.join(unknown)}），请刷新页面后重新评分"
            )
            return False
        return valid

    def mark_field(self, code: str) -> Field:
        return self[MARK_PREFIX + code]

    def abstain_field(self, code: str) -> Field | None:
        """Points mode's 弃权 box beside the score (majority mode has 弃权 among the choices)."""
        field: Field | None = getattr(self, ABSTAIN_PREFIX + code, None)
        return field

    def note_field(self, code: str) -> Field:
        return self[NOTE_PREFIX + code]

    def marks(self) -> dict[str, Mark]:
        """star code → True/False (达标/不达标), points, ABSTAIN (弃权), or None for no mark."""
        return {code: self._mark(code) for code in self.star_codes}

    def notes(self) -> dict[str, str]:
        return {code: (self.note_field(code).data or "").strip() for code in self.star_codes}

    def _mark(self, code: str) -> Mark:
        value = self.mark_field(code).data
        if self.points_mode:
            box = self.abstain_field(code)
            return ABSTAIN if box is not None and box.data else value
        return {PASS: True, FAIL: False, ABSTAINED: ABSTAIN}.get(value)


def _no_score_too(form: FlaskForm, field: Field) -> None:
    code = field.name.removeprefix(ABSTAIN_PREFIX)
    if field.data and form[MARK_PREFIX + code].data is not None:
        raise ValidationError("已选弃权就不要再填分数（要评分请取消弃权）")


def mark_form_class(stars: Sequence[Star], *, points_mode: bool) -> type[MarkForm]:
    """A MarkForm with one mark field and one note field per star, in the scheme's order."""
    fields: dict[str, Any] = {"star_codes": tuple(star.code for star in stars)}
    fields["points_mode"] = points_mode
    for star in stars:
        fields[MARK_PREFIX + star.code] = (_points_field if points_mode else _choice_field)(star)
        if points_mode:
            fields[ABSTAIN_PREFIX + star.code] = BooleanField("弃权", validators=[_no_score_too])
        fields[NOTE_PREFIX + star.code] = StringField(
            "备注",
            validators=[
                Optional(),
                Length(max=NOTE_LENGTH, message=f"备注最多 {NOTE_LENGTH} 字"),
            ],
        )
    return type("SchemeMarkForm", (MarkForm,), fields)


def stored_marks_data(marks: Mapping[str, StarMark], *, points_mode: bool) -> dict[str, Any]:
    """A rater's earlier marks as the form's initial data, so the page shows their own choices."""
    data: dict[str, Any] = {}
    for code, mark in marks.items():
        if mark.abstained:
            data[ABSTAIN_PREFIX + code] = True  # points mode's box
            if not points_mode:
                data[MARK_PREFIX + code] = ABSTAINED
        elif mark.points is not None:
            data[MARK_PREFIX + code] = mark.points
        elif mark.passed is not None:
            data[MARK_PREFIX + code] = PASS if mark.passed else FAIL
        data[NOTE_PREFIX + code] = mark.note or ""
    return data
