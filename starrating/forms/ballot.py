"""The villager's ballot forms: typing a code, and the marks of one ballot (shape only).

Both carry their own CSRF check with a long time limit: a ballot page opened at the start of a
long villagers' assembly must still submit hours later (DESIGN.md §11, "CSRF").
"""

from collections.abc import Mapping

from flask import current_app
from flask_wtf.csrf import validate_csrf
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from starrating.forms.base import ChineseForm
from starrating.rules.ballots import Choice

BALLOT_CSRF_SECONDS = 6 * 3600
MARK_PREFIX = "s-"
CSRF_EXPIRED = (
    "这个页面打开的时间太长，安全校验过期了，刚才没有提交成功。"
    "您的选择还在，请检查一下，再点一次「提交」。"
)


class _LongCsrf:
    csrf_time_limit = BALLOT_CSRF_SECONDS


class CodeForm(ChineseForm):
    class Meta(_LongCsrf):
        pass

    code = StringField(
        "票码",
        validators=[DataRequired(message="请输入选票上的票码"), Length(max=40)],
    )


class BallotForm(ChineseForm):
    """Only the CSRF token: the marks are one radio group per subject, read by read_marks()."""

    class Meta(_LongCsrf):
        pass


def ballot_csrf_valid(formdata: Mapping[str, object]) -> bool:
    """The submitted ballot's CSRF token, checked as BallotForm would (same token, same six
    hours) without building a form: on the cast, a form and its fresh token cost more than
    checking the token itself."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(formdata.get("csrf_token"), time_limit=BALLOT_CSRF_SECONDS)
    except ValidationError:
        return False
    return True


class BadBallot(ValueError):
    """Posted marks that no ballot page could have sent; the message is in Chinese."""


def mark_name(subject_id: int) -> str:
    return f"{MARK_PREFIX}{subject_id}"


_CHOICES = {choice.value: choice for choice in Choice}


def read_marks(formdata: Mapping[str, object]) -> dict[int, Choice]:
    """Subject id → choice for every `s-<id>` field; rows left untouched send nothing (blank),
    and a row cleared with its 「清除」 box sends an empty value (blank too).

    Other fields (the CSRF token, the button) are not marks. A field whose id is not a number, whose
    value is not one of the four boxes, or which comes twice, is refused: nothing is stored.
    (One pass over the fields, choices looked up in a dict: it runs on every cast.)
    """
    lists = getattr(formdata, "lists", None)
    fields = lists() if lists else ((name, [value]) for name, value in formdata.items())
    marks: dict[int, Choice] = {}
    for name, values in fields:
        if not name.startswith(MARK_PREFIX):
            continue
        raw_id = name[len(MARK_PREFIX) :]
        if not raw_id.isdigit() or not raw_id.isascii():
            raise BadBallot("选票内容有误（对象编号不对），没有保存。请重新选择后提交。")
        if len(values) != 1:
            raise BadBallot("选票上同一行选了多个选项，没有保存。请每行只选一项。")
        if values[0] == "":
            continue  # 「清除」: the villager cleared the row back to blank
        choice = _CHOICES.get(values[0]) if isinstance(values[0], str) else None
        if choice is None:
            raise BadBallot("选票内容有误（选项不对），没有保存。请重新选择后提交。")
        marks[int(raw_id)] = choice
    return marks
