"""The township's yearly ten-star scheme as data: stars, marking, thresholds, grades, quota."""

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from starrating.rules.answer_deadline import DEFAULT_ANSWER_DAYS, MAX_ANSWER_DAYS
from starrating.rules.star_changes import StarChangeRules, rules_problems

SCHEME_FORMAT = 1
STAR_COUNT = 10
MAX_PUBLICITY_DAYS = 30
MAX_VETO_REASON_LENGTH = 100  # a member's recorded veto names its reason in full
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")
HUNDRED = Decimal(100)


class SchemeInvalid(ValueError):
    """A scheme the township may not use; `problems` lists every reason in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


class StarGroup(StrEnum):
    BASIC = "basic"
    VANGUARD = "vanguard"
    MASS = "mass"

    @property
    def label(self) -> str:
        return {StarGroup.BASIC: "基础星", StarGroup.VANGUARD: "先锋星", StarGroup.MASS: "群众星"}[
            self
        ]


class MarkingMode(StrEnum):
    """How raters mark an organisational star: 达标/不达标 by majority, or 0–100 points."""

    MAJORITY = "majority"
    POINTS = "points"

    @property
    def label(self) -> str:
        return {MarkingMode.MAJORITY: "达标评议（过半数）", MarkingMode.POINTS: "百分制评分"}[self]


class MassMeasure(StrEnum):
    """Which ballot rate decides a mass star: 认可率 (满意+基本满意) or 满意率 (满意 only)."""

    RECOGNITION = "recognition"
    SATISFACTION = "satisfaction"

    @property
    def label(self) -> str:
        return {MassMeasure.RECOGNITION: "认可率", MassMeasure.SATISFACTION: "满意率"}[self]


@dataclass(frozen=True)
class Star:
    """One star: a code for the records, the name and criteria shown to raters; mass stars name
    the ballot rate that decides them."""

    code: str
    name: str
    group: StarGroup
    criteria: str
    measure: MassMeasure | None = None


@dataclass(frozen=True)
class MarkingRule:
    """Majority: awarded when more than half of the raters who marked say 达标.
    Points: awarded when the raters' mean is at least the threshold."""

    mode: MarkingMode = MarkingMode.MAJORITY
    points_threshold: Decimal = Decimal(80)


@dataclass(frozen=True)
class MassStarRule:
    """Rates are of valid marks (满意, 基本满意, 不满意); below the minimum sample no mass star."""

    recognition_threshold: Decimal = Decimal(80)
    satisfaction_threshold: Decimal = Decimal(60)
    minimum_sample: int = 5

    def threshold(self, measure: MassMeasure) -> Decimal:
        if measure is MassMeasure.RECOGNITION:
            return self.recognition_threshold
        return self.satisfaction_threshold


@dataclass(frozen=True)
class GradeRule:
    """优秀: enough basic stars and enough stars in all; 合格, 基本合格 by basic stars; fewer is
    不合格. 优秀 may be at most `excellent_quota` of the branch's graded members."""

    basic_for_excellent: int = 4
    total_for_excellent: int = 8
    basic_for_pass: int = 4
    basic_for_basic_pass: int = 3
    excellent_quota: Fraction = Fraction(1, 3)


DEFAULT_VETO_REASONS = (
    "受党纪处分",
    "违法犯罪",
    "参与邪教或封建迷信活动",
    "无正当理由连续6个月不参加组织生活",
    "不按规定交纳党费",
)


@dataclass(frozen=True)
class TenStarScheme:
    """One township's ten-star rules for one year; frozen once a village has opened its year."""

    stars: tuple[Star, ...]
    marking: MarkingRule = field(default_factory=MarkingRule)
    mass: MassStarRule = field(default_factory=MassStarRule)
    grades: GradeRule = field(default_factory=GradeRule)
    veto_reasons: tuple[str, ...] = DEFAULT_VETO_REASONS
    publicity_days: int = 5
    answer_days: int = DEFAULT_ANSWER_DAYS
    changes: StarChangeRules = field(default_factory=StarChangeRules)  # 摘星 / 升星 (§15)

    def star(self, code: str) -> Star:
        """The star with this code; KeyError if the scheme has none."""
        for star in self.stars:
            if star.code == code:
                return star
        raise KeyError(code)

    def stars_in(self, group: StarGroup) -> tuple[Star, ...]:
        return self._groups.get(group, ())

    @cached_property
    def _groups(self) -> dict[StarGroup, tuple[Star, ...]]:
        """Stars by group, in scheme order (worked out once: grading a township asks often)."""
        return {g: tuple(s for s in self.stars if s.group is g) for g in StarGroup}

    def mass_star(self, measure: MassMeasure) -> Star:
        """The mass star decided by this ballot rate; KeyError if the scheme has none."""
        for star in self.stars:
            if star.measure is measure:
                return star
        raise KeyError(measure)


_B, _V, _M = StarGroup.BASIC, StarGroup.VANGUARD, StarGroup.MASS
_DEFAULT_STAR_ROWS = (
    ("ideals", "理想信念星", _B, None),
    ("organisation", "组织观念星", _B, None),
    ("conduct", "品行表现星", _B, None),
    ("exemplary", "带头表率星", _B, None),
    ("duty", "履职尽责星", _V, None),
    ("volunteering", "义务奉献星", _V, None),
    ("hardship", "攻坚克难星", _V, None),
    ("prosperity", "致富带富星", _V, None),
    ("recognition", "群众认可星", _M, MassMeasure.RECOGNITION),
    ("satisfaction", "群众满意星", _M, MassMeasure.SATISFACTION),
)
DEFAULT_CRITERIA = {
    "ideals": "坚定理想信念，认真学习党的理论和方针政策，牢记党员身份，不信谣不传谣。",
    "organisation": "按时参加三会一课和主题党日，按时足额交纳党费，服从组织安排。",
    "conduct": "遵纪守法，家庭和睦，孝老爱亲，邻里团结，移风易俗，不参与赌博和迷信活动。",
    "exemplary": "在村级重点工作、人居环境整治和集体决策执行中带头做、作表率。",
    "duty": "认领设岗定责任务并完成，兑现年初公开承诺，按时汇报完成情况。",
    "volunteering": "积极参加志愿服务和义务劳动，结对帮扶困难群众，热心公益事业。",
    "hardship": "在防汛救灾、矛盾调处、项目建设等急难险重任务中冲锋在前。",
    "prosperity": "自身勤劳致富，带动群众发展产业、增收致富，支持村集体经济发展。",
    "recognition": "群众满意度测评中，满意和基本满意票占有效票的比例达到规定标准。",
    "satisfaction": "群众满意度测评中，满意票占有效票的比例达到规定标准。",
}
DEFAULT_STARS = tuple(
    Star(code, name, group, DEFAULT_CRITERIA[code], measure)
    for code, name, group, measure in _DEFAULT_STAR_ROWS
)


def default_tenstar_scheme() -> TenStarScheme:
    """翁家埠村's rules (DESIGN §4): the township's starting point for a new year."""
    return TenStarScheme(stars=DEFAULT_STARS)


# --- validation -------------------------------------------------------------------------------


def scheme_problems(scheme: TenStarScheme) -> list[str]:
    """Everything wrong with a scheme, in Chinese; an empty list means the township may use it."""
    return [
        *_star_problems(scheme.stars),
        *_threshold_problems(scheme),
        *_grade_problems(scheme),
        *_veto_problems(scheme.veto_reasons),
        *_days_problems("公示期", scheme.publicity_days, MAX_PUBLICITY_DAYS),
        *_days_problems("异议答复期限", scheme.answer_days, MAX_ANSWER_DAYS),
        *rules_problems(scheme.changes),
    ]


def validate_scheme(scheme: TenStarScheme) -> TenStarScheme:
    """The scheme itself if usable; otherwise SchemeInvalid listing every problem."""
    problems = scheme_problems(scheme)
    if problems:
        raise SchemeInvalid(problems)
    return scheme


def _star_problems(stars: tuple[Star, ...]) -> list[str]:
    problems = (
        []
        if len(stars) == STAR_COUNT
        else [f"十星评定须设 {STAR_COUNT} 颗星，现有 {len(stars)} 颗"]
    )
    for number, star in enumerate(stars, start=1):
        label = star.name.strip() or f"第 {number} 颗星"
        if not star.name.strip():
            problems.append(f"第 {number} 颗星缺少名称")
        if not CODE_PATTERN.fullmatch(star.code):
            problems.append(f"{label}的代码“{star.code}”只能由小写英文字母、数字和下划线组成")
        if not star.criteria.strip():
            problems.append(f"{label}缺少评定标准")
        if star.group is StarGroup.MASS and star.measure is None:
            problems.append(f"{label}是群众星，须指明按认可率还是满意率评定")
        if star.group is not StarGroup.MASS and star.measure is not None:
            problems.append(f"{label}是{star.group.label}，不能按群众测评评定")
    problems += _duplicates("星的代码", [star.code for star in stars])
    problems += _duplicates("星的名称", [star.name.strip() for star in stars])
    measures = sorted(
        star.measure for star in stars if star.group is StarGroup.MASS and star.measure
    )
    if measures != sorted(MassMeasure):
        problems.append("群众星须有两颗：一颗按认可率评定，一颗按满意率评定")
    return problems


def _duplicates(what: str, values: list[str]) -> list[str]:
    counts = Counter(values)
    return [f"{what}“{value}”重复" for value, count in counts.items() if value and count > 1]


def _percentage_problem(what: str, value: Decimal, unit: str = "%") -> list[str]:
    if value.is_finite() and 0 <= value <= HUNDRED:
        return []
    return [f"{what}须在 0–100{unit} 之间，现为 {value}{unit}"]


def _threshold_problems(scheme: TenStarScheme) -> list[str]:
    problems = _percentage_problem("评分制授星分数线", scheme.marking.points_threshold, " 分")
    problems += _percentage_problem("群众认可星的认可率标准", scheme.mass.recognition_threshold)
    problems += _percentage_problem("群众满意星的满意率标准", scheme.mass.satisfaction_threshold)
    if scheme.mass.minimum_sample < 1:
        problems.append(f"群众星最低有效票数不能少于 1 票，现为 {scheme.mass.minimum_sample} 票")
    quota = scheme.grades.excellent_quota
    if not 0 <= quota <= 1:
        problems.append(f"优秀名额比例须在 0–1 之间，现为 {quota}")
    return problems


def _grade_problems(scheme: TenStarScheme) -> list[str]:
    rule, basic = scheme.grades, len(scheme.stars_in(StarGroup.BASIC))
    problems = []
    if not 0 <= rule.basic_for_basic_pass <= rule.basic_for_pass <= basic:
        problems.append(
            f"基本合格所需基础星（{rule.basic_for_basic_pass} 颗）须不多于合格所需"
            f"（{rule.basic_for_pass} 颗），合格所需须不多于基础星总数（{basic} 颗）"
        )
    if not rule.basic_for_pass <= rule.basic_for_excellent <= basic:
        problems.append(
            f"优秀所需基础星（{rule.basic_for_excellent} 颗）须在合格所需"
            f"（{rule.basic_for_pass} 颗）与基础星总数（{basic} 颗）之间"
        )
    if not rule.basic_for_excellent <= rule.total_for_excellent <= len(scheme.stars):
        problems.append(
            f"优秀所需总星数（{rule.total_for_excellent} 颗）须在优秀所需基础星"
            f"（{rule.basic_for_excellent} 颗）与星的总数（{len(scheme.stars)} 颗）之间"
        )
    return problems


def _veto_problems(reasons: tuple[str, ...]) -> list[str]:
    problems = [] if reasons else ["至少须列出一种一票否决情形"]
    if any(not reason.strip() for reason in reasons):
        problems.append("一票否决情形不能为空白")
    if any(len(reason) > MAX_VETO_REASON_LENGTH for reason in reasons):
        problems.append(f"每种一票否决情形不能超过 {MAX_VETO_REASON_LENGTH} 字")
    return problems + _duplicates("一票否决情形", [reason.strip() for reason in reasons])


def _days_problems(what: str, days: int, most: int) -> list[str]:
    return [] if 1 <= days <= most else [f"{what}须在 1–{most} 天之间，现为 {days} 天"]
