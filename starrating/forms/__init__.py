"""WTForms classes: the shape of each form, with Chinese messages. Forms never query."""

import secrets

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from starrating.forms.base import ChineseForm
from starrating.models.types import DATABASE_INT_MAX
from starrating.rules.roster import MAX_GROUP_LENGTH, MAX_NAME_LENGTH
from starrating.rules.values import date_problem, phone_digits, typed
from starrating.rules.vocabulary import (
    VILLAGE_ROLES,
    Gender,
    MemberCategory,
    Membership,
    MemberStatus,
    Role,
)

REQUIRED = "此项必填"
DATE_MESSAGE = "请填写日期，如 1965-03-02"


def database_id(value: object) -> int:
    """A submitted record id as a number (the coerce of id choices). One the database cannot
    hold names no record: it becomes 0, which no record has, so the service refuses it as it
    refuses any id that is not one of its choices."""
    number = int(value)  # type: ignore[call-overload]
    return number if 0 <= number <= DATABASE_INT_MAX else 0


def required() -> DataRequired:
    return DataRequired(message=REQUIRED)


def required_date() -> InputRequired:
    """Unlike DataRequired, keeps the field's own "not a date" message for a typed bad date."""
    return InputRequired(message=REQUIRED)


def choices(enum: type) -> list[SelectChoice]:
    return [SelectChoice(item.value, item.label) for item in enum]


class ChineseDateField(DateField):
    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(label, format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]

    def process_formdata(self, valuelist: list[str]) -> None:
        # a date typed with a Chinese input method: ２０２６－１１－２８
        valuelist = [typed(v) if isinstance(v, str) else v for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(DATE_MESSAGE) from error
        if self.data is not None and (problem := date_problem(self.data)):
            self.data = None
            raise ValueError(problem)


class LoginForm(ChineseForm):
    username = StringField("用户名", validators=[required(), Length(max=40)])
    password = PasswordField("密码", validators=[required(), Length(max=200)])
    remember = BooleanField("在这台设备上保持登录（30 天）")


class ChangePasswordForm(ChineseForm):
    """Shape only: what a new password must be is the service's (password_policy) to say."""

    current = PasswordField(
        "当前密码", validators=[required(), Length(max=200, message="密码最多 200 位")]
    )
    new = PasswordField(
        "新密码", validators=[required(), Length(max=200, message="新密码最多 200 位")]
    )
    confirm = PasswordField(
        "再输一次新密码", validators=[EqualTo("new", message="两次输入的新密码不一致")]
    )


class PhoneField(StringField):
    """An optional telephone number, kept as its digits (１３８ ０００ ００００ and 138-0000-0000
    are the same number); nothing typed, or only spaces (full-width ones too), is None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist:
            self.data = phone_digits(str(valuelist[0]))


class ShownVersionField(HiddenField):
    """The version of the record the form showed, carried back hidden; None when the form showed
    no record yet. A value that is no version a record can have is 0, which no record has: the
    service finds the save stale (were it None, a garbled form would pass for one that showed
    no record)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
        elif text.isdigit() and text.isascii() and int(text) <= DATABASE_INT_MAX:
            self.data = int(text)
        else:
            self.data = 0


class OnceField(HiddenField):
    """A create form's one-time token (services/once.py): new on every fresh form, carried back
    unchanged when the form comes back with a problem to correct."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(default=lambda: secrets.token_urlsafe(18), **kwargs)  # type: ignore[arg-type]


class ConfirmForm(ChineseForm):
    """A button that changes something: only its CSRF token."""


class VillageForm(ChineseForm):
    name = StringField("村名", validators=[required(), Length(max=60)])
    code = StringField(
        "村代码（公示栏网址用，如 wengjiabu）",
        validators=[
            required(),
            Regexp(r"^[a-z][a-z0-9-]{1,39}$", message="只能用小写字母、数字和连字符，以字母开头"),
        ],
    )


class UserForm(ChineseForm):
    display_name = StringField("姓名", validators=[required(), Length(max=40)])
    username = StringField(
        "登录用户名",
        validators=[
            required(),
            Regexp(
                r"^[a-z][a-z0-9_.-]{2,39}$", message="3–40 位小写字母、数字或 _ . -，以字母开头"
            ),
        ],
    )
    role = SelectField(
        "角色",
        choices=[SelectChoice(role.value, role.label) for role in Role if role in VILLAGE_ROLES],
        validators=[required()],
    )


class MemberForm(ChineseForm):
    name = StringField("姓名", validators=[required(), Length(max=MAX_NAME_LENGTH)])
    village_group = StringField(
        "组别（村民小组）", validators=[Optional(), Length(max=MAX_GROUP_LENGTH)]
    )
    gender = SelectField("性别", choices=choices(Gender), validators=[required()])
    birth_date = ChineseDateField("出生日期", validators=[required_date()])
    joined_on = ChineseDateField("入党日期", validators=[Optional()])
    membership = SelectField("党员身份", choices=choices(Membership), validators=[required()])
    category = SelectField("类别", choices=choices(MemberCategory), validators=[required()])
    phone = PhoneField("联系电话")
    exempt_meeting_date = ChineseDateField("免评：党员大会通过日期", validators=[Optional()])
    exempt_reason = StringField("免评说明", validators=[Optional(), Length(max=200)])
    note = StringField("备注", validators=[Optional(), Length(max=200)])
    version = ShownVersionField()


class LeaveForm(ChineseForm):
    status = SelectField(
        "变动",
        choices=[
            SelectChoice(s.value, s.label) for s in MemberStatus if s is not MemberStatus.ACTIVE
        ],
        validators=[required()],
    )
    on = ChineseDateField("日期", validators=[required_date()])
    version = IntegerField(validators=[required()])


class VersionForm(ChineseForm):
    version = IntegerField(validators=[required()])


class RosterUploadForm(ChineseForm):
    file = FileField("花名册文件（.xlsx）", validators=[FileRequired(message="请选择要上传的文件")])
