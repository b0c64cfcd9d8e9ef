"""A rater's marking of one member: per organisational star a choice (or points) and a note.

The fields follow the year's frozen scheme, so the form class is built per scheme; the form
checks shape only (达标/不达标/empty, 0–100 in steps of 0.1), the service checks meaning.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import AnyOf, Length, NumberRange, Optional, ValidationError

from starrating.models import StarMark
from starrating.rules.tenstar_scheme import Star

PASS, FAIL = "pass", "fail"
MARK_PREFIX, NOTE_PREFIX = "star_", "note_"
NOTE_LENGTH = 200
POINTS_STEP = Decimal("0.1")
Mark = bool | Decimal | None


def _one_decimal_place(form: FlaskForm, field: Field) -> None:
    if field.data is not None and field.data != field.data.quantize(POINTS_STEP):
        raise ValidationError("分数最多保留一位小数")


def _finite(form: FlaskForm, field: Field) -> None:
    # Decimal("NaN") and Decimal("Infinity") parse, but are no score
    if field.data is not None and not field.data.is_finite():
        raise ValidationError("请填写 0–100 之间的数字")


def _choice_field(star: Star) -> RadioField:
    return RadioField(
        star.name,
        choices=[SelectChoice(PASS, "达标"), SelectChoice(FAIL, "不达标")],
        validate_choice=False,
        validators=[Optional(), AnyOf([PASS, FAIL], message="请选择达标或不达标")],
    )


def _points_field(star: Star) -> DecimalField:
    return DecimalField(
        star.name,
        places=None,
        invalid_value_message="请填写 0–100 之间的数字",
        validators=[
            Optional(),
            _finite,
            NumberRange(min=0, max=100, message="分数须在 0–100 之间"),
            _one_decimal_place,
        ],
    )


class MarkForm(FlaskForm):
    """The buttons and the checks every marking form shares; fields come from mark_form_class."""

    # the first submit button is the one Enter presses, so "save and next" comes first
    save_next = SubmitField("保存并评下一位")
    save = SubmitField("保存")

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

    def note_field(self, code: str) -> Field:
        return self[NOTE_PREFIX + code]

    def marks(self) -> dict[str, Mark]:
        """star code → True/False (达标/不达标), points, or None for no mark."""
        return {code: self._mark(self.mark_field(code).data) for code in self.star_codes}

    def notes(self) -> dict[str, str]:
        return {code: (self.note_field(code).data or "").strip() for code in self.star_codes}

    def _mark(self, value: Any) -> Mark:
        if self.points_mode:
            return value
        return {PASS: True, FAIL: False}.get(value)


def mark_form_class(stars: Sequence[Star], *, points_mode: bool) -> type[MarkForm]:
    """A MarkForm with one mark field and one note field per star, in the scheme's order."""
    fields: dict[str, Any] = {"star_codes": tuple(star.code for star in stars)}
    fields["points_mode"] = points_mode
    for star in stars:
        fields[MARK_PREFIX + star.code] = (_points_field if points_mode else _choice_field)(star)
        fields[NOTE_PREFIX + star.code] = StringField(
            "备注",
            validators=[
                Optional(),
                Length(max=NOTE_LENGTH, message=f"备注最多 {NOTE_LENGTH} 字"),
            ],
        )
    return type("SchemeMarkForm", (MarkForm,), fields)


def stored_marks_data(marks: Mapping[str, StarMark]) -> dict[str, Any]:
    """A rater's earlier marks as the form's initial data, so the page shows their own choices."""
    data: dict[str, Any] = {}
    for code, mark in marks.items():
        if mark.points is not None:
            data[MARK_PREFIX + code] = mark.points
        elif mark.passed is not None:
            data[MARK_PREFIX + code] = PASS if mark.passed else FAIL
        data[NOTE_PREFIX + code] = mark.note or ""
    return data
