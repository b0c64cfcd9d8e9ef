"""The township's yearly scheme: starting a year, every ten-star setting on one form, and the
cadre appraisal rules on another.

Shape only: numbers must be numbers and the quota a fraction; whether a setting makes sense
(ranges, ten stars, grade order) is the scheme rules' business (rules.tenstar_scheme).
"""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from starrating.forms import REQUIRED, choices
from starrating.forms.base import ChineseForm, ChineseSubform
from starrating.forms.numbers import FigureField, WholeNumberField
from starrating.rules.appraisal_scheme import AppraisalScheme
from starrating.rules.board_scheme import BOARD_LABELS, BoardScheme
from starrating.rules.pay import PayRuleKind
from starrating.rules.star_changes import StarChangeRules
from starrating.rules.tenstar_scheme import STAR_COUNT, MarkingMode, StarGroup, TenStarScheme
from starrating.rules.values import Figure, Whole
from starrating.rules.wording import plain

CHOICE_MESSAGE = "请从列表中选择"
QUOTA_MESSAGE = "请写成分数，如 1/3（分母不能为 0）"
MAX_STAR_NAME, MAX_CRITERIA, MAX_QUOTA_TEXT = 20, 500, 20
# AssessedMember.veto_reason holds a reason chosen from this list
MAX_VETO_REASON = 100


def _required() -> InputRequired:
    return InputRequired(message=REQUIRED)


def _at_most(characters: int) -> Length:
    return Length(max=characters, message=f"不超过 {characters} 字")


# What any figure of a scheme may be typed as; what is sensible for each is the scheme rules' to
# say (rules/tenstar_scheme.py, rules/appraisal_scheme.py), with their own messages.
SCHEME_FIGURE = Figure(Decimal(-1_000_000), Decimal(1_000_000), places=4, example="80")
SCHEME_WHOLE = Whole(-100_000, 100_000)


def decimal_number(label: str) -> FigureField:
    return FigureField(label, SCHEME_FIGURE)


def whole_number(label: str) -> WholeNumberField:
    return WholeNumberField(label, SCHEME_WHOLE)


class FractionField(StringField):
    """A share written as a fraction such as 1/3 (a decimal such as 0.25 also reads); data is a
    Fraction."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        # spaces and the full-width slash a Chinese input method types are no mistake
        text = "".join(str(valuelist[0]).split()).replace("／", "/")
        self.data = None
        if len(text) > MAX_QUOTA_TEXT:
            raise ValueError(QUOTA_MESSAGE)
        try:
            self.data = Fraction(text)
        except (ValueError, ZeroDivisionError) as error:
            raise ValueError(QUOTA_MESSAGE) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class SchemeYearForm(ChineseForm):
    year = IntegerField(
        "年度",
        validators=[_required()],
        invalid_value_message="请填写四位数年份，如 2027",
    )


class StarForm(ChineseSubform):
    """One star's name, group and criteria; its code and ballot measure are not edited."""

    name = StringField("名称", validators=[_at_most(MAX_STAR_NAME)])
    group = SelectField(
        "类别",
        choices=choices(StarGroup),
        validators=[_required()],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    criteria = TextAreaField("评定标准（评议时向评议人展示）", validators=[_at_most(MAX_CRITERIA)])


class SchemePartForm(ChineseForm):
    """One part of the year's scheme on one form, opened at the scheme's version."""

    version = HiddenField()

    def error_summary(self) -> list[str]:
        """Every field's complaint with its label, to list at the top of a long page."""
        summary: list[str] = []
        for field in self:
            if isinstance(field, FieldList):
                for number, entry in enumerate(field, start=1):
                    summary += [
                        f"第 {number} 颗星的{inner.label.text}：{error}"
                        for inner in entry.form
                        for error in inner.errors
                    ]
            elif field.name != "csrf_token":
                summary += [f"{field.label.text}：{error}" for error in field.errors]
        return summary

    def expected_version(self) -> int:
        """The version the form was opened at; 0 (never current) if it is missing or garbled."""
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0


class SchemeForm(SchemePartForm):
    stars = FieldList(FormField(StarForm), min_entries=STAR_COUNT, max_entries=STAR_COUNT)
    marking_mode = SelectField(
        "组织评议方式",
        choices=choices(MarkingMode),
        validators=[_required()],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    points_threshold = decimal_number("百分制授星分数线（分）")
    recognition_threshold = decimal_number("群众认可星所需认可率（%）")
    satisfaction_threshold = decimal_number("群众满意星所需满意率（%）")
    minimum_sample = whole_number("群众星最低有效票数（票）")
    basic_for_excellent = whole_number("优秀所需基础星（颗）")
    total_for_excellent = whole_number("优秀所需总星数（颗）")
    basic_for_pass = whole_number("合格所需基础星（颗）")
    basic_for_basic_pass = whole_number("基本合格所需基础星（颗）")
    excellent_quota = FractionField("优秀名额上限（占参评党员的比例）", validators=[_required()])
    veto_reasons = TextAreaField("一票否决情形（每行一种）")
    publicity_days = whole_number("公示期（天）")
    answer_days = whole_number("异议答复期限（天）")
    removal_reasons = TextAreaField("摘星理由（每行一种，在公示栏公开）")
    award_reasons = TextAreaField("升星理由（每行一种，在公示栏公开）")
    award_allowed = BooleanField("允许升星（恢复或增加星）")

    def validate_veto_reasons(self, field: TextAreaField) -> None:
        too_long = [line for line in self.veto_reason_lines() if len(line) > MAX_VETO_REASON]
        if too_long:
            raise ValidationError(f"每种情形不超过 {MAX_VETO_REASON} 字：“{too_long[0][:20]}…”")

    def veto_reason_lines(self) -> tuple[str, ...]:
        """One reason per line; blank lines are only spacing."""
        return lines(self.veto_reasons.data)

    def change_rules(self) -> StarChangeRules:
        """The 摘星 / 升星 settings as typed (the scheme's rules check them)."""
        return StarChangeRules(
            removal_reasons=lines(self.removal_reasons.data),
            award_reasons=lines(self.award_reasons.data),
            award_allowed=bool(self.award_allowed.data),
        )


def lines(text: str | None) -> tuple[str, ...]:
    """One entry per line; blank lines are only spacing."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def scheme_form_data(rules: TenStarScheme, version: int) -> dict[str, Any]:
    """The stored settings as the form's initial data."""
    return {
        "stars": [
            {"name": star.name, "group": star.group.value, "criteria": star.criteria}
            for star in rules.stars
        ],
        "marking_mode": rules.marking.mode.value,
        "points_threshold": rules.marking.points_threshold,
        "recognition_threshold": rules.mass.recognition_threshold,
        "satisfaction_threshold": rules.mass.satisfaction_threshold,
        "minimum_sample": rules.mass.minimum_sample,
        "basic_for_excellent": rules.grades.basic_for_excellent,
        "total_for_excellent": rules.grades.total_for_excellent,
        "basic_for_pass": rules.grades.basic_for_pass,
        "basic_for_basic_pass": rules.grades.basic_for_basic_pass,
        "excellent_quota": rules.grades.excellent_quota,
        "veto_reasons": "\n".join(rules.veto_reasons),
        "publicity_days": rules.publicity_days,
        "answer_days": rules.answer_days,
        "removal_reasons": "\n".join(rules.changes.removal_reasons),
        "award_reasons": "\n".join(rules.changes.award_reasons),
        "award_allowed": rules.changes.award_allowed,
        "version": str(version),
    }


class AppraisalSchemeForm(SchemePartForm):
    """The cadre appraisal rules (村干部考核规则); rates and shares are typed as percentages."""

    completion_weight = whole_number("目标完成权重（%）")
    ballot_weight = whole_number("群众测评权重（%）")
    township_weight = whole_number("乡镇评价权重（%）")
    satisfied_points = decimal_number("“满意”分值（分）")
    basic_points = decimal_number("“基本满意”分值（分）")
    dissatisfied_points = decimal_number("“不满意”分值（分）")
    excellent_from = decimal_number("优秀分数线（分）")
    competent_from = decimal_number("称职分数线（分）")
    basically_competent_from = decimal_number("基本称职分数线（分）")
    adjust_below_satisfaction = decimal_number("建议调整的综合满意率界限（%）")
    admonish_from_dissatisfied = decimal_number("诫勉谈话的不满意率界限（%）")
    pay_kind = SelectField(
        "工资规则",
        choices=choices(PayRuleKind),
        validators=[_required()],
        invalid_choice_message=CHOICE_MESSAGE,
    )
    pass_ratio = decimal_number("合格完成率（%）")
    deduction_cap = decimal_number("扣减上限（占基本工资的 %）")
    tier_excellent = decimal_number("优秀等次绩效工资比例（%）")
    tier_competent = decimal_number("称职等次绩效工资比例（%）")
    tier_basically_competent = decimal_number("基本称职等次绩效工资比例（%）")
    tier_incompetent = decimal_number("不称职等次绩效工资比例（%）")
    full_pay_from = decimal_number("全额发放绩效工资的分数线（分）")
    per_point_step = decimal_number("每低 1 分少发（元）")


def _shown(value: Decimal) -> Decimal:
    """A setting as a person writes it: 90, not 90.0."""
    return Decimal(plain(value))


def appraisal_form_data(rules: AppraisalScheme, version: int) -> dict[str, Any]:
    """The stored cadre appraisal rules as the form's initial data; ratios become percentages."""
    pay, tiers = rules.pay_rule, rules.pay_rule.tiers
    return {
        "completion_weight": rules.components.completion,
        "ballot_weight": rules.components.ballot,
        "township_weight": rules.components.township,
        "satisfied_points": _shown(rules.ballot_weights.satisfied),
        "basic_points": _shown(rules.ballot_weights.basic),
        "dissatisfied_points": _shown(rules.ballot_weights.dissatisfied),
        "excellent_from": _shown(rules.grade_bands.excellent_from),
        "competent_from": _shown(rules.grade_bands.competent_from),
        "basically_competent_from": _shown(rules.grade_bands.basically_competent_from),
        "adjust_below_satisfaction": _shown(rules.consequences.adjust_below_satisfaction),
        "admonish_from_dissatisfied": _shown(rules.consequences.admonish_from_dissatisfied),
        "pay_kind": pay.kind.value,
        "pass_ratio": _shown(pay.pass_ratio * 100),
        "deduction_cap": _shown(pay.deduction_cap * 100),
        "tier_excellent": _shown(tiers.excellent),
        "tier_competent": _shown(tiers.competent),
        "tier_basically_competent": _shown(tiers.basically_competent),
        "tier_incompetent": _shown(tiers.incompetent),
        "full_pay_from": _shown(pay.full_pay_from),
        "per_point_step": _shown(pay.per_point_step),
        "version": str(version),
    }


class BoardSchemeForm(SchemePartForm):
    """What the village boards show (公示栏公开内容): a tick per item, all on by default."""

    tenstar = BooleanField(BOARD_LABELS["tenstar"])
    pledges = BooleanField(BOARD_LABELS["pledges"])
    cadre_results = BooleanField(BOARD_LABELS["cadre_results"])
    pay_standards = BooleanField(BOARD_LABELS["pay_standards"])
    pay_results = BooleanField(BOARD_LABELS["pay_results"])
    star_standing = BooleanField(BOARD_LABELS["star_standing"])

    def rules(self) -> BoardScheme:
        return BoardScheme(**{name: bool(self[name].data) for name in BOARD_LABELS})


def board_form_data(rules: BoardScheme, version: int) -> dict[str, Any]:
    return {**rules.to_dict(), "version": version}
