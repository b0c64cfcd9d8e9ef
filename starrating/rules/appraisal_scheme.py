"""A township's yearly settings for the cadres' appraisal (考核方案): the ballot's weights, the
components' shares, the grade bands, the consequence thresholds and the pay rule; their checks,
and their JSON form."""

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, get_type_hints

from starrating.rules.ballots import DEFAULT_CADRE_WEIGHTS, ChoiceWeights
from starrating.rules.cadre_grades import ConsequenceThresholds, GradeBands
from starrating.rules.pay import PayRule
from starrating.rules.wording import plain


@dataclass(frozen=True)
class ComponentWeights:
    """Shares of the combined score in percent: 目标完成 50, 群众测评 30, 乡镇评价 20."""

    completion: int = 50
    ballot: int = 30
    township: int = 20

    def problems(self) -> list[str]:
        """Each share is a percentage, none negative, and the three add up to 100."""
        shares = {"目标完成": self.completion, "群众测评": self.ballot, "乡镇评价": self.township}
        problems = [
            f"{name}的权重不能为负数，现为 {share}" for name, share in shares.items() if share < 0
        ]
        total = sum(shares.values())
        if total != 100:
            problems.append(f"目标完成、群众测评、乡镇评价的权重应合计 100，现为 {total}")
        return problems


DEFAULT_COMPONENT_WEIGHTS = ComponentWeights()


@dataclass(frozen=True)
class AppraisalScheme:
    """The township's yearly appraisal settings; the defaults are 翁家埠村's rules."""

    ballot_weights: ChoiceWeights = DEFAULT_CADRE_WEIGHTS
    components: ComponentWeights = DEFAULT_COMPONENT_WEIGHTS
    grade_bands: GradeBands = GradeBands()
    consequences: ConsequenceThresholds = ConsequenceThresholds()
    pay_rule: PayRule = PayRule()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: Decimals as strings, enumerations (the pay rule kind) as codes."""
        plain_dict: dict[str, Any] = _to_plain(self)
        return plain_dict

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "AppraisalScheme":
        """The scheme back from to_dict's form; a setting left out keeps its default."""
        scheme: AppraisalScheme = _from_plain(cls, data)
        return scheme


def default_appraisal_scheme() -> AppraisalScheme:
    """§4's defaults: ballot 100/70/30, 50/30/20, bands 90/80/70, 50 %/30 %, proportional pay."""
    return AppraisalScheme()


def scheme_problems(scheme: AppraisalScheme) -> list[str]:
    """Every setting out of range, in Chinese; an empty list means the scheme can be used."""
    return [
        *scheme.ballot_weights.problems(),
        *scheme.components.problems(),
        *scheme.grade_bands.problems(),
        *scheme.consequences.problems(),
        *scheme.pay_rule.problems(),
        *_precision_problems(scheme),
    ]


def _precision_problems(scheme: AppraisalScheme) -> list[str]:
    """A threshold is compared with a figure published to 0.1 (score or percentage), so it has
    at most one decimal: a line finer than that could not be read off the sheet."""
    bands, limits, pay = scheme.grade_bands, scheme.consequences, scheme.pay_rule
    thresholds = [
        ("优秀分数线", bands.excellent_from, " 分"),
        ("称职分数线", bands.competent_from, " 分"),
        ("基本称职分数线", bands.basically_competent_from, " 分"),
        ("建议调整的综合满意率界限", limits.adjust_below_satisfaction, "%"),
        ("诫勉谈话的不满意率界限", limits.admonish_from_dissatisfied, "%"),
        ("全额发放绩效工资的分数线", pay.full_pay_from, " 分"),
        ("合格完成率", pay.pass_ratio * 100, "%"),
    ]
    return [
        f"{name}最多一位小数（公布的得分和比率精确到 0.1），现为 {plain(value)}{unit}"
        for name, value, unit in thresholds
        if value * 10 != (value * 10).to_integral_value()
    ]


def _to_plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _to_plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_plain(cls: Any, data: Mapping[str, Any]) -> Any:
    names = {field.name for field in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"考核方案中有不认识的设置项：{'、'.join(unknown)}")
    hints = get_type_hints(cls)
    return cls(**{name: _read_setting(hints[name], data[name]) for name in names if name in data})


def _read_setting(kind: Any, raw: Any) -> Any:
    if is_dataclass(kind):
        return _from_plain(kind, raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is Decimal:
        try:
            return Decimal(str(raw))
        except InvalidOperation as error:
            raise ValueError(f"考核方案中的数值无法识别：{raw}") from error
    return int(raw)
