"""The base of every form: WTForms' own messages in Chinese (issue 14).

WTForms says "This field is required.", "Not a valid choice." and the like in English unless a
form's Meta gives it translations. Every form of the app derives from ChineseForm (a sub-form
inside a FormField from ChineseSubform), whose translations say each of WTForms' messages the
way the app's own messages say things, falling back to the Chinese translation WTForms ships
for any message not listed here. A form's own messages (validators given a message=) are
untouched. tests/test_form_messages.py checks that no form anywhere shows an English message.
"""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.i18n import get_translations

_WRONG_CHOICE = "所选的项目不对，请重新选择"
_OURS = {
    "This field is required.": "此项必填",
    "Not a valid choice.": "请从列表中选择一项",
    "Invalid Choice: could not coerce.": _WRONG_CHOICE,
    "Choices cannot be None.": _WRONG_CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": _WRONG_CHOICE,
    "Invalid input.": "填写的格式不对",
    "Not a valid integer value.": "请填写整数",
    "Not a valid decimal value.": "请填写数字",
    "Not a valid float value.": "请填写数字",
    "Not a valid date value.": "请填写日期，如 1965-03-02",
    "Not a valid datetime value.": "请填写日期和时间，如 2026-03-02 09:00",
    "Not a valid time value.": "请填写时间，如 09:00",
    "Not a valid week value.": "请填写日期，如 2026-03-02",
    "Field must be equal to %(other_name)s.": "两次填写的不一致",
    "Number must be at least %(min)s.": "不能小于 %(min)s",
    "Number must be at most %(max)s.": "不能大于 %(max)s",
    "Number must be between %(min)s and %(max)s.": "须在 %(min)s–%(max)s 之间",
    "Field must be between %(min)d and %(max)d characters long.": "须为 %(min)d–%(max)d 个字",
    "Invalid value, must be one of: %(values)s.": "只能填写：%(values)s",
    "Invalid value, can't be any of: %(values)s.": "不能填写：%(values)s",
    "This field cannot be edited.": "这一项不能修改",
    "This field is disabled and cannot have a value.": "这一项不能修改",
    "Invalid CSRF Token.": "页面已过期，请刷新后重新提交",
    "CSRF token missing.": "页面已过期，请刷新后重新提交",
    "CSRF failed.": "页面已过期，请刷新后重新提交",
    "CSRF token expired.": "页面已过期，请刷新后重新提交",
}
_OURS_PLURAL = {
    "Field cannot be longer than %(max)d character.": "最多 %(max)d 个字",
    "Field must be at least %(min)d character long.": "至少 %(min)d 个字",
    "Field must be exactly %(max)d character long.": "须为 %(max)d 个字",
    "'%(value)s' is not a valid choice for this field.": "「%(value)s」不是可选的项目",
}


class ChineseMessages:
    """The gettext interface WTForms asks its messages of."""

    def __init__(self) -> None:
        self._shipped = get_translations(["zh"])

    def gettext(self, string: str) -> str:
        return _OURS.get(string) or self._shipped.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _OURS_PLURAL.get(singular) or self._shipped.ngettext(singular, plural, n)


MESSAGES = ChineseMessages()


class _ChineseMeta:
    def get_translations(self, form: Any) -> ChineseMessages:
        return MESSAGES


class ChineseForm(FlaskForm):
    """A form of the app (with Flask-WTF's CSRF), its WTForms messages in Chinese."""

    class Meta(_ChineseMeta):
        pass


class ChineseSubform(Form):
    """A form nested in a FormField (no CSRF of its own), its WTForms messages in Chinese."""

    class Meta(_ChineseMeta):
        pass
